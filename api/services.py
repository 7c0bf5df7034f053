"""Writes for API keys: making one (shown once, stored hashed), revoking one, and recording each use."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from api.models import KeyUse, ServiceKey
from api.scopes import Scope, scope_refusal
from children.selectors import children_by_case_id
from children.services import child_bulk_upsert, sibling_groups_ensure
from core.errors import DomainError, NotPermitted
from core.formats import format_date
from people.models import Role, User
from people.selectors import iros_by_id, teams_by_name

KEY_ADMINS = (Role.ADMIN,)  # who makes and revokes keys (and the Django admin's superusers)


def _require_key_admin(by: User | None, doing: str) -> None:
    if by is not None and not (by.role in KEY_ADMINS or by.is_superuser):
        raise NotPermitted(f"Only an admin can {doing} API keys.")


def api_key_check(*, name: str, user: User | None, scope: str, expires_at: dt.datetime | None = None) -> None:
    """Refuse (``DomainError`` naming the field) a key that cannot be made: no name, an account that
    may not hold the scope (``api.scopes.scope_refusal``), or an expiry in the past."""
    name = (name or "").strip()
    if not name:
        raise DomainError("Enter a name for the key, saying who uses it and for what.", field="name")
    if len(name) > 50:
        raise DomainError(f"The key's name is {len(name)} characters long. Keep it to 50.", field="name")
    if user is None:
        raise DomainError("Choose the account the key acts as.", field="user")
    why_not = scope_refusal(scope, user)
    if why_not:
        raise DomainError(why_not, field="scope" if scope not in Scope.values else "user")
    if expires_at is not None and expires_at <= timezone.now():
        raise DomainError("The expiry date must be in the future.", field="expiry_date")


@transaction.atomic
def api_key_create(
    *, name: str, user: User, scope: str, by: User | None, expires_at: dt.datetime | None = None
) -> tuple[ServiceKey, str]:
    """Make a key for ``user`` with ``scope``. Returns the key and its secret, which is not stored
    (only its hash is) and so can be shown this once only. ``by`` is the admin (None: a command run
    by whoever runs the service)."""
    _require_key_admin(by, "make")
    api_key_check(name=name, user=user, scope=scope, expires_at=expires_at)
    key = ServiceKey(name=name.strip(), user=user, scope=scope, created_by=by, expiry_date=expires_at)
    secret = ServiceKey.objects.assign_key(key)
    key._history_user = by
    key.save()
    return key, secret


@transaction.atomic
def api_key_revoke(*, key: ServiceKey, by: User | None) -> ServiceKey:
    """Revoke a key: it stops working at once, for good (a revoked key cannot be restored)."""
    _require_key_admin(by, "revoke")
    key = ServiceKey.objects.select_for_update().get(pk=key.pk)
    if key.revoked:
        return key
    key.revoked = True
    key.revoked_at = timezone.now()
    key.revoked_by = by
    key._history_user = by
    key.save()
    return key


def api_key_use_record(
    *, key: ServiceKey, method: str, path: str, status: int, at: dt.datetime | None = None
) -> KeyUse:
    """Note one request made with ``key``. ``path`` is the path alone: a query string can carry a case ID."""
    return KeyUse.objects.create(
        key=key, at=at or timezone.now(), method=method[:10], path=path.split("?", 1)[0][:300], status=status
    )


# --- children from the case management system ----------------------------------------------------------

CHILD_FIELDS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "sex",
    "legal_status",
    "looked_after_from",
    "looked_after_to",
    "social_worker",
)


class RowsRefused(DomainError):
    """Some rows of an upsert are refused: ``problems`` maps (row index, field) to the message."""

    def __init__(self, problems: dict[tuple[int, str], str]):
        self.problems = problems
        first = next(iter(problems.items()))
        super().__init__(
            f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in the children sent, so nothing was "
            f"stored. The first: child {first[0][0]}, {first[0][1]}: {first[1]}"
        )


@transaction.atomic
def api_children_upsert(*, rows: list[dict], by: User, reason: str) -> dict:
    """Create or change children from the case management system, by case ID (``children.services.
    child_bulk_upsert``), with their allocation (IRO, team, social worker) and sibling group. A field
    not given is left as it is. All or nothing: any row refused refuses them all, with every problem
    named by its row and field (:class:`RowsRefused`)."""
    problems: dict[tuple[int, str], str] = {}
    seen: dict[str, int] = {}
    for index, row in enumerate(rows):
        if row["case_id"] in seen:
            problems[index, "case_id"] = f"The case ID is also that of child {seen[row['case_id']]} in this list."
        seen.setdefault(row["case_id"], index)
    teams = teams_by_name({row["team"] for row in rows if row.get("team")})
    iros = iros_by_id({row["iro"] for row in rows if row.get("iro")})
    stored = children_by_case_id(seen)
    values: dict[str, dict] = {}
    for index, row in enumerate(rows):
        fields = {name: row[name] for name in CHILD_FIELDS if name in row}
        for name in ("first_name", "last_name", "sex", "legal_status", "social_worker"):
            if name in fields and fields[name] is None:
                fields[name] = ""
        if row.get("team"):
            if row["team"] not in teams:
                problems[index, "team"] = f"There is no team called {row['team']!r}. An admin adds teams."
            fields["team"] = teams.get(row["team"])
        elif "team" in row:
            fields["team"] = None
        if row.get("iro"):
            if row["iro"] not in iros:
                problems[index, "iro"] = f"There is no active IRO with the id {row['iro']}."
            fields["iro"] = iros.get(row["iro"])
        elif "iro" in row:
            fields["iro"] = None
        child = stored.get(row["case_id"])
        start = fields.get("looked_after_from", child.looked_after_from if child else None)
        end = fields.get("looked_after_to", child.looked_after_to if child else None)
        if start and end and end < start:
            where = "looked_after_to" if "looked_after_to" in fields else "looked_after_from"
            problems[index, where] = (
                f"The child stopped being looked after ({format_date(end)}) before they became looked after "
                f"({format_date(start)})."
            )
        values[row["case_id"]] = fields
    if problems:
        raise RowsRefused(problems)
    groups = sibling_groups_ensure(
        names={row["sibling_group"] for row in rows if row.get("sibling_group")}, reason=reason, by=by
    )
    for row in rows:
        if "sibling_group" in row:
            values[row["case_id"]]["sibling_group"] = groups.get(row["sibling_group"]) if row["sibling_group"] else None
    done = child_bulk_upsert(values=values, reason=reason, by=by, known=stored)
    ids = children_by_case_id(seen)
    return {
        "created": done.created,
        "updated": done.updated,
        "unchanged": done.unchanged,
        "children": [{"id": ids[row["case_id"]].pk, "case_id": row["case_id"]} for row in rows],
    }
