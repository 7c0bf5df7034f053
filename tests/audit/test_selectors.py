"""The audit trail records who, when, and each field before and after."""

import datetime as dt

import pytest
from django.utils import timezone

from audit.models import AccessLogEntry
from audit.selectors import access_log_opened, access_log_page, audit_entries_for
from audit.services import access_log_record
from escalations import services
from ladder.models import Stage
from people.models import Role
from tests.factories import ChildFactory, IroFactory, ServiceManagerFactory, raise_escalation, stage, theme

pytestmark = pytest.mark.django_db


def _changed(entry):
    return {change.field: (change.before, change.after) for change in entry.changes}


def test_an_escalation_change_records_who_and_each_field_before_and_after():
    esc = raise_escalation()
    manager = esc.current_addressee
    services.escalation_first_response(escalation=esc, by=manager)
    entries = audit_entries_for(esc)
    assert entries[0].action == "created"
    assert entries[0].who == str(esc.iro)
    last = entries[-1]
    assert last.action == "changed"
    assert last.who == str(manager)
    assert _changed(last)["version"] == (1, 2)
    assert _changed(last)["first_response_at"][0] is None


def test_an_escalations_trail_leaves_out_its_kept_copies_of_other_records():
    esc = raise_escalation()
    services.escalation_respond(escalation=esc, by=esc.current_addressee, response="Plan agreed.")
    entries = audit_entries_for(esc)
    created, responded = _changed(entries[0]), _changed(entries[-1])
    assert "iro" in created and "next_due_at" in responded  # the fields themselves are shown
    for kept in ("iro_sort_key", "current_responded_at", "current_stage_order"):
        assert kept not in created and kept not in responded


def test_a_step_change_is_audited():
    esc = raise_escalation()
    step = esc.current_step
    services.escalation_respond(escalation=esc, by=step.addressee, response="Plan agreed.")
    step.refresh_from_db()
    last = audit_entries_for(step)[-1]
    assert _changed(last)["response"] == ("", "Plan agreed.")


def test_a_child_change_is_audited():
    child = ChildFactory(legal_status="V2")
    child.legal_status = "C2"
    child._history_user = ServiceManagerFactory()
    child.save()
    last = audit_entries_for(child)[-1]
    assert _changed(last) == {"legal_status": ("V2", "C2")}
    assert last.who == str(child._history_user)


def test_a_role_change_is_audited():
    user = IroFactory()
    user.role = Role.MANAGER
    user.stage = stage("team_manager")
    user.save()
    changed = _changed(audit_entries_for(user)[-1])
    assert changed["role"] == ("iro", "manager")
    assert changed["stage"] == (None, stage("team_manager").pk)


def test_a_password_is_never_copied_into_the_audit_trail():
    user = IroFactory()
    user.set_password("another-long-password")
    user.save()
    for entry in audit_entries_for(user):
        assert "password" not in {change.field for change in entry.changes}


def test_a_theme_change_is_audited():
    health = theme("health")
    health.active = False
    health.save()
    assert _changed(audit_entries_for(health)[-1]) == {"active": (True, False)}


def test_a_ladder_change_is_audited():
    hos = Stage.objects.get(code="head_of_service")
    hos.target_working_days = 5
    hos.save()
    assert _changed(audit_entries_for(hos)[-1]) == {"target_working_days": (4, 5)}


def test_the_children_of_an_escalation_are_in_its_audit_trail():
    iro = IroFactory()
    child = ChildFactory(iro=iro)
    esc = raise_escalation(iro=iro, children=[child])
    latest = esc.history.first()
    assert [row.child_id for row in latest.children.all()] == [child.pk]


# --- a child's access log, a page at a time (access_log_page) --------------------------------------


def _log(child, minutes_ago: list[float]) -> list[int]:
    """Entries of the child's log so many minutes ago; their ids, newest first."""
    now = timezone.now()
    for minutes in minutes_ago:
        access_log_record(
            user=child.iro, child=child, path=f"/children/{child.pk}/", at=now - dt.timedelta(minutes=minutes)
        )
    return list(AccessLogEntry.objects.filter(child=child).order_by("-viewed_at", "-pk").values_list("pk", flat=True))


def test_the_first_page_is_the_newest_entries_and_links_only_older():
    child = ChildFactory()
    ids = _log(child, list(range(5)))
    page = access_log_page(child=child, size=3)
    assert (page.items, page.newer_than, page.older_than) == (ids[:3], None, ids[2])


def test_an_older_page_follows_on_from_the_entry_it_pages_from():
    child = ChildFactory()
    ids = _log(child, list(range(5)))
    page = access_log_page(child=child, size=3, older_than=ids[2])
    assert (page.items, page.newer_than, page.older_than) == (ids[3:], ids[3], None)


def test_entries_at_the_same_moment_are_neither_lost_nor_shown_twice_across_pages():
    child = ChildFactory()
    ids = _log(child, [7, 7, 7, 7, 7])
    first = access_log_page(child=child, size=2)
    second = access_log_page(child=child, size=2, older_than=first.older_than)
    third = access_log_page(child=child, size=2, older_than=second.older_than)
    assert first.items + second.items + third.items == ids


def test_a_newer_page_is_the_full_page_just_newer():
    child = ChildFactory()
    ids = _log(child, list(range(7)))
    page = access_log_page(child=child, size=2, newer_than=ids[5])
    assert (page.items, page.newer_than, page.older_than) == (ids[3:5], ids[3], ids[4])


def test_a_newer_page_near_the_top_is_the_newest_page():
    child = ChildFactory()
    ids = _log(child, list(range(5)))
    page = access_log_page(child=child, size=3, newer_than=ids[2])
    assert (page.items, page.newer_than) == (ids[:3], None)


def test_an_older_page_stays_the_same_while_new_entries_are_written_at_the_top():
    child = ChildFactory()
    ids = _log(child, list(range(1, 6)))
    before = access_log_page(child=child, size=2, older_than=ids[1]).items
    _log(child, [0, 0])
    assert access_log_page(child=child, size=2, older_than=ids[1]).items == before == ids[2:4]


def test_an_entry_of_another_childs_log_gives_the_newest_page():
    child, other = ChildFactory(), ChildFactory()
    ids = _log(child, [1, 2])
    [elsewhere] = _log(other, [1.5])  # between this child's two: paging from it would give one
    assert access_log_page(child=child, size=5, older_than=elsewhere).items == ids


def _entry(child, path: str) -> AccessLogEntry:
    [entry] = access_log_record(user=child.iro, child=child, path=path)
    return entry


def test_an_entry_of_the_childs_own_page_says_so():
    child = ChildFactory()
    assert access_log_opened(_entry(child, f"/children/{child.pk}/")) == "The child’s page"


def test_an_entry_of_a_brother_or_sisters_page_says_it_showed_them():
    child, sibling = ChildFactory(), ChildFactory()
    assert access_log_opened(_entry(child, f"/children/{sibling.pk}/")) == "A page that showed them"


def test_an_entry_of_a_page_since_removed_says_it_showed_them():
    child = ChildFactory()
    assert access_log_opened(_entry(child, "/no-such-page/")) == "A page that showed them"


def test_an_entry_made_under_a_script_prefix_is_named_by_its_page(monkeypatch):
    child = ChildFactory()
    entry = _entry(child, f"/iro/children/{child.pk}/")
    monkeypatch.setattr("audit.selectors.get_script_prefix", lambda: "/iro/")
    assert access_log_opened(entry) == "The child’s page"
