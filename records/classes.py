"""The record classes of the retention schedule: what one record of each class is, the day its time
is counted from, what can be done with it when the time is up, and the default rule with its reason.

Admins change a class's rule on the *Retention schedule* page (``records.services.retention_rule_update``);
until they do, the default here applies. README "Records management" lists the same table.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.db import models


class RecordClass(models.TextChoices):
    ESCALATIONS = "escalations", "Escalations"
    CHILDREN = "children", "Children's records"
    SSDA903 = "ssda903", "903 return and case-management extract rows"
    ACCESS_LOG = "access_log", "Access log entries"
    IMPORT_JOBS = "import_jobs", "Import jobs"
    ISSUED_REPORTS = "issued_reports", "Issued committee reports"


class Action(models.TextChoices):
    DELETE = "delete", "Delete"
    ANONYMISE = "anonymise", "Anonymise"


class Unit(models.TextChoices):
    DAYS = "days", "days"
    MONTHS = "months", "months"
    YEARS = "years", "years"


@dataclass(frozen=True)
class ClassInfo:
    code: RecordClass
    record: str  # what one record of the class is, with what goes with it
    counted_from: str  # "6 years after <counted_from>"
    keep_for: int
    unit: str
    reason: str
    actions: tuple[str, ...] = (Action.DELETE,)  # what may be done when the time is up; the first is the default's
    anonymise_means: str = ""  # what "anonymise" keeps and removes ("" when it cannot be anonymised)
    follows_case_record: bool = False  # kept while a child's case record is (RECORDS_CASE_RECORD_UNTIL_AGE)

    @property
    def label(self) -> str:
        return RecordClass(self.code).label

    @property
    def action(self) -> str:
        """The default rule's action."""
        return self.actions[0]


CLASSES: dict[str, ClassInfo] = {
    info.code: info
    for info in (
        ClassInfo(
            code=RecordClass.ESCALATIONS,
            record=(
                "An escalation with its steps, notes, case story, emails, the access log of its page, legal holds "
                "that have been lifted, and the audit trail of all of these."
            ),
            counted_from="it was closed",
            actions=(Action.DELETE, Action.ANONYMISE),
            anonymise_means=(
                "The children are unlinked and every text typed into it (the concern, the outcome wanted, responses, "
                "actions agreed, reasons, the Cafcass reason) is removed, here and in its audit trail; its notes, "
                "case story, emails and access log go. Its dates, stages, themes and outcome stay, so the committee "
                "report's past figures do not change."
            ),
            keep_for=6,
            unit=Unit.YEARS,
            reason=(
                "Six years after it closed: the time in which a claim about how the council handled a child's "
                "care can usually be brought (Limitation Act 1980), and long enough for several years of committee "
                "reports to compare. An escalation is also kept while any of its children's case records is."
            ),
            follows_case_record=True,
        ),
        ClassInfo(
            code=RecordClass.CHILDREN,
            record=(
                "A child's record (name, date of birth, case ID, legal status, team, IRO) with its audit trail, "
                "their access log, their subject access exports and legal holds that have been lifted. Only once no "
                "escalation about them is left."
            ),
            counted_from="they stopped being looked after",
            keep_for=6,
            unit=Unit.YEARS,
            reason=(
                "The record here only names the child for their escalations and the drift watch; the council's "
                "case-management system holds the case record. Six years after they left care, and once their "
                "escalations have gone, it is not needed. It is also kept while their case record is."
            ),
            follows_case_record=True,
        ),
        ClassInfo(
            code=RecordClass.SSDA903,
            record=(
                "One child's rows from the SSDA903 return (header, episodes, reviews, missing episodes, UASC) "
                "and from the case-management extract and the drift watch, with their audit trail."
            ),
            counted_from="the child stopped being looked after",
            keep_for=2,
            unit=Unit.YEARS,
            reason=(
                "A copy of the council's case-management data, used here for the child's page, the drift watch and "
                "the committee report while the child is looked after. Two years covers the reporting year they "
                "left care in and the year after, which the committee report compares with it."
            ),
        ),
        ClassInfo(
            code=RecordClass.ACCESS_LOG,
            record="One entry of the access log: who opened which child's or escalation's page, and when.",
            counted_from="the page was opened",
            keep_for=3,
            unit=Unit.YEARS,
            reason=(
                "Long enough to answer a request about who has seen a child's information and to look into a "
                "complaint or a breach found late; kept longer, it becomes a record of staff activity for its own "
                "sake. Entries about an escalation or a child that is deleted go with it, whatever their age."
            ),
        ),
        ClassInfo(
            code=RecordClass.IMPORT_JOBS,
            record="The record of one check or import of an uploaded log: the file's name, its problems and counts.",
            counted_from="the job ended (or was started, if it never ended)",
            keep_for=90,
            unit=Unit.DAYS,
            reason=(
                "A job's problems can quote children's case IDs. The escalations it imported keep their own audit "
                "trail ('Imported from' the file), so the job is only needed while someone may ask how an upload went."
            ),
        ),
        ClassInfo(
            code=RecordClass.ISSUED_REPORTS,
            record="One issued version of the committee report, with its files and audit trail.",
            counted_from="it was issued",
            actions=(Action.ANONYMISE, Action.DELETE),
            anonymise_means=(
                "The facts kept for each escalation (for 'what changed since issuing') are removed; the paper's "
                "figures and files stay."
            ),
            keep_for=6,
            unit=Unit.YEARS,
            reason=(
                "The paper is the council's record of what the committee was told, and its published copy is kept "
                "with the committee's papers. After six years the escalation-by-escalation facts are no longer "
                "needed; the figures, which identify no one, stay."
            ),
        ),
    )
}

# The order a retention run acts in: a child's record only goes once their escalations have, and the
# access log entries that go with a record are counted with it, not on their own.
ORDER = (
    RecordClass.ESCALATIONS,
    RecordClass.CHILDREN,
    RecordClass.SSDA903,
    RecordClass.ACCESS_LOG,
    RecordClass.IMPORT_JOBS,
    RecordClass.ISSUED_REPORTS,
)

# Kept for a fixed time by other parts of the service, not by this schedule (shown on its page).
FIXED = (
    (
        "Uploaded escalation logs",
        "24 hours after their check, or at once when imported; removed nightly by prune_import_uploads",
    ),
    ("Subject access exports", "7 days after they are ready, or as soon as they are downloaded"),
    ("Finished background tasks and scheduler ticks", "30 days (the worker's own housekeeping)"),
    (
        "The report page's stored figures",
        "made again from the records on the next view; all deleted whenever a record is deleted or "
        "anonymised, and each night those over 10 minutes old",
    ),
    ("The audit trail", "as long as the record it is about: it is deleted, or anonymised, with it"),
    ("Tombstones and retention runs", "kept: they say what was deleted, under which rule and when, never the content"),
    (
        "Legal holds and erasure requests",
        "kept while the child's or escalation's record is; a lifted hold goes with its record",
    ),
)


def period_words(keep_for: int, unit: str) -> str:
    """ "6 years", "1 month", "90 days"."""
    word = Unit(unit).label
    return f"{keep_for} {word[:-1] if keep_for == 1 else word}"


def before(day: dt.date, keep_for: int, unit: str) -> dt.date:
    """The day ``keep_for`` units before ``day``: a record counted from this day or earlier is due on
    ``day``. Months and years keep the day number, or take the month's last day when it has none
    (29 February 2024 less a year is 28 February 2023)."""
    if unit == Unit.DAYS:
        return day - dt.timedelta(days=keep_for)
    months = keep_for * (12 if unit == Unit.YEARS else 1)
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
