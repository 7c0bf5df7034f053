"""The committee report as JSON: the report dictionary itself, as built.

Deterministic: keys keep the order :func:`reports.selectors.report_build` gives them, and the same
report always gives the same text.
"""

from __future__ import annotations

import json


def render_json(report: dict) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
