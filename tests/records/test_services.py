"""Records management's writes: the retention run (with its tombstones and the dry run it follows),
legal holds, erasure on request with a second admin's approval, the schedule's rules and exports."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone

from audit.models import AccessLogEntry
from audit.services import access_log_record
from children.models import Child
from core.errors import DomainError, NotPermitted
from drift.models import DriftFlag
from escalations.models import Escalation, Note, Step
from escalations.services import escalation_withdraw
from extract.models import Visit
from imports.models import ImportJob
from people.models import Role
from records.classes import RecordClass
from records.models import ErasureStatus, ExportStatus, LegalHold, RetentionRun, SubjectAccessExport, Tombstone
from records.selectors import retention_plan, retention_rule
from records.services import (
    erasure_decide,
    erasure_request,
    export_download,
    export_start,
    exports_expire,
    legal_hold_lift,
    legal_hold_place,
    retention_rule_update,
    retention_run,
)
from reports.models import CaseStory, IssuedReport, IssueJob, ReportSnapshot
from ssda903.models import Episode
from tests.factories import ChildFactory, EpisodeFactory, ManagerFactory, UserFactory, raise_escalation
from tests.records.helpers import ALONE_CONCERN, SHARED_CONCERN, family

pytestmark = pytest.mark.django_db

LATER = timezone.localdate() + dt.timedelta(days=7 * 366)  # every rule's time is up for today's records


@pytest.fixture(autouse=True)
def _schedule_only(settings):
    """The schedule's own periods (the children's 75th birthdays are decades away); one test puts it back."""
    settings.RECORDS_CASE_RECORD_UNTIL_AGE = 0


def _admin(**kwargs):
    return UserFactory(role=Role.ADMIN, **kwargs)


def _user(role):
    return ManagerFactory() if role == Role.MANAGER else UserFactory(role=role)


def _tombstones(run) -> dict[str, set[tuple[str, int]]]:
    found: dict[str, set[tuple[str, int]]] = {}
    for stone in Tombstone.objects.filter(run=run):
        found.setdefault(stone.record_class, set()).add((stone.model, stone.object_id))
    return found


# --- the retention run --------------------------------------------------------------------------


def test_an_escalation_past_its_date_goes_with_its_steps_notes_story_and_audit_rows():
    world = family()
    alone, step_ids = world.alone, list(world.alone.steps.values_list("pk", flat=True))
    assert Escalation.history.filter(id=alone.pk).exists() and CaseStory.objects.filter(escalation=alone).exists()

    run = retention_run(as_of=LATER)

    assert not Escalation.objects.filter(pk=alone.pk).exists()
    assert not Escalation.history.filter(id=alone.pk).exists()
    assert not Step.objects.filter(pk__in=step_ids).exists()
    assert not Step.history.filter(id__in=step_ids).exists()
    assert not CaseStory.objects.filter(escalation_id=alone.pk).exists()
    assert not CaseStory.history.filter(escalation_id=alone.pk).exists()
    stone = Tombstone.objects.get(run=run, model="escalations.escalation", object_id=alone.pk)
    assert stone.action == "deleted"
    assert stone.rule == "Escalations: 6 years after it was closed, then delete"
    assert stone.parts["escalations.step"] == len(step_ids)
    assert stone.parts["escalations.historicalescalation"] >= 2
    assert stone.parts["reports.casestory"] == 1
    # the open escalations are not due
    assert Escalation.objects.filter(pk__in=[world.shared.pk, world.ben_only.pk]).count() == 2


def _stored_report_page() -> ReportSnapshot:
    """A report page as the report stored it (reports.services.report_snapshot_make), naming a story."""
    return ReportSnapshot.objects.create(
        period_start=dt.date(2015, 4, 1),
        period_end=dt.date(2016, 3, 31),
        version="e:1",
        inputs="",
        content_format=1,
        made_at=timezone.now(),
        content={"report_html": "<p>Adaeze's story</p>", "changes_since": None, "changes": None},
    )


def test_a_run_that_deletes_records_takes_every_stored_report_page_with_it():
    family()
    _stored_report_page()
    retention_run(as_of=LATER)
    assert not ReportSnapshot.objects.exists()


def test_a_run_with_nothing_due_keeps_the_stored_report_pages():
    family()
    _stored_report_page()
    retention_run()
    assert ReportSnapshot.objects.count() == 1


def test_a_tombstone_says_what_went_and_under_which_rule_never_its_content():
    world = family()
    run = retention_run(as_of=LATER)
    stones = json.dumps([model_to_dict(stone) for stone in Tombstone.objects.filter(run=run)], default=str)
    for content in (ALONE_CONCERN, "Adaeze", "Okafor", world.ada.case_id, world.alone.reference, "Chiaralyn"):
        assert content not in stones


def test_notes_past_their_date_go_although_notes_are_append_only():
    world = family()
    world.shared = Escalation.objects.get(pk=world.shared.pk)
    escalation_withdraw(escalation=world.shared, by=world.iro, reason="Raised in error.")
    assert Note.objects.filter(escalation=world.shared).count() == 1

    run = retention_run(as_of=LATER)

    assert not Note.objects.filter(escalation_id=world.shared.pk).exists()
    stone = Tombstone.objects.get(run=run, model="escalations.escalation", object_id=world.shared.pk)
    assert stone.parts["escalations.note"] == 1


def test_a_child_on_hold_keeps_their_escalations_their_rows_and_their_audit_trail():
    world = family(with_hold=True)
    Child.objects.filter(pk=world.ada.pk).update(looked_after_to=dt.date(2016, 3, 31))
    history = Escalation.history.filter(id=world.alone.pk).count()

    plan = retention_plan(as_of=LATER)
    run = retention_run(as_of=LATER)

    assert plan.by_class()[RecordClass.ESCALATIONS].held == 1
    assert plan.by_class()[RecordClass.CHILDREN].held == 1
    assert plan.by_class()[RecordClass.SSDA903].held == 1
    assert Escalation.objects.filter(pk=world.alone.pk).exists()
    assert Escalation.history.filter(id=world.alone.pk).count() == history
    assert Child.objects.filter(pk=world.ada.pk).exists()
    assert Episode.objects.filter(child=world.ada).count() == 1
    assert Visit.objects.filter(child=world.ada).count() == 1
    assert AccessLogEntry.objects.filter(child=world.ada).count() == 1
    assert not Tombstone.objects.filter(run=run, object_id__in=[world.alone.pk, world.ada.pk]).exists()


def test_an_escalation_on_hold_is_kept_and_one_not_on_hold_goes():
    world = family()
    other = raise_escalation(iro=world.iro, children=[world.chiara], addressee=world.manager)
    other = escalation_withdraw(escalation=other, by=world.iro, reason="Raised in error.")
    legal_hold_place(by=world.sm, escalation=world.alone, reason="Evidence for a tribunal.")

    retention_run(as_of=LATER)

    assert Escalation.objects.filter(pk=world.alone.pk).exists()
    assert not Escalation.objects.filter(pk=other.pk).exists()


def test_a_lifted_hold_keeps_nothing_and_goes_with_its_record():
    world = family()
    hold = legal_hold_place(by=world.sm, escalation=world.alone, reason="Evidence for a tribunal.")
    legal_hold_lift(hold=hold, by=world.sm, reason="The tribunal has decided.")

    run = retention_run(as_of=LATER)

    assert not Escalation.objects.filter(pk=world.alone.pk).exists()
    assert not LegalHold.objects.filter(pk=hold.pk).exists()
    stone = Tombstone.objects.get(run=run, object_id=world.alone.pk, model="escalations.escalation")
    assert stone.parts["records.legalhold"] == 1


def test_an_escalation_is_kept_while_a_childs_case_record_is(settings):
    settings.RECORDS_CASE_RECORD_UNTIL_AGE = 75
    world = family()

    plan = retention_plan(as_of=LATER)
    retention_run(as_of=LATER)

    assert plan.by_class()[RecordClass.ESCALATIONS].case_record == 1
    assert Escalation.objects.filter(pk=world.alone.pk).exists()
    # the day after Adaeze's 75th birthday (14 March 2084), six years after it closed: it goes
    retention_run(as_of=dt.date(2084, 3, 15))
    assert not Escalation.objects.filter(pk=world.alone.pk).exists()


def test_the_dry_run_and_the_real_run_agree_record_for_record():
    world = family()
    closed = escalation_closed_for(world)
    # Chiaralyn left care in 2016 and nothing names her: her record goes; Benedikt left too, but is
    # still named on open escalations: only his 903 rows go; Dorianne's 903 rows go with her record.
    Child.objects.filter(pk__in=[world.chiara.pk, world.ben.pk, world.others[2].pk]).update(
        looked_after_to=dt.date(2016, 3, 31)
    )
    EpisodeFactory(child=world.ben)
    EpisodeFactory(child=world.others[2])
    DriftFlag.objects.create(child=world.ben, rule="R28-visit", detail="Visit due.", first_seen=dt.date(2016, 1, 2))
    access_log_record(user=world.sm, path=f"/children/{world.others[3].pk}/", child=world.others[3])
    job = ImportJob.objects.create(created_by=world.sm, filename="log.csv", sha256="0" * 64)

    plan = retention_plan(as_of=LATER)
    dry_run_counts = {each.rule.code: each.count for each in plan.classes}
    planned = {
        each.rule.code: {(each.model._meta.label_lower, pk) for pk in each.ids}
        for each in retention_plan(as_of=LATER).materialise().classes
        if each.ids
    }
    run = retention_run(as_of=LATER)

    assert _tombstones(run) == planned
    assert run.counts == {code: n for code, n in dry_run_counts.items() if n}
    assert planned[RecordClass.ESCALATIONS] == {("escalations.escalation", pk) for pk in closed}
    assert ("children.child", world.chiara.pk) in planned[RecordClass.CHILDREN]
    assert ("children.child", world.others[2].pk) in planned[RecordClass.CHILDREN]
    assert planned[RecordClass.SSDA903] == {("children.child", world.ben.pk)}
    assert ("imports.importjob", job.pk) in planned[RecordClass.IMPORT_JOBS]
    assert not Episode.objects.filter(child_id__in=[world.ben.pk, world.others[2].pk]).exists()
    assert not DriftFlag.objects.filter(child_id=world.ben.pk).exists()
    assert Child.objects.filter(pk=world.ben.pk).exists()
    assert not Child.objects.filter(pk__in=[world.chiara.pk, world.others[2].pk]).exists()
    # a second run the same day finds nothing left to do
    assert not any(each.count for each in retention_plan(as_of=LATER).classes)


def escalation_closed_for(world) -> list[int]:
    """The family's closed escalations: the one about Adaeze alone."""
    return sorted(Escalation.objects.filter(status="closed").values_list("pk", flat=True))


def test_an_admin_can_start_a_run_and_nobody_else():
    world = family()
    with pytest.raises(NotPermitted, match="Only an admin can run the retention schedule"):
        retention_run(as_of=LATER, by=world.sm)
    assert not RetentionRun.objects.exists()
    run = retention_run(as_of=LATER, by=_admin())
    assert run.counts[RecordClass.ESCALATIONS] == 1


def test_anonymising_escalations_keeps_their_figures_and_removes_their_texts_and_children():
    world = family()
    retention_rule_update(
        record_class=RecordClass.ESCALATIONS,
        by=_admin(),
        keep_for=6,
        unit="years",
        action="anonymise",
        reason="The committee compares six years of figures.",
    )
    run = retention_run(as_of=LATER)

    alone = Escalation.objects.get(pk=world.alone.pk)
    assert alone.concern == "Removed under the retention schedule."
    assert alone.outcome_id is not None and alone.closed_at is not None
    assert not alone.children.exists()
    texts = set(Escalation.history.filter(id=alone.pk).values_list("concern", flat=True))
    assert texts <= {"", "Removed under the retention schedule."}
    assert not Step.history.filter(escalation_id=alone.pk, end_reason__contains="Chiaralyn").exists()
    assert Tombstone.objects.get(run=run, object_id=alone.pk).action == "anonymised"
    # anonymised once: the next run leaves it alone
    assert retention_plan(as_of=LATER).by_class()[RecordClass.ESCALATIONS].count == 0


# --- legal holds ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.IRO, Role.MANAGER, Role.REPORT_VIEWER])
def test_only_the_service_manager_and_admins_place_a_hold(role):
    child = ChildFactory()
    with pytest.raises(NotPermitted, match="Only the IRO service manager or an admin can place a legal hold"):
        legal_hold_place(by=_user(role), child=child, reason="A claim is expected.")
    assert not LegalHold.objects.exists()
    assert legal_hold_place(by=_admin(), child=child, reason="A claim is expected.").active


def test_a_hold_needs_a_reason_and_is_audited():
    world = family()
    with pytest.raises(DomainError, match="Enter why the records must be kept") as error:
        legal_hold_place(by=world.sm, child=world.ada, reason="  ")
    assert error.value.field == "reason"
    hold = legal_hold_place(by=world.sm, child=world.ada, reason="A claim is expected.")
    legal_hold_lift(hold=hold, by=world.sm, reason="The claim was settled.")
    audit = list(hold.history.order_by("history_date").values_list("history_type", "history_user_id", "lifted_at"))
    assert [(kind, who) for kind, who, _ in audit] == [("+", world.sm.pk), ("~", world.sm.pk)]
    assert audit[1][2] is not None


def test_a_second_hold_on_the_same_record_is_refused():
    world = family(with_hold=True)
    with pytest.raises(DomainError, match="already on hold"):
        legal_hold_place(by=world.sm, child=world.ada, reason="Another claim.")


# --- erasure on request ----------------------------------------------------------------------------


def test_erasure_needs_a_second_admin_and_then_removes_the_child_everywhere():
    world = family()
    asker, approver = _admin(), _admin()
    request = erasure_request(by=asker, case_id="700001", reason="Granted by the DPO: recorded in error.")
    with pytest.raises(DomainError, match="another admin must approve"):
        erasure_decide(request=request, by=asker, approve=True)
    assert Child.objects.filter(pk=world.ada.pk).exists()

    _stored_report_page()
    request = erasure_decide(request=request, by=approver, approve=True, note="Checked with legal.")

    assert request.status == ErasureStatus.ERASED and request.child_id is None
    assert not ReportSnapshot.objects.exists()
    assert not Child.objects.filter(pk=world.ada.pk).exists()
    assert not Child.history.filter(id=world.ada.pk).exists()
    assert not Escalation.objects.filter(pk=world.alone.pk).exists()
    assert not Episode.objects.filter(child_id=world.ada.pk).exists()
    assert not Visit.objects.filter(child_id=world.ada.pk).exists()
    assert not AccessLogEntry.objects.filter(child_id=world.ada.pk).exists()
    shared = Escalation.objects.get(pk=world.shared.pk)
    assert list(shared.children.all()) == [world.ben]
    assert shared.concern == SHARED_CONCERN.replace("Adaeze", "Another child")
    assert not Escalation.history.filter(id=shared.pk, concern__contains="Adaeze").exists()
    actions = {(s.model, s.object_id): s.action for s in Tombstone.objects.filter(run=request.run)}
    assert actions == {
        ("escalations.escalation", world.alone.pk): "deleted",
        ("escalations.escalation", world.shared.pk): "child_removed",
        ("children.child", world.ada.pk): "deleted",
    }


def test_only_an_admin_asks_for_an_erasure():
    world = family()
    with pytest.raises(NotPermitted, match="Only an admin"):
        erasure_request(by=world.sm, case_id="700001", reason="Asked by the young person.")


def test_nothing_under_a_hold_is_erased():
    world = family(with_hold=True)
    request = erasure_request(by=_admin(), case_id="700001", reason="Granted by the DPO.")
    with pytest.raises(DomainError, match="under a legal hold"):
        erasure_decide(request=request, by=_admin(), approve=True)
    assert Child.objects.filter(pk=world.ada.pk).exists()


def test_a_refusal_needs_a_reason_and_erases_nothing():
    world = family()
    request = erasure_request(by=_admin(), case_id="700001", reason="Asked by the young person.")
    decider = _admin()
    with pytest.raises(DomainError, match="Enter why the erasure is refused"):
        erasure_decide(request=request, by=decider, approve=False)
    request = erasure_decide(request=request, by=decider, approve=False, note="The records are still needed.")
    assert request.status == ErasureStatus.REFUSED
    assert Child.objects.filter(pk=world.ada.pk).exists()


def test_an_unknown_case_id_is_named_back():
    with pytest.raises(DomainError, match="No child has the case-management ID 'X999'") as error:
        erasure_request(by=_admin(), case_id=" X999 ", reason="Granted.")
    assert error.value.field == "case_id"


# --- the schedule's rules ---------------------------------------------------------------------------


def test_an_admin_changes_a_rule_and_the_plan_follows_it():
    admin = _admin()
    assert retention_rule(RecordClass.ACCESS_LOG).is_default
    retention_rule_update(
        record_class=RecordClass.ACCESS_LOG, by=admin, keep_for=18, unit="months", action="delete", reason="Shorter."
    )
    rule = retention_rule(RecordClass.ACCESS_LOG)
    assert (rule.period, rule.changed_by, rule.reason) == ("18 months", admin, "Shorter.")
    plan = retention_plan(as_of=dt.date(2030, 8, 31)).by_class()[RecordClass.ACCESS_LOG]
    assert plan.cutoff == dt.date(2029, 2, 28)


def test_a_rule_cannot_anonymise_what_cannot_be_anonymised():
    with pytest.raises(DomainError, match="Access log entries can only be deleted") as error:
        retention_rule_update(
            record_class=RecordClass.ACCESS_LOG, by=_admin(), keep_for=3, unit="years", action="anonymise", reason="x"
        )
    assert error.value.field == "action"


def test_the_service_manager_cannot_change_the_schedule():
    with pytest.raises(NotPermitted):
        retention_rule_update(
            record_class=RecordClass.ACCESS_LOG,
            by=UserFactory(role=Role.SERVICE_MANAGER),
            keep_for=1,
            unit="days",
            action="delete",
            reason="x",
        )


# --- subject access exports: who may start and download them --------------------------------------------


@pytest.mark.parametrize("role", [Role.IRO, Role.MANAGER, Role.REPORT_VIEWER])
def test_only_the_service_manager_and_admins_start_an_export(role):
    child = ChildFactory(case_id="700100")
    with pytest.raises(NotPermitted, match="Only the IRO service manager or an admin"):
        export_start(by=_user(role), case_id="700100")
    assert not SubjectAccessExport.objects.exists()
    assert export_start(by=_admin(), case_id="700100").child == child


def test_the_download_is_once_for_the_person_who_started_it_and_logged():
    world = family()
    export = export_start(by=world.sm, case_id="700001")
    export.refresh_from_db()
    with pytest.raises(NotPermitted, match="Only the person who started this export"):
        export_download(export=export, by=_admin(), path="/x/")
    entries = AccessLogEntry.objects.filter(child=world.ada).count()
    content = export_download(export=export, by=world.sm, path=f"/records/exports/{export.pk}/download/")
    assert content.startswith(b"PK")
    assert AccessLogEntry.objects.filter(child=world.ada).count() == entries + 1
    export.refresh_from_db()
    assert export.content is None and export.downloaded_at is not None
    with pytest.raises(DomainError, match="can be downloaded only once"):
        export_download(export=export, by=world.sm, path="/x/")


def test_an_export_not_downloaded_in_7_days_expires():
    world = family()
    export = export_start(by=world.sm, case_id="700001")
    export.refresh_from_db()
    assert export.status == ExportStatus.READY
    assert export.expires_at - export.finished_at == dt.timedelta(days=7)
    assert exports_expire(now=export.expires_at - dt.timedelta(seconds=1)) == 0
    assert exports_expire(now=export.expires_at) == 1
    export.refresh_from_db()
    with pytest.raises(DomainError, match="expired"):
        export_download(export=export, by=world.sm, path="/x/")


# --- issued committee reports --------------------------------------------------------------------------


def _issued(by) -> IssuedReport:
    report = IssuedReport.objects.create(
        period_start=dt.date(2025, 4, 1),
        period_end=dt.date(2026, 3, 31),
        version=1,
        issued_by=by,
        issued_at=timezone.now(),
        data={"figures": [1, 2]},
        escalations={"ESC-2025-00001": {"stage": "team_manager"}},
        pdf=b"%PDF",
        docx=b"",
        xlsx=b"",
        html="<p>The paper</p>",
    )
    IssueJob.objects.create(
        requested_by=by,
        period_start=report.period_start,
        period_end=report.period_end,
        expected_version=1,
        issued=report,
    )
    return report


def test_an_issued_report_keeps_its_figures_and_loses_its_escalation_facts():
    report = _issued(_admin())
    run = retention_run(as_of=LATER)
    report.refresh_from_db()
    assert report.escalations == {} and report.data == {"figures": [1, 2]}
    stone = Tombstone.objects.get(run=run, model="reports.issuedreport", object_id=report.pk)
    assert stone.action == "anonymised" and stone.parts["escalation facts"] == 1


def test_an_issued_report_can_be_deleted_and_the_job_that_issued_it_stays():
    admin = _admin()
    report = _issued(admin)
    retention_rule_update(
        record_class=RecordClass.ISSUED_REPORTS, by=admin, keep_for=6, unit="years", action="delete", reason="Kept."
    )
    retention_run(as_of=LATER)
    assert not IssuedReport.objects.filter(pk=report.pk).exists()
    assert not IssuedReport.history.filter(id=report.pk).exists()
    assert IssueJob.objects.get().issued is None
