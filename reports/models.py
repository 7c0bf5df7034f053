from django.db import models
from simple_history.models import HistoricalRecords


class Classification(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class ReportSettings(models.Model):
    """How the committee report is published. There is exactly one row, changed on the service
    manager's *Report settings* page (``reports.services.report_settings_update``)."""

    SINGLETON_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    classification = models.CharField(max_length=10, choices=Classification.choices, default=Classification.OPEN)
    suppress_small_numbers = models.BooleanField(
        default=True,
        help_text=(
            "In Open reports, hide counts below the threshold, and every count, percentage or change "
            "they could be worked out from."
        ),
    )
    small_number_threshold = models.PositiveSmallIntegerField(
        default=5, help_text="Counts from 1 up to one less than this are suppressed."
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "report settings"
        verbose_name_plural = "report settings"
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="report_settings_singleton")]

    def __str__(self):
        return "Report settings"


class CaseStory(models.Model):
    """An anonymised case story for the committee report, drafted from structured fields."""

    escalation = models.OneToOneField("escalations.Escalation", on_delete=models.PROTECT, related_name="story")
    include_in_report = models.BooleanField(default=True)
    drafted_text = models.TextField(help_text="What the system drafted from the structured fields.")
    text = models.TextField(help_text="What the report prints: the draft, as edited by the service manager.")
    what_happened_next = models.TextField(
        blank=True, help_text="What happened after the escalation, as the service manager writes it."
    )
    updated_by = models.ForeignKey("people.User", null=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "case stories"
        indexes = [models.Index(fields=["include_in_report"], name="story_included_idx")]

    def __str__(self):
        return f"Story for {self.escalation}"


class StoryOverride(models.Model):
    """Overrides recorded before an override needed a second person's approval.

    Read by nothing: the identifier check honours only approved :class:`TextOverride` rows. Kept,
    with its history, for the audit trail.
    """

    story = models.ForeignKey(CaseStory, on_delete=models.PROTECT, related_name="overrides")
    term = models.CharField(max_length=200, help_text="The flagged text, exactly as the check found it.")
    kind = models.CharField(max_length=60)
    reason = models.TextField()
    story_text = models.TextField(help_text="The story text the override was given for.")
    created_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    def __str__(self):
        return f"Override of {self.term!r} on {self.story}"


class OverrideStatus(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"


class TextOverride(models.Model):
    """A request, then a second person's decision, that a word the identifier check flags in one text
    of the paper is not an identifier (for example "May" the month, where a child is called May).

    Only a possible false positive may be overridden: a single name token that is also an ordinary
    word (``reports.identifiers.Problem.overridable``). It holds for that exact text only, and only
    once approved by another service manager or an admin.
    """

    subject = models.CharField(max_length=120, help_text="Which text: story:12:text, paper:3:background ...")
    text = models.TextField(help_text="The exact text the override was asked for.")
    term = models.CharField(max_length=200, help_text="The flagged word, exactly as the check found it.")
    kind = models.CharField(max_length=60)
    reason = models.TextField()
    requested_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=OverrideStatus.choices, default=OverrideStatus.PENDING)
    decided_by = models.ForeignKey("people.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        indexes = [models.Index(fields=["subject", "status"], name="override_subject_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True) | ~models.Q(decided_by=models.F("requested_by")),
                name="override_decided_by_another",
                violation_error_message="An override is decided by someone other than the person who asked.",
            ),
            models.CheckConstraint(
                condition=models.Q(status="pending", decided_by__isnull=True, decided_at__isnull=True)
                | (~models.Q(status="pending") & models.Q(decided_by__isnull=False, decided_at__isnull=False)),
                name="override_decision_recorded",
                violation_error_message="A decided override records who decided it and when.",
            ),
        ]

    def __str__(self):
        return f"Override of {self.term!r} in {self.subject} ({self.status})"


class Paper(models.Model):
    """The committee paper for one period: its cover details, audit trail and text sections, as the
    service manager edits them. The figures come from the records (``reports.selectors``)."""

    period_start = models.DateField()
    period_end = models.DateField()
    item_number = models.CharField(max_length=20, blank=True)
    meeting_name = models.CharField(max_length=120, blank=True)
    meeting_date = models.DateField(null=True, blank=True)
    title = models.CharField(max_length=200, default="Independent Reviewing Officer (IRO) escalations")
    wards = models.CharField(max_length=200, default="All", help_text="Ward(s) or groups affected.")
    version_label = models.CharField(max_length=40, default="Final", help_text="The audit trail's Version.")
    dated = models.DateField(null=True, blank=True, help_text="The audit trail's Dated.")
    key_decision = models.BooleanField(default=False)
    sent_to_constitutional_officer = models.DateField(null=True, blank=True)
    background_documents = models.JSONField(default=list, blank=True, help_text="[{title, held_at, contact}]")
    appendices = models.JSONField(default=list, blank=True, help_text="[{title}], after the figures (appendix 1)")
    consultation = models.JSONField(default=list, blank=True, help_text="[{officer, sought, included}]")
    updated_by = models.ForeignKey("people.User", null=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["period_start", "period_end"], name="paper_period_unique")]

    def __str__(self):
        return f"Committee paper {self.period_start} to {self.period_end}"


class PaperSection(models.Model):
    """One text section of a paper (``reports.drafting.SECTIONS``), or a theme's commentary
    (``theme:<code>``), as edited. A section the service manager has not saved is drafted afresh from
    the records each time; a saved one keeps the figures it was drafted from, or confirmed against,
    so a number that no longer matches the records is flagged before the paper is issued."""

    # No index of its own: the unique (paper, key) index starts with it.
    paper = models.ForeignKey(Paper, on_delete=models.PROTECT, related_name="sections", db_index=False)
    key = models.CharField(max_length=80)
    text = models.TextField(blank=True)
    figures = models.JSONField(default=dict, blank=True, help_text="The figures the text states, as checked.")
    updated_by = models.ForeignKey("people.User", null=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["paper", "key"], name="paper_section_unique")]

    def __str__(self):
        return f"{self.key} of {self.paper}"


class IssuedReport(models.Model):
    """A frozen committee report: its JSON and files as issued. Never changed afterwards."""

    period_start = models.DateField()
    period_end = models.DateField()
    version = models.PositiveIntegerField()
    issued_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField()
    data = models.JSONField()
    escalations = models.JSONField(
        default=dict, blank=True, help_text="Each escalation's facts when issued, for 'what changed since'."
    )
    pdf = models.BinaryField()
    docx = models.BinaryField()
    xlsx = models.BinaryField()
    html = models.TextField()

    history = HistoricalRecords(excluded_fields=["pdf", "docx", "xlsx", "html", "escalations"])

    class Meta:
        ordering = ["period_start", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["period_start", "period_end", "version"], name="issued_report_version_unique"
            ),
        ]

    def __str__(self):
        return f"Committee report {self.period_start} to {self.period_end}, version {self.version}"


class IssueJobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Issuing"
    DONE = "done", "Issued"
    FAILED = "failed", "Not issued"


class IssueJob(models.Model):
    """Issuing the report for a period, on the background worker: who asked, which version the
    confirmation page offered, and how it went. At most one job per period waits or runs at a time."""

    period_start = models.DateField()
    period_end = models.DateField()
    expected_version = models.PositiveIntegerField(help_text="The version the confirmation page offered.")
    requested_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=IssueJobStatus.choices, default=IssueJobStatus.QUEUED)
    issued = models.ForeignKey(IssuedReport, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    problem = models.TextField(blank=True, help_text="Why it was not issued.")
    worker_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["period_start", "period_end"],
                condition=models.Q(status__in=["queued", "running"]),
                name="issue_job_one_at_a_time",
            )
        ]
        indexes = [models.Index(fields=["period_start", "period_end", "status"], name="issue_job_period_idx")]

    def __str__(self):
        return f"Issue {self.period_start} to {self.period_end} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (IssueJobStatus.DONE, IssueJobStatus.FAILED)


class ReportSnapshot(models.Model):
    """What the report page shows for one period (the report as HTML, and what changed since the
    newest issued version), made from the records at ``version`` (``core.changes.data_version``) at
    ``made_at``, when everything else it may print from was ``inputs``
    (``reports.selectors.report_inputs_key``): by the background worker, or by the page itself
    (``reports.services.report_page_content``, which says when). A refusal by the identifier check
    is never stored. ``content_format`` is ``reports.services.SNAPSHOT_FORMAT`` when it was made: a
    row in another layout is made again, not read.

    ``wanted_at``: when a page last asked the worker for newer figures (cleared when they are made),
    so one request in all asks. Not history-tracked and not watched by the data version
    (``core.changes.UNWATCHED``): it can always be made again from the records, and records
    management deletes every row whenever it deletes or anonymises a record."""

    period_start = models.DateField()
    period_end = models.DateField()
    version = models.CharField(max_length=100)
    inputs = models.CharField(max_length=64)
    content_format = models.PositiveSmallIntegerField()
    made_at = models.DateTimeField()
    content = models.JSONField()
    wanted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["period_start", "period_end"], name="report_snapshot_period_unique")
        ]

    def __str__(self):
        return f"Report page {self.period_start} to {self.period_end}, made {self.made_at:%Y-%m-%d %H:%M}"
