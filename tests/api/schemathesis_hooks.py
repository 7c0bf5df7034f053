"""schemathesis hooks for tests/api/test_schemathesis.py: point some of the generated requests at
records that exist, so the fuzzing reaches the services and not only the 404s and 400s.

Only requests schemathesis generated as valid (positive) are touched, and only with values the
schema allows too (a real child's id for an id, a real stage's code for a code), so they stay
valid; a quarter of them are left as generated. Just before a move, half of them send the
escalation's current ETag as If-Match (read with a GET, as a client would), so moves succeed as well
as meet 412. The records come from the test, in the environment variable ``API_FUZZ_DATA`` (JSON).
"""

from __future__ import annotations

import json
import os
import zlib

import requests
import schemathesis

DATA = json.loads(os.environ.get("API_FUZZ_DATA", "{}"))
MOVES = (
    "first-response",
    "respond",
    "escalate",
    "reassign",
    "resolve",
    "withdraw",
    "refer-to-cafcass",
    "reopen",
    "notes",
)


def _pick(options: list, seed) -> object:
    return options[zlib.crc32(repr(seed).encode()) % len(options)]


def _left_alone(seed) -> bool:
    return zlib.crc32(("alone" + repr(seed)).encode()) % 4 == 0


def _record_kind(path: str) -> str | None:
    if path.startswith("/api/v1/children/{id}"):
        return "children"
    if path.startswith("/api/v1/escalations/{id}"):
        return "escalations"
    if path.startswith("/api/v1/reports/issued/{id}"):
        return "issued"
    return None


def _point_at_records(case) -> None:
    path = case.operation.path
    kind = _record_kind(path)
    if kind and DATA.get(kind) and isinstance(case.path_parameters, dict):
        value = case.path_parameters.get("id")
        if isinstance(value, int) and not _left_alone(value):
            case.path_parameters["id"] = _pick(DATA[kind], value)
    if isinstance(case.query, dict):
        _point_query(case.query, path)
    if isinstance(case.body, dict):
        _point_body(case.body, path)


def _point_query(query: dict, path: str) -> None:
    for name, values in (("stage", DATA["stages"]), ("theme", DATA["themes"]), ("team", DATA["teams"])):
        if isinstance(query.get(name), str) and not _left_alone(query[name]):
            query[name] = _pick(values, query[name])
    if isinstance(query.get("iro"), int) and not _left_alone(query["iro"]):
        query["iro"] = _pick(DATA["iros"], query["iro"])
    if isinstance(query.get("case_id"), str) and not _left_alone(query["case_id"]):
        query["case_id"] = _pick(DATA["case_ids"], query["case_id"])
    if path == "/api/v1/drift-flags/" and isinstance(query.get("child"), int) and not _left_alone(query["child"]):
        query["child"] = _pick(DATA["children"], query["child"])
    if path == "/api/v1/reports/committee/" and isinstance(query.get("period"), str):
        if not _left_alone(query["period"]):
            query["period"] = _pick(DATA["periods"], query["period"])


def _point_body(body: dict, path: str) -> None:
    if path == "/api/v1/escalations/":
        if isinstance(body.get("children"), list) and not _left_alone(body["children"]):
            body["children"] = [_pick(DATA["raisable"], body["children"])]
        _point_stage_and_person(body)
        for name in ("themes", "drift_reasons"):
            if isinstance(body.get(name), list):
                body[name] = [_pick(DATA[name], item) for item in body[name][:3]]
        if isinstance(body.get("subthemes"), list):
            body["subthemes"] = [_pick(DATA["subthemes"], item) for item in body["subthemes"][:3]]
    elif path.endswith(("/escalate/", "/reassign/", "/reopen/")):
        _point_stage_and_person(body)
    elif path.endswith("/resolve/") and isinstance(body.get("outcome"), str):
        if not _left_alone(body["outcome"]):
            body["outcome"] = _pick(DATA["outcomes"], body["outcome"])
    elif path == "/api/v1/children/upsert/" and isinstance(body.get("children"), list):
        for row in body["children"]:
            if not isinstance(row, dict):
                continue
            if isinstance(row.get("team"), str) and not _left_alone(row["team"]):
                row["team"] = _pick(DATA["teams"], row["team"])
            if isinstance(row.get("iro"), int) and not _left_alone(row["iro"]):
                row["iro"] = _pick(DATA["iros"], row["iro"])


def _point_stage_and_person(body: dict) -> None:
    if isinstance(body.get("stage"), str) and not _left_alone(body["stage"]):
        body["stage"] = _pick(DATA["stages"], body["stage"])
    if isinstance(body.get("addressee"), int) and not _left_alone(body["addressee"]):
        managers = DATA["managers"].get(body.get("stage")) or DATA["managers"]["any"]
        body["addressee"] = _pick(managers, body["addressee"])


def _send_current_etag(case) -> None:
    """Half the valid moves carry the escalation's ETag as it is now, read with a GET first."""
    if not case.operation.path.endswith(tuple(f"/{move}/" for move in MOVES)):
        return
    headers = case.headers if case.headers is not None else {}
    if "If-Match" not in headers or zlib.crc32(str(headers["If-Match"]).encode()) % 2:
        return
    escalation = case.path_parameters.get("id")
    answer = requests.get(f"{DATA['base']}/api/v1/escalations/{escalation}/", headers=DATA["auth_headers"], timeout=30)
    if answer.status_code == 200 and answer.headers.get("ETag"):
        headers["If-Match"] = answer.headers["ETag"]
        case.headers = headers


@schemathesis.hook
def before_call(context, case, kwargs):
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return
    _point_at_records(case)
    _send_current_etag(case)
