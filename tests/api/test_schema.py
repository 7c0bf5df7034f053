"""The OpenAPI document: generated from the code, checked in as api/openapi.yaml, and served with
its docs page from the sidecar's own files."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

CHECKED_IN = Path(__file__).resolve().parents[2] / "api" / "openapi.yaml"


def test_the_checked_in_schema_is_what_the_code_generates():
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    assert out.getvalue() == CHECKED_IN.read_text(), (
        "api/openapi.yaml is not what the code generates. Run: "
        "DEBUG=1 .venv/bin/python manage.py spectacular --validate --file api/openapi.yaml"
    )


@pytest.mark.django_db
def test_the_schema_is_served_to_anyone(client):
    response = client.get(reverse("api:schema"))
    assert response.status_code == 200
    assert b"/api/v1/escalations/{id}/respond/" in response.content


@pytest.mark.django_db
def test_the_docs_page_uses_the_sidecar_files_and_no_cdn(client):
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    page = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in s for s in sources), sources
    assert not [s for s in sources if s.startswith(("http://", "https://", "//"))], sources
    # the strict CSP allows no inline script or style: the page's own script is a URL of the same view
    assert "<style" not in page and not re.search(r"<script>", page)
    script = next(s for s in sources if "script" in s.split("?")[-1])
    answer = client.get(script.replace("&amp;", "&"))
    assert answer.status_code == 200 and answer["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in answer.content
