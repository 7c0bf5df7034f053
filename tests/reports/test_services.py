"""Writes for the committee report."""

import datetime as dt
import io
import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from background.models import WorkerHeartbeat
from core.errors import DomainError, NotPermitted
from escalations import services as escalation_services
from escalations.models import Escalation
from people.models import Role
from reports import identifiers, services
from reports.changes import report_changes
from reports.identifiers import report_check_stories, story_subject
from reports.models import CaseStory, IssuedReport, IssueJob, OverrideStatus, ReportSnapshot, TextOverride
from reports.outputs import report_document, report_page_made
from reports.paper import paper_content, paper_or_default, paper_section
from reports.periods import Period
from reports.selectors import issue_job_state, report_build
from tests.factories import (
    ChildFactory,
    IroFactory,
    ManagerFactory,
    ServiceManagerFactory,
    UserFactory,
    london,
    outcome,
    raise_escalation,
    reseed_vocabularies,
    stage,
    theme,
)
from tests.reports.helpers import admin, service_manager

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("every_number_shown")]


# --- case stories --------------------------------------------------------------------------------


RAISED_AT = london(2015, 5, 12, 10, 0)


def _escalation(*, first_name="Amara", raised_at=RAISED_AT):
    """An escalation whose people have names that appear in no drafted story (unless asked)."""
    iro = IroFactory(first_name="Wendell", last_name="Pryce")
    child = ChildFactory(first_name=first_name, last_name="Lindqvist", date_of_birth=dt.date(2012, 1, 1), iro=iro)
    return raise_escalation(
        iro=iro,
        children=[child],
        addressee=ManagerFactory(first_name="Tomasz", last_name="Brennan", stage=stage("team_manager")),
        raised_at=raised_at,
    )


def _story(**kwargs):
    return services.story_include(escalation=_escalation(**kwargs), by=service_manager())


def _problems(story):
    story.refresh_from_db()
    return report_check_stories([story])[story.pk]


def test_include_drafts_the_story():
    esc = _escalation()
    story = services.story_include(escalation=esc, by=ServiceManagerFactory())
    assert story.include_in_report
    assert story.text == story.drafted_text
    assert story.text.startswith("May 2015: the IRO contacted the team manager about a child under 5.")


def test_include_records_who_in_the_history():
    manager = ServiceManagerFactory()
    story = services.story_include(escalation=_escalation(), by=manager)
    assert story.updated_by == manager
    assert story.history.first().history_user == manager


def test_include_again_keeps_the_edited_text():
    manager = ServiceManagerFactory()
    story = _story()
    services.story_update(story=story, by=manager, text="An edited story.")
    services.story_exclude(story=story, by=manager)
    story = services.story_include(escalation=story.escalation, by=manager)
    assert story.include_in_report
    assert story.text == "An edited story."


def test_include_again_redrafts_an_unedited_story():
    manager = ServiceManagerFactory()
    story = _story()
    esc = story.escalation
    esc = escalation_services.escalation_resolve(
        escalation=esc,
        by=esc.iro,
        outcome=outcome("resolved"),
        at=london(2015, 6, 1, 9, 0),
        reason="The plan was agreed.",
    )
    story = services.story_include(escalation=esc, by=manager)
    assert story.text.endswith("The escalation was resolved.")
    assert CaseStory.objects.count() == 1


def test_exclude_leaves_the_story_out():
    story = services.story_exclude(story=_story(), by=ServiceManagerFactory())
    assert not CaseStory.objects.get(pk=story.pk).include_in_report


def test_update_replaces_the_text():
    manager = ServiceManagerFactory()
    story = services.story_update(story=_story(), by=manager, text="  May 2015: a shorter story.  ")
    story.refresh_from_db()
    assert story.text == "May 2015: a shorter story."
    assert story.updated_by == manager


def test_update_refuses_empty_text():
    story = _story()
    with pytest.raises(DomainError) as refused:
        services.story_update(story=story, by=ServiceManagerFactory(), text="   ")
    assert refused.value.field == "text"
    story.refresh_from_db()
    assert story.text == story.drafted_text


@pytest.mark.parametrize("role", [Role.IRO, Role.MANAGER, Role.REPORT_VIEWER])
def test_only_the_service_manager_or_an_admin_may_include(role):
    by = ManagerFactory() if role == Role.MANAGER else UserFactory(role=role)
    with pytest.raises(NotPermitted):
        services.story_include(escalation=_escalation(), by=by)
    assert not CaseStory.objects.exists()


def test_an_admin_may_include():
    assert services.story_include(escalation=_escalation(), by=UserFactory(role=Role.ADMIN)).include_in_report


@pytest.mark.parametrize(
    "call",
    [
        lambda story, by: services.story_exclude(story=story, by=by),
        lambda story, by: services.story_update(story=story, by=by, text="New text."),
        lambda story, by: services.override_request(
            subject=story_subject(story.pk), by=by, term="May", reason="The month."
        ),
    ],
    ids=["exclude", "update", "override"],
)
def test_an_iro_may_not_change_a_story(call):
    story = _story(first_name="May")
    with pytest.raises(NotPermitted):
        call(story, IroFactory())
    story.refresh_from_db()
    assert story.include_in_report and story.text == story.drafted_text and not TextOverride.objects.exists()


def test_a_child_called_may_flags_the_month():
    story = _story(first_name="May")
    assert [(p.kind, p.term) for p in _problems(story)] == [(identifiers.NAME, "May")]


def _ask(story, by, term="May", reason="May is the month here."):
    return services.override_request(subject=story_subject(story.pk), term=term, reason=reason, by=by)


def test_an_approved_override_lets_the_story_pass():
    story = _story(first_name="May")
    override = _ask(story, service_manager(), term="may")
    assert [p.term for p in _problems(story)] == ["May"]  # asked for: not yet
    services.override_decide(override=override, by=service_manager(), approve=True)
    assert _problems(story) == []


def test_an_admin_may_approve_an_override():
    story = _story(first_name="May")
    override = _ask(story, service_manager())
    services.override_decide(override=override, by=admin(), approve=True)
    assert _problems(story) == []


def test_nobody_approves_their_own_override():
    manager = service_manager()
    override = _ask(_story(first_name="May"), manager)
    with pytest.raises(DomainError, match="someone else must decide it"):
        services.override_decide(override=override, by=manager, approve=True)
    override.refresh_from_db()
    assert override.status == OverrideStatus.PENDING


@pytest.mark.parametrize("role", [Role.IRO, Role.REPORT_VIEWER])
def test_only_a_service_manager_or_an_admin_approves(role):
    override = _ask(_story(first_name="May"), service_manager())
    with pytest.raises(NotPermitted):
        services.override_decide(override=override, by=UserFactory(role=role), approve=True)


def test_a_refused_override_lets_nothing_through():
    story = _story(first_name="May")
    override = _ask(story, service_manager())
    services.override_decide(override=override, by=service_manager(), approve=False)
    assert [p.term for p in _problems(story)] == ["May"]
    override.refresh_from_db()
    assert override.status == OverrideStatus.REFUSED


def test_the_request_and_the_approval_are_both_audited():
    asker, approver = service_manager(), service_manager()
    override = _ask(_story(first_name="May"), asker)
    services.override_decide(override=override, by=approver, approve=True)
    entries = list(override.history.order_by("history_id"))
    assert [(e.history_type, e.history_user, e.status) for e in entries] == [
        ("+", asker, OverrideStatus.PENDING),
        ("~", approver, OverrideStatus.APPROVED),
    ]
    assert (entries[0].term, entries[0].kind, entries[0].reason) == ("May", identifiers.NAME, "May is the month here.")
    assert (entries[1].requested_by, entries[1].decided_by) == (asker, approver)


def test_a_full_name_can_never_be_overridden():
    story = _story(first_name="May")
    child = story.escalation.children.get()
    manager = service_manager()
    services.story_update(story=story, by=manager, text=f"{child.first_name} {child.last_name} waited.")
    with pytest.raises(DomainError, match="cannot be overridden") as refused:
        _ask(story, manager, term=f"{child.first_name} {child.last_name}")
    assert refused.value.field == "term"
    assert not TextOverride.objects.exists()


def test_a_surname_can_never_be_overridden():
    story = _story(first_name="May")
    manager = service_manager()
    services.story_update(story=story, by=manager, text="The Lindqvist family moved.")
    with pytest.raises(DomainError, match="cannot be overridden"):
        _ask(story, manager, term="Lindqvist")
    assert not TextOverride.objects.exists()


def test_an_approval_no_longer_counts_once_the_text_is_edited():
    manager = service_manager()
    story = _story(first_name="May")
    override = _ask(story, manager)
    services.override_decide(override=override, by=service_manager(), approve=True)
    services.story_update(story=story, by=manager, text=story.text + " May's plan is now in place.")
    assert [p.term for p in _problems(story)] == ["May"]


def test_a_text_edited_after_the_request_cannot_be_approved():
    manager = service_manager()
    story = _story(first_name="May")
    override = _ask(story, manager)
    services.story_update(story=story, by=manager, text=story.text + " Later.")
    with pytest.raises(DomainError, match="changed since the override was asked for"):
        services.override_decide(override=override, by=service_manager(), approve=True)


def test_an_override_needs_a_reason():
    story = _story(first_name="May")
    with pytest.raises(DomainError) as refused:
        _ask(story, service_manager(), reason=" ")
    assert refused.value.field == "reason"
    assert not TextOverride.objects.exists()


def test_an_override_only_for_a_word_the_check_flags():
    story = _story(first_name="May")
    with pytest.raises(DomainError) as refused:
        _ask(story, service_manager(), term="manager", reason="Not a name.")
    assert refused.value.field == "term"
    assert not TextOverride.objects.exists()


def test_an_override_is_asked_for_once_for_the_same_text():
    manager = service_manager()
    story = _story(first_name="May")
    _ask(story, manager)
    with pytest.raises(DomainError, match="already been asked for"):
        _ask(story, manager, reason="The month again.")
    assert TextOverride.objects.count() == 1


# --- issued reports ------------------------------------------------------------------------------


def _issue_setup():
    esc = raise_escalation(raised_at=london(2015, 6, 1, 10, 0), themes=[theme("health")])
    return esc


def test_issuing_freezes_the_json_and_every_file():
    _issue_setup()
    manager = ServiceManagerFactory()
    period = Period.financial_year("2015-16")
    issued, _ = services.report_issue(period=period, by=manager)
    assert issued.version == 1
    assert issued.issued_by == manager
    assert issued.data == report_document(period=period)
    assert bytes(issued.pdf).startswith(b"%PDF")
    assert bytes(issued.docx).startswith(b"PK") and bytes(issued.xlsx).startswith(b"PK")
    assert "Health issues" in issued.html


def test_an_issued_report_is_unchanged_after_the_records_are_edited():
    esc = _issue_setup()
    period = Period.financial_year("2015-16")
    issued, _ = services.report_issue(period=period, by=ServiceManagerFactory())
    pdf_before, data_before = bytes(issued.pdf), issued.data
    escalation_services.escalation_resolve(
        escalation=esc,
        by=esc.iro,
        outcome=outcome("resolved"),
        at=london(2015, 6, 3, 10, 0),
        reason="The plan was agreed.",
    )
    raise_escalation(raised_at=london(2015, 7, 1, 10, 0))
    stored = IssuedReport.objects.get(pk=issued.pk)
    assert stored.data == data_before
    assert bytes(stored.pdf) == pdf_before
    changes = {
        change.path: (change.issued, change.now) for change in report_changes(stored.data, report_build(period=period))
    }
    assert changes["escalations"] == (1, 2)
    assert changes["outcomes[resolved].escalations"] == (0, 1)


def test_issuing_again_makes_the_next_version():
    _issue_setup()
    period = Period.financial_year("2015-16")
    manager = ServiceManagerFactory()
    services.report_issue(period=period, by=manager)
    assert services.report_issue(period=period, by=manager)[0].version == 2


def test_only_the_service_manager_or_an_admin_can_issue():
    with pytest.raises(NotPermitted):
        services.report_issue(period=Period.financial_year("2015-16"), by=UserFactory(role=Role.REPORT_VIEWER))


# --- issuing: once per confirmation ---------------------------------------------------------------


def test_a_second_submit_of_the_confirmation_issues_nothing_new():
    _issue_setup()
    period = Period.financial_year("2015-16")
    manager = ServiceManagerFactory()
    first, created = services.report_issue(period=period, by=manager, expected_version=1)
    again, created_again = services.report_issue(period=period, by=manager, expected_version=1)
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert IssuedReport.objects.count() == 1


def test_confirming_the_next_version_issues_it():
    _issue_setup()
    period = Period.financial_year("2015-16")
    manager = ServiceManagerFactory()
    services.report_issue(period=period, by=manager, expected_version=1)
    second, created = services.report_issue(period=period, by=manager, expected_version=2)
    assert (second.version, created) == (2, True)


def test_issuing_keeps_each_escalations_facts_for_what_changed_since():
    esc = _issue_setup()
    issued, _ = services.report_issue(period=Period.financial_year("2015-16"), by=ServiceManagerFactory())
    assert issued.escalations == {
        esc.reference: {
            "outcome": "open",
            "closed_on": None,
            "highest_stage": "Team manager",
            "themes": ["Health issues"],
            "children": 1,
            "first_response": False,
            "cafcass": False,
        }
    }


def test_a_stale_number_blocks_issuing():
    _issue_setup()
    period = Period.financial_year("2015-16")
    manager = ServiceManagerFactory()
    services.paper_section_save(period=period, by=manager, key="key_issues", text="During 2015-16 there was 1.")
    raise_escalation(raised_at=london(2015, 7, 1, 10, 0))
    with pytest.raises(DomainError, match="'Key issues for consideration' states figures the records no longer match"):
        services.report_issue(period=period, by=manager, expected_version=1)
    assert not IssuedReport.objects.exists()


def test_a_name_in_the_paper_blocks_issuing():
    child = ChildFactory(first_name="Kayden", last_name="Okafor")
    raise_escalation(iro=child.iro, children=[child], raised_at=london(2015, 6, 1, 10, 0))
    period = Period.financial_year("2015-16")
    manager = ServiceManagerFactory()
    services.paper_section_save(period=period, by=manager, key="background", text="Kayden Okafor's plan drifted.")
    with pytest.raises(DomainError, match="full name 'Kayden Okafor'"):
        services.report_issue(period=period, by=manager, expected_version=1)
    assert not IssuedReport.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks across connections need PostgreSQL")
def test_two_submits_at_once_issue_one_version():
    reseed_vocabularies()
    _issue_setup()
    period = Period.financial_year("2015-16")
    manager = ServiceManagerFactory()
    barrier, results = threading.Barrier(2), []

    def issue():
        try:
            barrier.wait(timeout=10)
            results.append(services.report_issue(period=period, by=manager, expected_version=1)[1])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == [False, True]
    assert IssuedReport.objects.filter(period_start=period.start).count() == 1


# --- the paper's sections ---------------------------------------------------------------------------


def _year_with(n: int):
    for i in range(n):
        raise_escalation(raised_at=london(2015, 6, 1 + i, 10, 0), themes=[theme("health")])


def _state(key):
    period = Period.financial_year("2015-16")
    return paper_section(paper_or_default(period), report_build(period=period), key)


def test_an_unsaved_drafted_section_follows_the_records():
    _year_with(2)
    assert "there were 2 recorded representations" in _state("key_issues").text
    raise_escalation(raised_at=london(2015, 7, 1, 10, 0))
    state = _state("key_issues")
    assert "there were 3 recorded representations" in state.text
    assert (state.saved, state.stale) == (False, [])


def test_a_saved_section_is_flagged_when_its_numbers_no_longer_match():
    _year_with(2)
    period = Period.financial_year("2015-16")
    services.paper_section_save(
        period=period, by=ServiceManagerFactory(), key="key_issues", text=_state("key_issues").text + " Edited."
    )
    assert _state("key_issues").stale == []
    raise_escalation(raised_at=london(2015, 7, 1, 10, 0))
    assert "escalations: 2 when written, 3 now" in _state("key_issues").stale


def test_the_figures_the_page_showed_are_kept_even_if_the_records_changed_before_saving():
    _year_with(2)
    period = Period.financial_year("2015-16")
    shown = _state("key_issues")
    raise_escalation(raised_at=london(2015, 7, 1, 10, 0))  # while the page was open
    services.paper_section_save(
        period=period, by=ServiceManagerFactory(), key="key_issues", text=shown.text, figures_shown=shown.figures
    )
    assert "escalations: 2 when written, 3 now" in _state("key_issues").stale


def test_redrafting_a_section_brings_its_numbers_up_to_date():
    _year_with(2)
    period = Period.financial_year("2015-16")
    manager = ServiceManagerFactory()
    services.paper_section_save(period=period, by=manager, key="key_issues", text="Two escalations.")
    raise_escalation(raised_at=london(2015, 7, 1, 10, 0))
    services.paper_section_redraft(period=period, by=manager, key="key_issues")
    state = _state("key_issues")
    assert (state.stale, "there were 3 recorded" in state.text) == ([], True)


def test_confirming_the_numbers_clears_the_flag_and_is_audited():
    _year_with(2)
    period = Period.financial_year("2015-16")
    manager = ServiceManagerFactory()
    section = services.paper_section_save(period=period, by=manager, key="key_issues", text="Three escalations.")
    raise_escalation(raised_at=london(2015, 7, 1, 10, 0))
    services.paper_section_confirm(period=period, by=manager, key="key_issues")
    assert _state("key_issues").stale == []
    assert section.history.first().history_user == manager


def test_theme_commentary_is_a_section_of_its_own():
    _year_with(1)
    period = Period.financial_year("2015-16")
    services.paper_section_save(
        period=period, by=ServiceManagerFactory(), key="theme:health", text="Mostly about health assessments."
    )
    content, _ = paper_content(period, report_build(period=period))
    assert content["paper"]["theme_commentary"] == {"health": "Mostly about health assessments."}


def test_an_unknown_section_is_refused():
    with pytest.raises(DomainError, match="no section"):
        services.paper_section_save(
            period=Period.financial_year("2015-16"), by=ServiceManagerFactory(), key="theme:nonsense", text="x"
        )


def test_the_recommendations_cannot_be_empty():
    with pytest.raises(DomainError) as refused:
        services.paper_section_save(
            period=Period.financial_year("2015-16"), by=ServiceManagerFactory(), key="recommendations", text=" "
        )
    assert refused.value.field == "text"


def test_the_cover_takes_a_meeting_from_the_settings_only(settings):
    settings.REPORT_MEETING_NAMES = ["Corporate Parenting Committee", "Corporate Parenting Board"]
    period = Period.financial_year("2015-16")
    cover = dict(
        item_number="11",
        meeting_date=dt.date(2017, 3, 1),
        title="IRO escalations",
        wards="All",
        version_label="Final",
        dated=None,
        key_decision=False,
        sent_to_constitutional_officer=None,
    )
    paper = services.paper_cover_update(
        period=period, by=ServiceManagerFactory(), meeting_name="Corporate Parenting Board", **cover
    )
    assert (paper.meeting_name, paper.item_number) == ("Corporate Parenting Board", "11")
    with pytest.raises(DomainError) as refused:
        services.paper_cover_update(period=period, by=ServiceManagerFactory(), meeting_name="Cabinet", **cover)
    assert refused.value.field == "meeting_name"


def test_empty_document_rows_are_dropped():
    paper = services.paper_documents_update(
        period=Period.financial_year("2015-16"),
        by=ServiceManagerFactory(),
        background_documents=[{"title": "IRO annual report", "held_at": "Civic offices", "contact": ""}, {}],
        appendices=[{"title": ""}],
        consultation=[{"officer": "Director of Law", "sought": True, "included": False}, {"officer": " "}],
    )
    assert paper.background_documents == [{"title": "IRO annual report", "held_at": "Civic offices", "contact": ""}]
    assert paper.appendices == []
    assert paper.consultation == [{"officer": "Director of Law", "sought": True, "included": False}]


# --- report settings ----------------------------------------------------------------------------------


def test_the_report_settings_are_changed_and_audited():
    manager = ServiceManagerFactory()
    settings = services.report_settings_update(
        by=manager, classification="closed", suppress_small_numbers=False, small_number_threshold=10
    )
    assert (settings.classification, settings.suppress_small_numbers, settings.small_number_threshold) == (
        "closed",
        False,
        10,
    )
    assert settings.history.first().history_user == manager


@pytest.mark.parametrize("threshold", [0, 1, 51])
def test_a_threshold_out_of_range_is_refused(threshold):
    with pytest.raises(DomainError) as refused:
        services.report_settings_update(
            by=ServiceManagerFactory(),
            classification="open",
            suppress_small_numbers=True,
            small_number_threshold=threshold,
        )
    assert refused.value.field == "small_number_threshold"


def test_a_report_viewer_cannot_change_the_settings():
    with pytest.raises(NotPermitted):
        services.report_settings_update(
            by=UserFactory(role=Role.REPORT_VIEWER),
            classification="open",
            suppress_small_numbers=False,
            small_number_threshold=5,
        )


def test_an_issue_job_that_is_refused_says_why_and_issues_nothing():
    manager = ServiceManagerFactory()
    job = IssueJob.objects.create(
        period_start=dt.date(2015, 4, 1), period_end=dt.date(2016, 3, 31), expected_version=1, requested_by=manager
    )
    IssueJob.objects.filter(pk=job.pk).update(requested_by=IroFactory())  # someone who may not issue
    job = services.report_issue_job_run(job_id=job.pk)
    assert (job.status, IssuedReport.objects.count()) == ("failed", 0)
    assert "Only the IRO service manager or an admin can issue" in job.problem


def test_an_issue_job_whose_worker_stopped_is_shown_as_stopped_and_can_be_asked_again():
    manager = ServiceManagerFactory()
    job = IssueJob.objects.create(
        period_start=dt.date(2015, 4, 1),
        period_end=dt.date(2016, 3, 31),
        expected_version=1,
        requested_by=manager,
        status="running",
        worker_id="gone",
        started_at=timezone.now() - dt.timedelta(minutes=5),
    )
    assert issue_job_state(job).stalled
    again = services.report_issue_job_retry(job=job, by=manager)
    job.refresh_from_db()
    again.refresh_from_db()
    assert (job.status, again.status, again.pk != job.pk) == ("failed", "done", True)


# --- the report page's figures, made on the background worker --------------------------------------

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="the data version is PostgreSQL's")
A_YEAR = Period.financial_year("2015-16")


@pytest.fixture
def committed(transactional_db, settings):
    """Committed records (the data version counts only committed writes) and a real task queue."""
    reseed_vocabularies()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    raise_escalation(raised_at=RAISED_AT)


@pytest.fixture
def made(monkeypatch):
    """Counts the report pages made (``reports.outputs.report_page_made``)."""
    calls = []
    real = services.report_page_made
    monkeypatch.setattr(services, "report_page_made", lambda **kw: calls.append(kw) or real(**kw))
    return calls


def _worker_alive():
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="w1", started_at=now, beat_at=now)


def _as_the_records_are(page) -> bool:
    return page.content == report_page_made(period=A_YEAR)


def _another_escalation():
    """A write to the figures alone: another escalation by the same people about the same child (new
    people or children would change what the identifier check reads)."""
    first = Escalation.objects.select_related("iro", "current_addressee").get()
    raise_escalation(
        iro=first.iro, children=list(first.children.all()), addressee=first.current_addressee, raised_at=RAISED_AT
    )


def _stale_with_a_worker():
    """A stored page, then a write: the next view may show it while the worker makes a new one."""
    _worker_alive()
    before = services.report_page_content(period=A_YEAR)
    _another_escalation()
    return before


@on_postgres
@pytest.mark.usefixtures("committed")
def test_the_report_page_is_made_once_and_then_read_back(made):
    first = services.report_page_content(period=A_YEAR)
    again = services.report_page_content(period=A_YEAR)
    assert len(made) == 1
    assert again.content == first.content and again.made_at == first.made_at
    assert (again.remaking, ReportSnapshot.objects.count()) == (False, 1)


@on_postgres
@pytest.mark.usefixtures("committed")
def test_after_a_write_the_page_shows_the_figures_it_had_and_asks_the_worker_once(made):
    before = _stale_with_a_worker()
    after = services.report_page_content(period=A_YEAR)
    services.report_page_content(period=A_YEAR)
    assert len(made) == 1
    assert (after.content, after.made_at, after.remaking) == (before.content, before.made_at, True)
    asked = DBTaskResult.objects.get()
    assert (asked.task_path, asked.args_kwargs["args"]) == (
        "reports.tasks.make_report_page",
        ["2015-04-01", "2016-03-31"],
    )


@on_postgres
@pytest.mark.usefixtures("committed")
def test_the_worker_makes_the_figures_again_from_the_records_as_they_are():
    before = _stale_with_a_worker()
    services.report_page_content(period=A_YEAR)
    call_command("run_worker", "--batch", stdout=io.StringIO())
    after = services.report_page_content(period=A_YEAR)
    assert after.content != before.content and _as_the_records_are(after)
    assert after.remaking is False
    assert ReportSnapshot.objects.get().wanted_at is None
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


@on_postgres
@pytest.mark.usefixtures("committed")
def test_the_worker_makes_nothing_when_a_page_made_the_figures_first(made):
    _stale_with_a_worker()
    services.report_page_content(period=A_YEAR)  # asks the worker
    ReportSnapshot.objects.update(wanted_at=timezone.now() - services.REMADE_WITHIN)
    services.report_page_content(period=A_YEAR)  # waited too long: made here
    call_command("run_worker", "--batch", stdout=io.StringIO())
    assert len(made) == 2
    assert DBTaskResult.objects.get().return_value == "made already"


@on_postgres
@pytest.mark.usefixtures("committed")
def test_with_no_worker_running_the_page_makes_the_figures_itself(made):
    services.report_page_content(period=A_YEAR)
    _another_escalation()
    after = services.report_page_content(period=A_YEAR)
    assert len(made) == 2
    assert _as_the_records_are(after)
    assert (after.remaking, DBTaskResult.objects.count()) == (False, 0)


@on_postgres
@pytest.mark.usefixtures("committed")
def test_a_page_whose_worker_has_not_answered_in_time_makes_the_figures_itself(made):
    _stale_with_a_worker()
    services.report_page_content(period=A_YEAR)  # asks the worker, which never answers
    ReportSnapshot.objects.update(wanted_at=timezone.now() - services.REMADE_WITHIN)
    after = services.report_page_content(period=A_YEAR)
    assert len(made) == 2
    assert _as_the_records_are(after) and not after.remaking
    assert ReportSnapshot.objects.get().wanted_at is None


@on_postgres
@pytest.mark.usefixtures("committed")
def test_figures_over_a_minute_old_are_shown_while_the_worker_makes_them_again(made):
    _worker_alive()
    services.report_page_content(period=A_YEAR)
    ReportSnapshot.objects.update(made_at=timezone.now() - services.SNAPSHOT_FRESH_FOR)
    page = services.report_page_content(period=A_YEAR)
    assert (len(made), page.remaking, DBTaskResult.objects.count()) == (1, True, 1)


@on_postgres
@pytest.mark.usefixtures("committed")
def test_the_worker_makes_again_figures_old_only_by_the_clock():
    _worker_alive()
    services.report_page_content(period=A_YEAR)
    old = timezone.now() - services.SNAPSHOT_FRESH_FOR
    ReportSnapshot.objects.update(made_at=old)
    services.report_page_content(period=A_YEAR)  # asks the worker
    call_command("run_worker", "--batch", stdout=io.StringIO())
    stored = ReportSnapshot.objects.get()
    assert stored.made_at > old and stored.wanted_at is None
    assert services.report_page_content(period=A_YEAR).remaking is False


@on_postgres
@pytest.mark.usefixtures("committed")
def test_figures_too_old_to_show_are_made_by_the_page_itself(made):
    _stale_with_a_worker()
    ReportSnapshot.objects.update(made_at=timezone.now() - services.STALE_SHOWN_FOR)
    page = services.report_page_content(period=A_YEAR)
    assert (len(made), page.remaking) == (2, False) and _as_the_records_are(page)


@on_postgres
@pytest.mark.usefixtures("committed")
def test_a_story_taken_out_is_never_shown_from_before(made):
    escalation = Escalation.objects.get()
    story = services.story_include(escalation=escalation, by=service_manager())
    services.story_update(story=story, by=service_manager(), text="The plan drifted for months before anyone acted.")
    _worker_alive()
    with_story = services.report_page_content(period=A_YEAR)
    services.story_exclude(story=story, by=service_manager())
    page = services.report_page_content(period=A_YEAR)
    assert "The plan drifted for months" in with_story.report_html
    assert "The plan drifted for months" not in page.report_html
    assert (len(made), page.remaking) == (2, False)


@on_postgres
@pytest.mark.usefixtures("committed")
def test_a_new_child_named_in_an_old_story_is_never_shown_from_before(made):
    escalation = Escalation.objects.get()
    story = services.story_include(escalation=escalation, by=service_manager())
    services.story_update(story=story, by=service_manager(), text="Marigold placements were reviewed late.")
    _worker_alive()
    services.report_page_content(period=A_YEAR)
    ChildFactory(first_name="Marigold")
    page = services.report_page_content(period=A_YEAR)
    assert page.blocked and "Marigold" in page.blocked
    assert (len(made), page.remaking) == (2, False)


@on_postgres
@pytest.mark.usefixtures("committed")
def test_a_refusal_of_the_identifier_check_is_never_stored(made):
    services.report_page_content(period=A_YEAR)
    escalation = Escalation.objects.get()
    story = services.story_include(escalation=escalation, by=service_manager())
    name = escalation.children.get().first_name
    services.story_update(story=story, by=service_manager(), text=f"{name} moved.")
    first = services.report_page_content(period=A_YEAR)
    again = services.report_page_content(period=A_YEAR)
    assert first.blocked and name in first.blocked and again.blocked
    assert (len(made), ReportSnapshot.objects.count()) == (3, 0)


@on_postgres
@pytest.mark.usefixtures("committed")
def test_a_page_made_earlier_never_replaces_one_made_later(monkeypatch):
    later = services.report_snapshot_make(period=A_YEAR, version="e:2")
    made_at = later.made_at - dt.timedelta(seconds=5)
    monkeypatch.setattr(services.timezone, "now", lambda: made_at)
    services.report_snapshot_make(period=A_YEAR, version="e:1")
    stored = ReportSnapshot.objects.get()
    assert (stored.version, stored.made_at) == ("e:2", later.made_at)


@on_postgres
@pytest.mark.usefixtures("committed")
def test_a_page_stored_in_another_layout_is_made_again(made):
    services.report_page_content(period=A_YEAR)
    ReportSnapshot.objects.update(content_format=services.SNAPSHOT_FORMAT - 1, content={"old": "layout"})
    page = services.report_page_content(period=A_YEAR)
    assert len(made) == 2 and _as_the_records_are(page)


def test_without_a_data_version_the_page_is_made_every_time_and_nothing_kept(made):
    raise_escalation(raised_at=RAISED_AT)  # inside this test's transaction: no data version on either database
    first = services.report_page_content(period=A_YEAR)
    services.report_page_content(period=A_YEAR)
    assert (len(made), first.remaking, ReportSnapshot.objects.count()) == (2, False, 0)


def test_the_report_pages_too_old_to_show_are_pruned():
    now = timezone.now()
    for start, made_at in ((2014, now - services.STALE_SHOWN_FOR), (2015, now - dt.timedelta(minutes=9))):
        ReportSnapshot.objects.create(
            period_start=dt.date(start, 4, 1),
            period_end=dt.date(start + 1, 3, 31),
            version="e:1",
            inputs="",
            content_format=services.SNAPSHOT_FORMAT,
            made_at=made_at,
            content={},
        )
    assert services.report_snapshots_prune() == 1
    assert list(ReportSnapshot.objects.values_list("period_start__year", flat=True)) == [2015]
