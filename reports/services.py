"""Writes for the committee report.

Every function is ``<noun>_<verb>(*, ...)``, runs in one transaction and raises a
:class:`core.errors.DomainError` with a message the user can act on. A refused call changes nothing.
Saves record who made them in the history (``_history_user``).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from core.errors import DomainError, NotPermitted
from escalations.models import Escalation
from people.models import User
from reports.identifiers import identifier_index, report_require_clean_stories, story_problems
from reports.models import CaseStory, IssuedReport, StoryOverride
from reports.outputs import render_as
from reports.periods import Period
from reports.selectors import report_build
from reports.stories import story_draft_text

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
def story_update(*, story: CaseStory, by: User, text: str) -> CaseStory:
    """Replace the story's text. Overrides given for the old text no longer apply."""
    _require_story_editor(by, "edit a case story")
    text = text.strip()
    if not text:
        raise DomainError(
            "Enter the story text. To leave the story out of the report, exclude it instead.", field="text"
        )
    story = _story_lock(story)
    story.text = text
    story.updated_by = by
    _story_save(story, by)
    return story


@transaction.atomic
def story_override_add(*, story: CaseStory, by: User, term: str, reason: str) -> StoryOverride:
    """Record that a term the identifier check flags in the story is not an identifier (for example
    "May" the month, where a child is called May). It holds for the story's current text only."""
    _require_story_editor(by, "record an override")
    story = _story_lock(story)
    term = term.strip()
    reason = reason.strip()
    if not term:
        raise DomainError("Enter the flagged word or number the override is for.", field="term")
    if not reason:
        raise DomainError(f"Enter why '{term}' in this story does not identify anyone.", field="reason")
    existing = list(story.overrides.filter(story_text=story.text))
    flagged = [
        problem
        for problem in story_problems(story.text, identifiers=identifier_index())
        if problem.term.casefold() == term.casefold()
    ]
    if not flagged:
        raise DomainError(
            f"The check does not flag '{term}' in this story, so there is nothing to override. "
            "Enter the term exactly as the check shows it.",
            field="term",
        )
    already = {(o.kind, o.term.casefold()) for o in existing}
    to_record = [problem for problem in flagged if (problem.kind, problem.term.casefold()) not in already]
    if not to_record:
        raise DomainError(f"'{term}' already has an override for this text of the story.", field="term")
    created = []
    for problem in to_record:
        override = StoryOverride(
            story=story, term=problem.term, kind=problem.kind, reason=reason, story_text=story.text, created_by=by
        )
        _story_save(override, by)
        created.append(override)
    return created[0]


def _require_story_editor(by: User, doing: str) -> None:
    if not (by.is_active and by.sees_everything):
        raise NotPermitted(f"Only the IRO service manager or an admin can {doing}.")


def _story_lock(story: CaseStory) -> CaseStory:
    return CaseStory.objects.select_for_update().get(pk=story.pk)


def _story_save(instance, by: User) -> None:
    instance._history_user = by
    instance.save()


# --- issued reports ------------------------------------------------------------------------------


@transaction.atomic
def report_issue(*, period: Period, by: User) -> IssuedReport:
    """Freeze the report for ``period``: its JSON and every file, as one numbered version.

    All files are rendered from the one computed report, so they agree with the stored JSON.
    """
    if not by.sees_everything:
        raise NotPermitted("Only the IRO service manager or an admin can issue the committee report.")
    report_require_clean_stories(period)
    report = report_build(period=period)
    last = (
        IssuedReport.objects.select_for_update()
        .filter(period_start=period.start, period_end=period.end)
        .order_by("-version")
        .first()
    )
    issued = IssuedReport(
        period_start=period.start,
        period_end=period.end,
        version=last.version + 1 if last else 1,
        issued_by=by,
        issued_at=timezone.now(),
        data=report,
        html=render_as(report, "html"),
        pdf=render_as(report, "pdf"),
        docx=render_as(report, "docx"),
        xlsx=render_as(report, "xlsx"),
    )
    issued._history_user = by
    issued.save()
    return issued
