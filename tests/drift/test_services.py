import datetime as dt

import pytest

from core.errors import DomainError, NotPermitted
from drift.models import DriftFlag, DriftRun
from drift.services import drift_digest_queue, drift_flag_link_escalation, drift_refresh
from notices.delivery import notice_render
from notices.models import Notice, NoticeKind
from tests.factories import (
    AllocationFactory,
    CarePlanFactory,
    ChildFactory,
    DriftFlagFactory,
    EpisodeFactory,
    IroFactory,
    ReviewFactory,
    VisitFactory,
    drift_tables_imported,
    london,
    raise_escalation,
)

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def child():
    """Looked after from Mon 1 Dec 2025, with a plan, a worker and visits: only R33-first can flag
    (due Wed 31 Dec 2025)."""
    drift_tables_imported()
    child = ChildFactory(case_id="1001")
    EpisodeFactory(child=child, start=D(2025, 12, 1))
    CarePlanFactory(child=child, start=D(2025, 12, 1))
    AllocationFactory(child=child, start=D(2025, 12, 1))
    VisitFactory(child=child, date=D(2025, 12, 20))
    return child


def open_flags(rule_prefix=""):
    flags = DriftFlag.objects.filter(cleared_on__isnull=True, rule__startswith=rule_prefix)
    return list(flags.values_list("child__case_id", "rule", "due"))


def test_a_new_flag_is_stored_with_the_day_it_was_first_seen(child):
    result = drift_refresh(as_of=D(2026, 1, 2))

    flag = DriftFlag.objects.get()
    assert (flag.rule, flag.due, flag.first_seen, flag.cleared_on) == (
        "R33-first",
        D(2025, 12, 31),
        D(2026, 1, 2),
        None,
    )
    assert (result.run.created, result.run.open, result.run.children) == (1, 1, 1)


def test_before_the_due_day_passes_nothing_is_stored(child):
    drift_refresh(as_of=D(2025, 12, 31))

    assert DriftFlag.objects.count() == 0


def test_running_twice_on_the_same_day_changes_nothing(child):
    drift_refresh(as_of=D(2026, 1, 2))
    before = list(DriftFlag.objects.values())

    result = drift_refresh(as_of=D(2026, 1, 2))

    assert list(DriftFlag.objects.values()) == before
    assert (result.run.created, result.run.cleared, result.run.updated) == (0, 0, 0)
    assert DriftRun.objects.count() == 2


def test_a_flag_still_found_the_next_day_keeps_its_first_seen(child):
    drift_refresh(as_of=D(2026, 1, 2))
    drift_refresh(as_of=D(2026, 1, 3))

    assert list(DriftFlag.objects.values_list("first_seen", "cleared_on")) == [(D(2026, 1, 2), None)]


def test_a_flag_no_longer_found_is_cleared_on_that_day(child):
    drift_refresh(as_of=D(2026, 1, 2))
    ReviewFactory(child=child, date=D(2026, 1, 5))

    result = drift_refresh(as_of=D(2026, 1, 6))

    assert list(DriftFlag.objects.values_list("first_seen", "cleared_on")) == [(D(2026, 1, 2), D(2026, 1, 6))]
    assert (result.run.cleared, result.run.open) == (1, 0)


def test_a_flag_that_comes_back_after_clearing_is_a_new_row(child):
    drift_refresh(as_of=D(2026, 1, 2))
    ReviewFactory(child=child, date=D(2026, 1, 5))
    drift_refresh(as_of=D(2026, 1, 6))

    drift_refresh(as_of=D(2026, 4, 7))  # the second review was due 5 Apr 2026

    reviews = DriftFlag.objects.filter(rule__startswith="R33").order_by("pk")
    assert list(reviews.values_list("rule", "first_seen", "cleared_on")) == [
        ("R33-first", D(2026, 1, 2), D(2026, 1, 6)),
        ("R33-second", D(2026, 4, 7), None),
    ]


def test_an_open_flag_whose_due_date_changed_is_brought_up_to_date(child):
    child.ssda903_episodes.update(reason_new_episode="P")  # the start is no longer known ...
    ReviewFactory(child=child, date=D(2025, 12, 2))
    drift_refresh(as_of=D(2026, 7, 1))  # ... so R33-later: due 2 Jun 2026
    ReviewFactory(child=child, date=D(2025, 12, 10))

    result = drift_refresh(as_of=D(2026, 7, 1))

    assert open_flags("R33") == [("1001", "R33-later", D(2026, 6, 10))]
    assert result.run.updated == 1


def test_a_refresh_before_the_last_ones_day_is_refused(child):
    drift_refresh(as_of=D(2026, 1, 6))

    with pytest.raises(DomainError, match="last refreshed as of 06/01/2026"):
        drift_refresh(as_of=D(2026, 1, 5))


def test_a_child_no_longer_looked_after_has_their_flags_cleared(child):
    drift_refresh(as_of=D(2026, 1, 2))
    child.ssda903_episodes.update(end=D(2026, 1, 3), reason_ended="E11")

    drift_refresh(as_of=D(2026, 1, 6))

    assert open_flags() == []


def test_the_run_records_the_rules_not_evaluated():
    drift_tables_imported(extract=())

    run = drift_refresh(as_of=D(2026, 1, 6)).run

    assert run.not_evaluated == ["R28-visit", "R4-care-plan", "no-allocated-worker"]


# ----------------------------------------------------------------------------- linking an escalation


def test_a_flag_is_linked_to_the_escalation_raised_from_it():
    iro = IroFactory()
    flag = DriftFlagFactory(child__iro=iro)
    escalation = raise_escalation(iro=iro, children=[flag.child])

    drift_flag_link_escalation(flag_id=flag.pk, escalation=escalation, by=iro)

    flag.refresh_from_db()
    assert flag.escalation == escalation


def test_a_flag_is_not_linked_to_an_escalation_about_other_children():
    iro = IroFactory()
    flag = DriftFlagFactory(child__iro=iro)
    escalation = raise_escalation(iro=iro, children=[ChildFactory(iro=iro)])

    with pytest.raises(DomainError, match="not about the child of the drift watch flag"):
        drift_flag_link_escalation(flag_id=flag.pk, escalation=escalation, by=iro)


def test_a_flag_of_a_child_outside_the_caseload_is_refused():
    iro = IroFactory()
    flag = DriftFlagFactory()
    escalation = raise_escalation(iro=iro, children=[ChildFactory(iro=iro)])

    with pytest.raises(NotPermitted):
        drift_flag_link_escalation(flag_id=flag.pk, escalation=escalation, by=iro)


def test_a_flag_already_linked_keeps_its_first_escalation():
    iro = IroFactory()
    flag = DriftFlagFactory(child__iro=iro)
    first = raise_escalation(iro=iro, children=[flag.child])
    second = raise_escalation(iro=iro, children=[flag.child])
    drift_flag_link_escalation(flag_id=flag.pk, escalation=first, by=iro)

    with pytest.raises(DomainError, match=f"already linked to {first.reference}"):
        drift_flag_link_escalation(flag_id=flag.pk, escalation=second, by=iro)


def test_a_flag_that_is_gone_is_an_error():
    iro = IroFactory()
    escalation = raise_escalation(iro=iro)

    with pytest.raises(DomainError, match="no longer exists"):
        drift_flag_link_escalation(flag_id=999999, escalation=escalation, by=iro)


# ----------------------------------------------------------------------------- the morning digest

FRIDAY_9AM = london(2026, 1, 2, 9, 0)  # Thursday 1 January is a bank holiday
MONDAY_9AM = london(2026, 1, 5, 9, 0)


def digests():
    return {n.recipient: n.items for n in Notice.objects.filter(kind=NoticeKind.DRIFT_DIGEST)}


def test_the_digest_tells_each_iro_how_many_new_flags_of_each_rule(child):
    drift_refresh(as_of=D(2026, 1, 2))

    drift_digest_queue(now=FRIDAY_9AM)

    assert digests() == {child.iro: [{"line": "First review: 1 child"}]}


def test_an_iro_with_nothing_new_gets_no_digest(child):
    drift_refresh(as_of=D(2026, 1, 2))

    drift_digest_queue(now=MONDAY_9AM)  # the flag was in Friday's digest

    assert digests() == {}


def test_after_a_weekend_the_digest_has_the_weekends_flags():
    drift_refresh(as_of=D(2026, 1, 5))
    iro = IroFactory()
    DriftFlagFactory(child__iro=iro, first_seen=D(2026, 1, 3))
    DriftFlagFactory(child__iro=iro, first_seen=D(2026, 1, 4))
    DriftFlagFactory(child__iro=iro, rule="R28-visit", first_seen=D(2026, 1, 5))

    drift_digest_queue(now=MONDAY_9AM)

    assert digests() == {iro: [{"line": "First review: 2 children"}, {"line": "Social worker visit: 1 child"}]}


def test_the_digest_refreshes_first_when_the_nights_run_was_missed(child):
    drift_digest_queue(now=FRIDAY_9AM)

    assert list(DriftRun.objects.values_list("as_of", flat=True)) == [D(2026, 1, 2)]
    assert child.iro in digests()


def test_the_digest_is_written_once_a_day_however_often_it_runs(child):
    drift_digest_queue(now=FRIDAY_9AM)
    drift_digest_queue(now=FRIDAY_9AM)

    assert Notice.objects.filter(kind=NoticeKind.DRIFT_DIGEST).count() == 1


def test_the_digest_email_names_no_child(child):
    child.first_name, child.last_name, child.date_of_birth = "Marigold", "Featherstonehaugh", D(2011, 4, 17)
    child.save()
    drift_digest_queue(now=FRIDAY_9AM)

    subject, body = notice_render(Notice.objects.get(kind=NoticeKind.DRIFT_DIGEST))

    text = subject + body
    assert subject == "New drift flags for children you review"
    assert "First review: 1 child" in body and "/drift/" in body
    assert [w for w in ("Marigold", "Featherstonehaugh", child.case_id, "2011", "17 April") if w in text] == []
