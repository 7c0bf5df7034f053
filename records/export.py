"""A subject access export as files: the readable PDF (WeasyPrint, as the committee report's PDF),
the machine-readable JSON, and a manifest of both, in one ZIP. Everything comes from the one
document ``records.selectors.subject_access_gather`` made (already redacted), so the PDF and the
JSON say the same.

No network: the PDF's HTML links to nothing and the URL fetcher refuses every URL but ``data:``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile

from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher

PDF_NAME = "information-held.pdf"
JSON_NAME = "information-held.json"
MANIFEST_NAME = "manifest.json"

# The labels the PDF shows for the JSON's keys.
LABELS = {
    "case_id": "Case-management ID",
    "first_name": "First name",
    "last_name": "Last name",
    "date_of_birth": "Date of birth",
    "sex": "Sex",
    "legal_status": "Legal status",
    "looked_after_from": "Looked after from",
    "looked_after_to": "Looked after until",
    "social_worker": "Allocated social worker",
    "details_to_complete": "Record to complete",
    "team": "Team",
    "iro": "Independent reviewing officer",
}


def _offline_fetcher():
    return URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)


def render_pdf(document: dict) -> bytes:
    child = document["child"]
    name = f"{child['first_name']} {child['last_name']}".strip() or f"case ID {child['case_id']}"
    html = render_to_string(
        "records/export_pdf.html",
        {
            "document": document,
            "name": name,
            "record": [(LABELS[key], child[key]) for key in LABELS if key in child],
            "ssda903": document["ssda903"],
        },
    )
    return HTML(string=html, base_url=None, url_fetcher=_offline_fetcher()).write_pdf()


def render_json(document: dict) -> bytes:
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False).encode("utf-8")


def _file(name: str, data: bytes, media_type: str) -> dict:
    return {"name": name, "media_type": media_type, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def render_zip(*, document: dict, export_id: int, counts: dict, at: dt.datetime) -> bytes:
    """The ZIP: the PDF, the JSON and the manifest (what is in it, with each file's size and SHA-256)."""
    pdf = render_pdf(document)
    data = render_json(document)
    manifest = {
        "schema": "iro-escalations/subject-access-manifest/1",
        "export": export_id,
        "produced_at": document["produced_at"],
        "about_case_id": document["child"]["case_id"],
        "files": [
            _file(PDF_NAME, pdf, "application/pdf"),
            _file(JSON_NAME, data, "application/json"),
        ],
        "counts": counts,
        "redaction": document["redaction"],
        "json_schema": document["schema"],
    }
    buffer = io.BytesIO()
    stamp = at.timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in (
            (PDF_NAME, pdf),
            (JSON_NAME, data),
            (MANIFEST_NAME, json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8")),
        ):
            archive.writestr(zipfile.ZipInfo(name, date_time=stamp), content, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def zip_name(export_id: int) -> str:
    """The download's file name: the export's number, never the child's name or case ID."""
    return f"subject-access-export-{export_id}.zip"
