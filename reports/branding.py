"""The council's logo for the paper's cover (``settings.REPORT_COUNCIL_LOGO``: a PNG or JPEG file)."""

from __future__ import annotations

import base64

from django.conf import settings

_KINDS = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def council_logo() -> tuple[bytes, str] | None:
    """(the image, its content type), or None when no logo is set or the file is not a PNG or JPEG."""
    path = settings.REPORT_COUNCIL_LOGO
    if not path:
        return None
    try:
        with open(path, "rb") as handle:
            data = handle.read(5_000_000)
    except OSError:
        return None
    kind = next((kind for magic, kind in _KINDS.items() if data.startswith(magic)), None)
    return (data, kind) if kind else None


def council_logo_data_url() -> str | None:
    logo = council_logo()
    if logo is None:
        return None
    data, kind = logo
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"
