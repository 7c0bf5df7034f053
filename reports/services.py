"""Writes for the committee report.

Every function is ``<noun>_<verb>(*, ...)``, runs in one transaction and raises a
:class:`core.errors.DomainError` with a message the user can act on. A refused call changes nothing.
Saves record who made them in the history (``_history_user``).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.safestring import mark_safe

from background.selectors import worker_alive, workers_alive
from core.changes import data_version
from core.errors import DomainError, NotPermitted
from core.validation import text_refuse
from escalations.models import Escalation
from people.models import User
from reports.changes import ChangesSinceIssue
from reports.drafting import SECTION_KEYS, THEME_PREFIX, draft, paper_figures
from reports.identifiers import identifier_index, story_problems
from reports.models import (
    CaseStory,
    Classification,
    IssuedReport,
    IssueJob,
    IssueJobStatus,
    OverrideStatus,
    Paper,
    PaperSection,
    ReportSettings,
    ReportSnapshot,
    TextOverride,
)
from reports.outputs import render_as, report_document, report_page_made
from reports.paper import meeting_names, paper_content, paper_for, paper_sections
from reports.periods import Period
from reports.selectors import (
    escalation_facts,
    report_build,
    report_inputs_key,
    report_settings,
    report_snapshot_of,
)
from reports.stories import story_draft_text

logger = logging.getLogger(__name__)

# --- case stories --------------------------------------------------------------------------------


@transaction.atomic
def story_include(*, escalation: Escalation, by: User) -> CaseStory:
    """Mark ``escalation`` for a case story in the report: draft the story, or include it again.

    A story that was never edited is drafted afresh (the escalation may have moved on since, for
    example been resolved); an edited one keeps the service manager's text.
    """
    _require_story_editor(by, "include a case story in the report")
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)  # one story per escalation
    story = CaseStory.objects.filter(escalation=escalation).first()
    draft = story_draft_text(escalation)
    if story is None:
        story = CaseStory(escalation=escalation, drafted_text=draft, text=draft)
    elif story.text == story.drafted_text:
        story.drafted_text = story.text = draft
    story.include_in_report = True
    story.updated_by = by
    _story_save(story, by)
    return story


@transaction.atomic
def story_exclude(*, story: CaseStory, by: User) -> CaseStory:
    """Leave the story out of the report. It is kept, with its text, and can be included again."""
    _require_story_editor(by, "leave a case story out of the report")
    story = _story_lock(story)
    story.include_in_report = False
    story.updated_by = by
    _story_save(story, by)
    return story


@transaction.atomic
def story_update(*, story: CaseStory, by: User, text: str, what_happened_next: str | None = None) -> CaseStory:
    """Replace the story's text (and, if given, what happened next). Overrides given for the old text
    no longer apply."""
    _require_story_editor(by, "edit a case story")
    text = text.strip()
    if not text:
        raise DomainError(
            "Enter the story text. To leave the story out of the report, exclude it instead.", field="text"
        )
    text_refuse(text, what="the story text", max_length=MAX_TEXT, multiline=True, field="text")
    if what_happened_next is not None:
        what_happened_next = text_refuse(
            what_happened_next.strip(),
            what="what happened next",
            max_length=MAX_TEXT,
            multiline=True,
            field="what_happened_next",
        )
    story = _story_lock(story)
    story.text = text
    if what_happened_next is not None:
        story.what_happened_next = what_happened_next
    story.updated_by = by
    _story_save(story, by)
    return story


def _require_story_editor(by: User, doing: str) -> None:
    if not (by.is_active and by.sees_everything):
        raise NotPermitted(f"Only the IRO service manager or an admin can {doing}.")


def _story_lock(story: CaseStory) -> CaseStory:
    return CaseStory.objects.select_for_update().get(pk=story.pk)


def _story_save(instance, by: User) -> None:
    instance._history_user = by
    instance.save()


# --- overrides of the identifier check ------------------------------------------------------------


def subject_text(subject: str) -> str:
    """The current text of an override's subject: a case story's text or what happened next, or one
    text of a paper, exactly as the outputs would print it."""
    kind, _, rest = subject.partition(":")
    if kind == "story":
        pk, _, part = rest.partition(":")
        story = CaseStory.objects.filter(pk=int(pk) if pk.isdigit() else 0).first()
        if story is None or part not in ("text", "next"):
            raise DomainError("There is no such text to override.")
        return story.text if part == "text" else story.what_happened_next
    match = re.fullmatch(r"(\d{4}-\d{2}-\d{2}):(\d{4}-\d{2}-\d{2}):(.+)", rest)
    if kind != "paper" or not match:
        raise DomainError("There is no such text to override.")
    period = Period.between(dt.date.fromisoformat(match.group(1)), dt.date.fromisoformat(match.group(2)))
    _, items = paper_content(period, report_build(period=period))
    item = next((item for item in items if item.subject == subject), None)
    if item is None:
        raise DomainError("There is no such text to override.")
    return item.text


@transaction.atomic
def override_request(*, subject: str, term: str, reason: str, by: User) -> TextOverride:
    """Ask for a word the identifier check flags in one text to be let through (for example "May"
    the month, where a child is called May). Only a possible false positive can be asked for: a
    single first-name token that is also an ordinary word. It holds, once another service manager or
    an admin approves it (:func:`override_decide`), for the text as it is now."""
    _require_story_editor(by, "ask for an override")
    term, reason = term.strip(), reason.strip()
    if not term:
        raise DomainError("Enter the flagged word or number the override is for.", field="term")
    if not reason:
        raise DomainError(f"Enter why '{term}' in this text does not identify anyone.", field="reason")
    text = subject_text(subject)
    flagged = [
        problem
        for problem in story_problems(text, identifiers=identifier_index())
        if problem.term.casefold() == term.casefold()
    ]
    if not flagged:
        raise DomainError(
            f"The check does not flag '{term}' in this text, so there is nothing to override. "
            "Enter the word exactly as the check shows it.",
            field="term",
        )
    refused = [problem for problem in flagged if not problem.overridable]
    if refused:
        raise DomainError(
            f"'{term}' cannot be overridden: {refused[0].message[0].lower()}{refused[0].message[1:]}. Only a single "
            "first name that is also an ordinary word, like 'May', can be. Edit the text instead.",
            field="term",
        )
    existing = TextOverride.objects.filter(
        subject=subject, text=text, status__in=[OverrideStatus.PENDING, OverrideStatus.APPROVED]
    )
    asked = {(o.kind, o.term.casefold()) for o in existing}
    to_ask = [problem for problem in flagged if (problem.kind, problem.term.casefold()) not in asked]
    if not to_ask:
        raise DomainError(f"An override of '{term}' has already been asked for in this text.", field="term")
    created = []
    for problem in to_ask:
        override = TextOverride(
            subject=subject,
            text=text,
            term=problem.term,
            kind=problem.kind,
            reason=reason,
            requested_by=by,
            requested_at=timezone.now(),
        )
        _story_save(override, by)
        created.append(override)
    return created[0]


@transaction.atomic
def override_decide(*, override: TextOverride, by: User, approve: bool) -> TextOverride:
    """Approve or refuse an override. The second person must be another service manager or an
    admin, and the text must not have changed since it was asked for."""
    if not (by.is_active and by.sees_everything):
        raise NotPermitted("Only another IRO service manager or an admin can approve an override.")
    override = TextOverride.objects.select_for_update().get(pk=override.pk)
    if override.requested_by_id == by.pk:
        raise DomainError(
            "You asked for this override, so someone else must decide it: another IRO service manager or an admin."
        )
    if override.status != OverrideStatus.PENDING:
        raise DomainError(f"This override was already {override.get_status_display().lower()}.")
    if approve and subject_text(override.subject) != override.text:
        raise DomainError("The text has been changed since the override was asked for, so it no longer applies.")
    override.status = OverrideStatus.APPROVED if approve else OverrideStatus.REFUSED
    override.decided_by = by
    override.decided_at = timezone.now()
    _story_save(override, by)
    return override


# --- report settings -------------------------------------------------------------------------------

MIN_THRESHOLD, MAX_THRESHOLD = 2, 50


@transaction.atomic
def report_settings_update(
    *, by: User, classification: str, suppress_small_numbers: bool, small_number_threshold: int
) -> ReportSettings:
    """Change how the report is published: its classification and the small-number rule."""
    _require_story_editor(by, "change the report settings")
    if classification not in Classification.values:
        raise DomainError("Choose whether the report is Open or Closed.", field="classification")
    if not MIN_THRESHOLD <= small_number_threshold <= MAX_THRESHOLD:
        raise DomainError(
            f"Enter a threshold from {MIN_THRESHOLD} to {MAX_THRESHOLD}: counts from 1 up to one less than it are "
            "hidden.",
            field="small_number_threshold",
        )
    current = report_settings()
    current = ReportSettings.objects.select_for_update().get(pk=current.pk)
    current.classification = classification
    current.suppress_small_numbers = suppress_small_numbers
    current.small_number_threshold = small_number_threshold
    _story_save(current, by)
    return current


# --- the paper ------------------------------------------------------------------------------------


def _paper_lock(period: Period, by: User) -> Paper:
    """The paper for ``period``, created with the defaults if need be, locked for this transaction."""
    paper, _ = Paper.objects.select_for_update().get_or_create(
        period_start=period.start,
        period_end=period.end,
        defaults={"meeting_name": meeting_names()[0] if meeting_names() else "", "updated_by": by},
    )
    return paper


MAX_TEXT = 20_000


def _clean(value: str, field: str, label: str, *, max_length: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(f"Enter {label}.", field=field)
    if len(value) > max_length:
        raise DomainError(f"{label[0].upper()}{label[1:]} must be {max_length} characters or fewer.", field=field)
    return text_refuse(value, what=label, multiline=True, field=field)


@transaction.atomic
def paper_cover_update(
    *,
    period: Period,
    by: User,
    item_number: str,
    meeting_name: str,
    meeting_date: dt.date | None,
    title: str,
    wards: str,
    version_label: str,
    dated: dt.date | None,
    key_decision: bool,
    sent_to_constitutional_officer: dt.date | None,
) -> Paper:
    """The cover and audit-trail details of the paper for ``period``."""
    _require_story_editor(by, "edit the committee paper")
    names = meeting_names()
    if meeting_name not in names:
        raise DomainError(f"Choose the meeting: {', '.join(names)}.", field="meeting_name")
    paper = _paper_lock(period, by)
    paper.item_number = _clean(item_number, "item_number", "the item number", max_length=20)
    paper.meeting_name = meeting_name
    paper.meeting_date = meeting_date
    paper.title = _clean(title, "title", "the report title", max_length=200, required=True)
    paper.wards = _clean(wards, "wards", "the wards or groups affected", max_length=200, required=True)
    paper.version_label = _clean(version_label, "version_label", "the version", max_length=40, required=True)
    paper.dated = dated
    paper.key_decision = key_decision
    paper.sent_to_constitutional_officer = sent_to_constitutional_officer
    paper.updated_by = by
    _story_save(paper, by)
    return paper


@transaction.atomic
def paper_documents_update(
    *, period: Period, by: User, background_documents: list[dict], appendices: list[dict], consultation: list[dict]
) -> Paper:
    """The background documents, the appendices after the figures, and the consultation table.
    Rows left empty are dropped."""
    _require_story_editor(by, "edit the committee paper")
    paper = _paper_lock(period, by)
    paper.background_documents = [
        {
            key: _clean(row.get(key, ""), key, "the background document", max_length=300)
            for key in ("title", "held_at", "contact")
        }
        for row in background_documents
        if any((row.get(key) or "").strip() for key in ("title", "held_at", "contact"))
    ]
    for i, row in enumerate(paper.background_documents, start=1):
        if not row["title"]:
            raise DomainError(f"Enter the title of background document {i}.", field="documents")
    paper.appendices = [
        {"title": _clean(row.get("title", ""), "appendices", "the appendix title", max_length=300)}
        for row in appendices
        if (row.get("title") or "").strip()
    ]
    paper.consultation = [
        {
            "officer": _clean(row.get("officer", ""), "consultation", "the officer title", max_length=200),
            "sought": bool(row.get("sought")),
            "included": bool(row.get("included")),
        }
        for row in consultation
        if (row.get("officer") or "").strip()
    ]
    paper.updated_by = by
    _story_save(paper, by)
    return paper


def _require_section(key: str, report: dict) -> None:
    themes = {row["code"] for row in report["themes"]}
    if key in SECTION_KEYS or (key.startswith(THEME_PREFIX) and key[len(THEME_PREFIX) :] in themes):
        return
    raise DomainError(f"The paper has no section {key!r}.")


@transaction.atomic
def paper_section_save(
    *, period: Period, by: User, key: str, text: str, figures_shown: dict | None = None
) -> PaperSection:
    """Save a section's text as the service manager wrote it.

    A section saved for the first time keeps the figures it was drafted from, as the page showed
    them (``figures_shown``); a section saved again keeps the figures it already had. Either way,
    when the records change, a stated number that no longer matches is flagged before issuing.
    """
    _require_story_editor(by, "edit the committee paper")
    report = report_build(period=period)
    _require_section(key, report)
    text = _clean(text, "text", "the text", max_length=MAX_TEXT, required=key == "recommendations")
    paper = _paper_lock(period, by)
    section = PaperSection.objects.select_for_update().filter(paper=paper, key=key).first()
    if section is None:
        figures = figures_shown if figures_shown is not None else draft(key, report, meeting_name=paper.meeting_name)[1]
        section = PaperSection(paper=paper, key=key, figures=figures)
    section.text = text
    section.updated_by = by
    _story_save(section, by)
    return section


@transaction.atomic
def paper_section_redraft(*, period: Period, by: User, key: str) -> PaperSection:
    """Replace a section with a fresh draft from the records, and the figures it states."""
    _require_story_editor(by, "redraft the committee paper")
    report = report_build(period=period)
    _require_section(key, report)
    paper = _paper_lock(period, by)
    text, figures = draft(key, report, meeting_name=paper.meeting_name)
    section = PaperSection.objects.select_for_update().filter(paper=paper, key=key).first() or PaperSection(
        paper=paper, key=key
    )
    section.text, section.figures, section.updated_by = text, figures, by
    _story_save(section, by)
    return section


@transaction.atomic
def paper_section_confirm(*, period: Period, by: User, key: str) -> PaperSection:
    """Record that the service manager has checked a section's numbers against the records as they
    are now: the figures it is linked to become the current ones."""
    _require_story_editor(by, "confirm the numbers in the committee paper")
    report = report_build(period=period)
    paper = _paper_lock(period, by)
    section = PaperSection.objects.select_for_update().filter(paper=paper, key=key).first()
    if section is None:
        raise DomainError("This section is drafted afresh from the records, so its numbers are already current.")
    current = paper_figures(report)
    section.figures = {name: current.get(name) for name in section.figures}
    section.updated_by = by
    _story_save(section, by)
    return section


# --- issuing ---------------------------------------------------------------------------------------


def paper_issue_problems(*, period: Period, report: dict) -> list[str]:
    """What stops the paper for ``period`` being issued, besides the identifier check: sections whose
    numbers no longer match the records."""
    paper = paper_for(period)
    if paper is None:
        return []
    return [
        f"The section '{state.heading}' states figures the records no longer match ({'; '.join(state.stale)}). "
        "Redraft it, or check its numbers and confirm them."
        for state in paper_sections(paper, report)
        if state.stale
    ]


@transaction.atomic
def report_issue(*, period: Period, by: User, expected_version: int | None = None) -> tuple[IssuedReport, bool]:
    """Issue the paper for ``period``: its JSON and every file, frozen as one numbered version.

    Returns (the version, whether this call issued it). ``expected_version`` is the version the
    confirmation page offered: when it has been issued already (a second click, a resubmitted
    form), that version is returned and nothing new is issued. One transaction, holding the paper's
    row lock, so two requests at once issue one version.

    All files are rendered from the one computed report, so they agree with the stored JSON.
    (Runs within the request for now; it is the one function a background worker would call.)
    """
    if not by.sees_everything:
        raise NotPermitted("Only the IRO service manager or an admin can issue the committee report.")
    _paper_lock(period, by)
    last = IssuedReport.objects.filter(period_start=period.start, period_end=period.end).order_by("-version").first()
    if expected_version is not None and last is not None and last.version >= expected_version:
        return last, False
    now = timezone.now()  # one moment for the report, its facts and its issue, never a kept report
    report = report_document(period=period, now=now)
    problems = paper_issue_problems(period=period, report=report)
    if problems:
        raise DomainError(" ".join(problems))
    issued = IssuedReport(
        period_start=period.start,
        period_end=period.end,
        version=last.version + 1 if last else 1,
        issued_by=by,
        issued_at=now,
        data=report,
        escalations=escalation_facts(period=period, now=now),
        html=render_as(report, "html"),
        pdf=render_as(report, "pdf"),
        docx=render_as(report, "docx"),
        xlsx=render_as(report, "xlsx"),
    )
    issued._history_user = by
    try:
        with transaction.atomic():
            issued.save()
    except IntegrityError:  # issued meanwhile by another request that held no lock (cannot happen with it)
        return IssuedReport.objects.get(period_start=period.start, period_end=period.end, version=issued.version), False
    return issued, True


# --- issuing on the background worker ---------------------------------------------------------------


def report_issue_request(*, period: Period, by: User, expected_version: int) -> IssueJob:
    """Ask the background worker to issue the report for ``period`` (:func:`report_issue`): the job
    its page follows. A second request while one waits or runs (a double click, two people) gets
    that one; the version the confirmation page offered still decides whether anything new is
    issued."""
    if not by.sees_everything:
        raise NotPermitted("Only the IRO service manager or an admin can issue the committee report.")
    with transaction.atomic():
        active = (
            IssueJob.objects.select_for_update()
            .filter(period_start=period.start, period_end=period.end, status__in=ACTIVE_ISSUES)
            .first()
        )
        if active is not None:
            return active
        try:
            with transaction.atomic():
                job = IssueJob.objects.create(
                    period_start=period.start,
                    period_end=period.end,
                    expected_version=expected_version,
                    requested_by=by,
                )
        except IntegrityError:  # another request made it a moment ago
            return IssueJob.objects.get(period_start=period.start, period_end=period.end, status__in=ACTIVE_ISSUES)
        _issue_task().enqueue(job.pk)
        return job


ACTIVE_ISSUES = (IssueJobStatus.QUEUED, IssueJobStatus.RUNNING)


def _issue_task():
    from reports.tasks import issue_report  # noqa: PLC0415 (reports.tasks imports this module)

    return issue_report


def report_issue_job_run(*, job_id: int, worker_id: str = "") -> IssueJob:
    """Run a waiting issue job (claimed by one conditional UPDATE, so it runs once), then record how
    it ended. The issue itself is :func:`report_issue`, one transaction: a worker that dies part-way
    stores nothing, and the job's page says so."""
    claimed = IssueJob.objects.filter(pk=job_id, status=IssueJobStatus.QUEUED).update(
        status=IssueJobStatus.RUNNING, started_at=timezone.now(), worker_id=worker_id[:64]
    )
    job = IssueJob.objects.select_related("requested_by").get(pk=job_id)
    if not claimed:
        return job
    period = Period.between(job.period_start, job.period_end)
    try:
        issued, _ = report_issue(period=period, by=job.requested_by, expected_version=job.expected_version)
    except DomainError as error:
        job.status, job.problem = IssueJobStatus.FAILED, error.message
    except Exception:
        logger.exception("Issuing job %s failed", job.pk)
        job.status, job.problem = (
            IssueJobStatus.FAILED,
            ("The issue stopped because of an error in the service: nothing was issued. Try again later."),
        )
    else:
        job.status, job.issued = IssueJobStatus.DONE, issued
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "problem", "issued", "finished_at"])
    return job


@transaction.atomic
def report_issue_job_retry(*, job: IssueJob, by: User) -> IssueJob:
    """Ask again for a job whose worker stopped before it finished (nothing was issued)."""
    job = IssueJob.objects.select_for_update().get(pk=job.pk)
    if job.status != IssueJobStatus.RUNNING or worker_alive(job.worker_id):
        raise DomainError(
            "This issue has not stopped, so there is nothing to try again. Its page shows how it is going."
        )
    job.status, job.finished_at = IssueJobStatus.FAILED, timezone.now()
    job.problem = "The background worker stopped before the report was issued. Nothing was issued."
    job.save(update_fields=["status", "finished_at", "problem"])
    return report_issue_request(
        period=Period.between(job.period_start, job.period_end), by=by, expected_version=job.expected_version
    )


# --- the report page's figures, made on the background worker -------------------------------------

# A page shows figures made from the records as they are (the same data version) within this long.
SNAPSHOT_FRESH_FOR = dt.timedelta(minutes=1)
# Figures made before a write are shown, while the worker makes new ones, only if made within this long;
# older ones are made by the page itself.
STALE_SHOWN_FOR = dt.timedelta(minutes=10)
# A page that asked the worker for newer figures this long ago, and still has none, makes them itself.
REMADE_WITHIN = dt.timedelta(minutes=2)
# The layout of ReportSnapshot.content (reports.outputs.report_page_made): a change to it is a new number.
SNAPSHOT_FORMAT = 1


@dataclass(frozen=True)
class ReportPage:
    """What the report page shows (``reports.outputs.report_page_made``), when it was made, and
    whether newer figures are being made."""

    content: dict
    made_at: dt.datetime
    remaking: bool

    @property
    def blocked(self) -> str | None:
        """The identifier check's refusal (``TextNotClean``'s message), if it refused."""
        return self.content.get("blocked")

    @property
    def report_html(self) -> str:
        return mark_safe(self.content["report_html"])  # noqa: S308 (made by render_html, which escapes)

    @property
    def changes_since(self) -> int | None:
        """The newest issued version when it was made, which :attr:`changes` compares with."""
        return self.content["changes_since"]

    @property
    def changes(self) -> ChangesSinceIssue | None:
        found = self.content.get("changes")
        return ChangesSinceIssue.from_json(found) if found is not None else None


def report_page_content(*, period: Period) -> ReportPage:
    """What the report page shows for ``period``. Making the report costs hundreds of milliseconds at
    national scale, so the page reads it as last made (``ReportSnapshot``):

    - made from the records as they are, less than ``SNAPSHOT_FRESH_FOR`` ago: shown;
    - made before a write, or over a minute ago, but within ``STALE_SHOWN_FOR`` and with nothing
      else it prints from changed (``report_inputs_key``: texts, settings, identifiers): shown,
      saying when it was made, while the background worker makes it again (the first request to see
      it so asks, :func:`report_snapshot_want`);
    - otherwise (none yet, made in another layout, too old, its texts or settings changed, no worker
      running, or the worker asked ``REMADE_WITHIN`` ago and nothing made): made here and shown.

    Without a data version (SQLite, the embedded development database) nothing is kept: it is made
    on every request, as is a refusal by the identifier check."""
    version = data_version()
    now = timezone.now()
    if version is None:
        return ReportPage(report_page_made(period=period), made_at=now, remaking=False)
    snapshot = report_snapshot_of(period)
    if snapshot is not None and snapshot.content_format == SNAPSHOT_FORMAT:
        if _snapshot_current(snapshot, version, now):
            return ReportPage(snapshot.content, made_at=snapshot.made_at, remaking=False)
        if _may_show_while_remade(snapshot, now):
            report_snapshot_want(snapshot=snapshot, now=now)
            return ReportPage(snapshot.content, made_at=snapshot.made_at, remaking=True)
    snapshot = report_snapshot_make(period=period, version=version)
    return ReportPage(snapshot.content, made_at=snapshot.made_at, remaking=False)


def _snapshot_current(snapshot: ReportSnapshot, version: str, now: dt.datetime) -> bool:
    """Made in this layout, from the records as they are, less than ``SNAPSHOT_FRESH_FOR`` ago (the
    figures depend on the clock too: overdue, due in so many days)."""
    return (
        snapshot.content_format == SNAPSHOT_FORMAT
        and snapshot.version == version
        and now - snapshot.made_at < SNAPSHOT_FRESH_FOR
    )


def _may_show_while_remade(snapshot: ReportSnapshot, now: dt.datetime) -> bool:
    if now - snapshot.made_at >= STALE_SHOWN_FOR:
        return False
    if snapshot.wanted_at is not None and now - snapshot.wanted_at >= REMADE_WITHIN:
        return False
    return bool(workers_alive(now=now)) and snapshot.inputs == report_inputs_key()


def report_snapshot_make(*, period: Period, version: str) -> ReportSnapshot:
    """Make what the report page shows for ``period`` from the records at ``version`` and store it,
    unless what is stored was made later (two makers at once: the later stays). ``version`` and the
    inputs are read before the figures, so a write while they are made leaves them marked older. The
    figures are read outside the transaction that stores them. A refusal by the identifier check is
    not stored, and takes out what was."""
    inputs = report_inputs_key()
    made_at = timezone.now()
    snapshot = ReportSnapshot(
        period_start=period.start,
        period_end=period.end,
        version=version,
        inputs=inputs,
        content_format=SNAPSHOT_FORMAT,
        made_at=made_at,
        content=report_page_made(period=period),
    )
    with transaction.atomic():
        stored = (
            ReportSnapshot.objects.select_for_update().filter(period_start=period.start, period_end=period.end).first()
        )
        if "blocked" in snapshot.content:
            if stored is not None:
                stored.delete()
            return snapshot
        if stored is None:
            try:
                with transaction.atomic():
                    snapshot.save(force_insert=True)
            except IntegrityError:  # another maker stored one a moment ago
                pass
        elif stored.made_at < made_at:
            snapshot.pk = stored.pk
            snapshot.save(force_update=True)
    return snapshot


@transaction.atomic
def report_snapshot_want(*, snapshot: ReportSnapshot, now: dt.datetime) -> bool:
    """Ask the background worker to make ``snapshot``'s period again, unless it has been asked and
    not answered yet: one conditional UPDATE, so of the requests that find it old one asks. True if
    this one asked."""
    asked = ReportSnapshot.objects.filter(pk=snapshot.pk, wanted_at__isnull=True).update(wanted_at=now)
    if asked:
        _snapshot_task().enqueue(snapshot.period_start.isoformat(), snapshot.period_end.isoformat())
    return bool(asked)


def report_snapshot_run(*, start: str, end: str) -> str:
    """The worker's part (``reports.tasks.make_report_page``): make the period's page from the
    records as they are now, unless a page made it from them already."""
    version = data_version()
    if version is None:  # SQLite: nothing is kept, so there is nothing to make
        return "not kept"
    period = Period.between(dt.date.fromisoformat(start), dt.date.fromisoformat(end))
    stored = report_snapshot_of(period)
    if stored is not None and _snapshot_current(stored, version, timezone.now()):
        with transaction.atomic():
            ReportSnapshot.objects.filter(pk=stored.pk, made_at=stored.made_at).update(wanted_at=None)
        return "made already"
    return f"made at {report_snapshot_make(period=period, version=version).made_at.isoformat()}"


@transaction.atomic
def report_snapshots_prune() -> int:
    """Delete the report pages made longer ago than any page would show them (``STALE_SHOWN_FOR``)."""
    deleted, _ = ReportSnapshot.objects.filter(made_at__lt=timezone.now() - STALE_SHOWN_FOR).delete()
    return deleted


def _snapshot_task():
    from reports.tasks import make_report_page  # noqa: PLC0415 (reports.tasks imports this module)

    return make_report_page
