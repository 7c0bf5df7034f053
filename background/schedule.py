"""The periodic jobs, and when each is due. The worker's scheduler fires each due tick once
(``background.services.schedule_tick``), whichever worker gets there first.

A job names its task by dotted path, so this module imports no other app.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from workdays.clock import WorkingCalendar

EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Periodic:
    name: str
    task: str  # dotted path to a django_tasks Task
    every: dt.timedelta | None = None  # fire once in each period of this length
    at: dt.time | None = None  # or once a day, at this London time or as soon after as a worker runs
    working_days_only: bool = False

    def slot(self, now: dt.datetime, calendar: WorkingCalendar) -> dt.datetime | None:
        """The start of the period ``now`` falls in, if the job is due in it; None if not due now.

        - ``every``: the periods are aligned to midnight UTC on 1 January 2000, so every worker
          agrees on them;
        - ``at``: today (London) at that time, once it has come; not on a weekend, bank holiday or
          closure day if ``working_days_only``.
        """
        if self.every is not None:
            periods = (now - EPOCH) // self.every
            return EPOCH + periods * self.every
        local = timezone.localtime(now)
        if self.working_days_only and not calendar.is_working_day(local.date()):
            return None
        start = timezone.make_aware(dt.datetime.combine(local.date(), self.at))
        return start if now >= start else None


def schedule() -> tuple[Periodic, ...]:
    """The periodic jobs (README "The background worker")."""
    return (
        # Notices are also delivered as soon as the change that writes them commits; this catches any
        # whose delivery was missed (a worker stopped, the mail server down) and the clock-driven ones.
        Periodic(
            "notices.deliver",
            "notices.tasks.notices_deliver",
            every=dt.timedelta(seconds=settings.NOTICE_DELIVER_EVERY_SECONDS),
        ),
        # Daily summaries, and the service managers' digest of overdue replies, on working mornings.
        Periodic("notices.morning", "escalations.tasks.morning_notices", at=dt.time(9, 0), working_days_only=True),
        # The drift watch: every child's statutory clocks as of the new day, then each IRO's digest of
        # what is new (the digest refreshes first if the night's run was missed).
        Periodic("drift.refresh", "drift.tasks.drift_refresh_nightly", at=dt.time(1, 0)),
        Periodic("drift.morning", "drift.tasks.drift_morning", at=dt.time(9, 0), working_days_only=True),
        # Uploaded logs name children: none is kept longer than its job needs it.
        Periodic("imports.prune_uploads", "imports.tasks.prune_import_uploads", at=dt.time(2, 0)),
        # Subject access exports not downloaded within 7 days lose their file.
        Periodic("records.expire_exports", "records.tasks.expire_subject_access_exports", every=dt.timedelta(hours=1)),
        # The worker's own records of finished tasks and ticks.
        Periodic("background.prune", "background.tasks.prune_background_records", at=dt.time(3, 0)),
        # The data version's change rows (core.changes), folded into one count: the version does not move.
        Periodic("core.compact_changes", "core.tasks.compact_data_changes", at=dt.time(3, 30)),
        # The retention schedule (records): delete or anonymise what each record class's rule says is due,
        # once the night's other jobs (the drift refresh at 1am among them) are done.
        Periodic("records.retention", "records.tasks.apply_retention_schedule", at=dt.time(4, 0)),
        # The report page's stored figures (reports.services.report_page_content) too old to be shown.
        Periodic("reports.prune_pages", "reports.tasks.prune_report_pages", at=dt.time(4, 30)),
    )
