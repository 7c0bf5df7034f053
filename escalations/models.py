from django.db import models
from django.db.models import BooleanField, ExpressionWrapper, F, Q
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from escalations.states import EscalationState

# "Not due" (no reply awaited) as a sort key that sorts after every due time, in both directions and
# on both databases: an index can serve it, which ``next_due_at DESC NULLS LAST`` cannot on SQLite.
NOT_DUE = ExpressionWrapper(Q(next_due_at__isnull=True), output_field=BooleanField())
# No current stage, likewise: sorted by the stage, those without one come last either way. On the
# stage's order kept on the row (``current_stage_order``: empty exactly when there is no stage).
NO_STAGE = ExpressionWrapper(Q(current_stage_order__isnull=True), output_field=BooleanField())


class EscalationStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Source(models.TextChoices):
    APP = "app", "Entered in the app"
    IMPORT = "import", "Imported from a log"


# The escalation's copies of other records' values, kept on the row so that a list sorts on an
# index: the current stage's order, the IRO's name as it sorts and the current step's reply time.
# Never news on their own (escalations.selectors.CHANGE_HIDDEN), and not shown in an audit trail
# (audit.selectors.audit_entries_for reads ``audit_unshown``): the records they copy have their own.
KEPT_COPIES = frozenset({"current_stage_order", "iro_sort_key", "current_responded_at"})


class Escalation(models.Model):
    """An IRO's representation about one or more children's plans.

    The fields under "maintained by the services" are denormalised from the steps so that inboxes,
    lists and reports never scan the steps. Only ``escalations.services`` writes them.
    """

    reference = models.CharField(max_length=40)
    iro = models.ForeignKey(
        "people.User",
        on_delete=models.PROTECT,
        related_name="escalations_raised",
        verbose_name="IRO",
        db_index=False,  # esc_iro_status_idx and esc_iro_raised_idx start with it
    )
    children = models.ManyToManyField("children.Child", related_name="escalations")
    raised_at = models.DateTimeField()
    raised_date_only = models.BooleanField(
        default=False, help_text="Imported with a date but no time: timeliness is judged on dates alone."
    )
    concern = models.TextField()
    desired_outcome = models.TextField(blank=True)

    themes = models.ManyToManyField("themes.Theme", blank=True, related_name="escalations")
    subthemes = models.ManyToManyField("themes.SubTheme", blank=True, related_name="escalations")
    drift_reasons = models.ManyToManyField("themes.DriftReason", blank=True, related_name="escalations")

    status = models.CharField(max_length=10, choices=EscalationStatus.choices, default=EscalationStatus.OPEN)
    outcome = models.ForeignKey("themes.Outcome", null=True, blank=True, on_delete=models.PROTECT)
    closed_at = models.DateTimeField(null=True, blank=True)

    cafcass_referred_on = models.DateField("Cafcass referral date", null=True, blank=True)
    cafcass_reason = models.TextField("Cafcass referral reason", blank=True)

    source = models.CharField(max_length=10, choices=Source.choices, default=Source.APP)

    # Maintained by the services. Indexed for SQLite's foreign key checks: storing a step looks
    # for the escalations that point at it (an import stores them first). The others have no
    # single-column index: a composite index in Meta starts with each of them.
    current_step = models.ForeignKey(
        "escalations.Step", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    current_stage = models.ForeignKey(
        "ladder.Stage", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    current_addressee = models.ForeignKey(
        "people.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # The current stage's ``order``, kept on the row so that the stage sort reads an index (a join
    # to the ladder cannot be read in order). Set with ``current_stage`` when a step is sent
    # (``escalations.services.escalation_fields_on_send``), and again when the ladder is reordered
    # (``escalations.services.stage_save``).
    current_stage_order = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    # The IRO's name as it sorts (``people.models.name_sort_key``), kept on the row so that the IRO
    # sort reads an index (a join to the IRO's name cannot be read in order). Set with the IRO
    # (``escalations.services.escalation_raise``, the log import) and again when the IRO's name
    # changes (``escalations.services.user_save``).
    iro_sort_key = models.CharField(max_length=460, blank=True, editable=False)
    # When the current step was replied to (its ``responded_at``; empty until then, and again when a
    # new step is sent): set by ``escalation_respond`` and ``escalation_fields_on_send``. The
    # inbox's "answered" list and the IRO's decisions are ranges of an index on it.
    current_responded_at = models.DateTimeField(null=True, blank=True, editable=False)
    highest_stage = models.ForeignKey(
        "ladder.Stage", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    next_due_at = models.DateTimeField(
        null=True, blank=True, help_text="When the current step's response is due; empty once answered or closed."
    )
    first_response_at = models.DateTimeField(null=True, blank=True)
    first_response_date_only = models.BooleanField(default=False)
    formal_started_at = models.DateTimeField(
        null=True, blank=True, help_text="When the first formal step was sent: the 20-working-day cap starts here."
    )
    version = models.PositiveIntegerField(default=1, help_text="Bumped by every change; refuses stale updates.")
    # Re-import tracking (imports app): the hash of the log row last imported, and the version it
    # left; "imported and not edited since" is version == imported_version.
    import_row_hash = models.CharField(max_length=64, blank=True)
    imported_version = models.PositiveIntegerField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The audit is read by the record's id (and each link's audit by its audit row), never by
    # the columns it copies: no index on the copies of the foreign keys (AUDIT_UNINDEXED).
    history = HistoricalRecords(
        m2m_fields=[children, themes, subthemes, drift_reasons],
        no_db_index=[
            "iro",
            "outcome",
            "current_step",
            "current_stage",
            "current_addressee",
            "highest_stage",
            "escalation",
            "child",
            "theme",
            "subtheme",
            "driftreason",
        ],
    )

    class Meta:
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(Lower("reference"), name="escalation_reference_unique_ci"),
            models.CheckConstraint(
                condition=(models.Q(status="open", closed_at__isnull=True, outcome__isnull=True))
                | (models.Q(status="closed", closed_at__isnull=False, outcome__isnull=False)),
                name="escalation_closed_has_outcome",
                violation_error_message=(
                    "A closed escalation needs an outcome and a closing time; an open one has neither."
                ),
            ),
        ]
        # Lists sort by a column, then newest first (raised_at, id descending: escalations.selectors
        # ESCALATION_SORTS); each sort has an index that gives its rows in order, so a page reads
        # its own rows and not the table (tests/escalations/test_plans.py checks the plans).
        indexes = [
            models.Index(fields=["status", "next_due_at"], name="esc_status_due_idx"),
            # The open (or closed) ones newest first: a deep page of them skips only their own rows.
            models.Index(fields=["status", "raised_at", "id"], name="esc_status_raised_idx"),
            # An IRO's open or closed escalations, newest first (My escalations).
            models.Index(fields=["iro", "status", "raised_at", "id"], name="esc_iro_status_idx"),
            # An IRO's open escalations whose reply has come, longest waiting first (their decisions
            # needed; the navigation's count).
            models.Index(fields=["iro", "status", "current_responded_at", "id"], name="esc_iro_replied_idx"),
            # One IRO's escalations newest first, whatever their status (the list filtered by IRO).
            models.Index(fields=["iro", "raised_at", "id"], name="esc_iro_raised_idx"),
            # Sorted by IRO, A to Z or Z to A, each IRO's escalations newest first.
            models.Index(F("iro_sort_key"), F("raised_at").desc(), F("id").desc(), name="esc_iro_name_idx"),
            models.Index(F("iro_sort_key").desc(), F("raised_at").desc(), F("id").desc(), name="esc_iro_name_desc_idx"),
            # A manager's inbox: what awaits their reply, soonest due first (and the navigation's
            # count), and what they have answered, latest first.
            models.Index(fields=["current_addressee", "status", "next_due_at", "id"], name="esc_addressee_due_idx"),
            models.Index(
                fields=["current_addressee", "status", "current_responded_at", "id"], name="esc_addressee_replied_idx"
            ),
            # Sorted by the current stage: each stage's escalations newest first.
            models.Index(fields=["current_stage", "raised_at", "id"], name="esc_stage_raised_idx"),
            models.Index(fields=["highest_stage", "raised_at"], name="esc_highest_stage_idx"),
            # Newest (or oldest) first; a period's escalations (reports, the dashboard).
            models.Index(fields=["raised_at", "id"], name="esc_raised_id_idx"),
            models.Index(fields=["closed_at"], name="esc_closed_idx"),
            # The dashboard's open escalations by current stage (dashboard.selectors): the open ones are one
            # range of this index, counted by stage from the index alone.
            models.Index(fields=["status", "current_stage"], name="esc_open_stage_idx"),
            # Sorted by response due, soonest or latest first, those not due (NULL) last either way.
            models.Index(NOT_DUE, F("next_due_at"), F("raised_at").desc(), F("id").desc(), name="esc_due_soonest_idx"),
            models.Index(
                NOT_DUE, F("next_due_at").desc(), F("raised_at").desc(), F("id").desc(), name="esc_due_latest_idx"
            ),
            # Sorted by the current stage, most junior or most senior first, those without a stage
            # last either way.
            models.Index(
                NO_STAGE, F("current_stage_order"), F("raised_at").desc(), F("id").desc(), name="esc_stage_lowest_idx"
            ),
            models.Index(
                NO_STAGE,
                F("current_stage_order").desc(),
                F("raised_at").desc(),
                F("id").desc(),
                name="esc_stage_highest_idx",
            ),
        ]

    audit_unshown = KEPT_COPIES

    def __str__(self):
        return self.reference

    @property
    def state(self) -> EscalationState:
        if self.status == EscalationStatus.CLOSED:
            return EscalationState.CLOSED
        step = self.current_step
        if step is None or step.responded_at is None and step.first_response_at is None:
            return EscalationState.AWAITING_RESPONSE
        if step.responded_at is None:
            return EscalationState.ACKNOWLEDGED
        return EscalationState.RESPONDED


class StepResult(models.TextChoices):
    RESOLVED = "resolved", "Resolved"
    ESCALATED = "escalated", "Escalated"
    REASSIGNED = "reassigned", "Reassigned"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Step(models.Model):
    """The escalation sent to one person at one stage of the ladder."""

    # No single-column indexes where a composite index in Meta starts with the column.
    escalation = models.ForeignKey(Escalation, on_delete=models.PROTECT, related_name="steps", db_index=False)
    sequence = models.PositiveSmallIntegerField()
    stage = models.ForeignKey("ladder.Stage", on_delete=models.PROTECT, related_name="steps", db_index=False)
    addressee = models.ForeignKey(
        "people.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="steps_addressed",
        help_text="Empty only for steps imported from a log that did not name the person.",
        db_index=False,
    )
    sent_at = models.DateTimeField()
    sent_by = models.ForeignKey("people.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    sent_for = models.ForeignKey(
        "people.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The manager it was meant for, when they were away and it went to their delegate.",
    )
    sent_reason = models.TextField(blank=True, help_text="Why it was escalated to this stage, or reopened.")

    # Fixed when the step is sent: a later change to the ladder or the closure days never moves them.
    target_working_days = models.PositiveSmallIntegerField()
    due_on = models.DateField(help_text="The last working day for the response.")
    due_at = models.DateTimeField(help_text="The end of the due day: a response before this is on time.")

    first_response_at = models.DateTimeField(null=True, blank=True)
    first_response_date_only = models.BooleanField(default=False)
    first_response_by = models.ForeignKey(
        "people.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who recorded it: the addressee, or the service manager for them.",
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        "people.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who recorded it: the addressee, or the service manager for them.",
    )
    response = models.TextField(blank=True)
    action_agreed = models.TextField(blank=True)
    action_due_on = models.DateField(null=True, blank=True)

    result = models.CharField(max_length=12, choices=StepResult.choices, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey("people.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    end_reason = models.TextField(blank=True, help_text="Why it was resolved or withdrawn.")

    history = HistoricalRecords(
        no_db_index=[
            "escalation",
            "stage",
            "addressee",
            "sent_by",
            "sent_for",
            "first_response_by",
            "responded_by",
            "ended_by",
        ]
    )

    class Meta:
        ordering = ["escalation", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["escalation", "sequence"], name="step_sequence_unique"),
            models.CheckConstraint(
                condition=models.Q(result="", ended_at__isnull=True)
                | (~models.Q(result="") & models.Q(ended_at__isnull=False)),
                name="step_result_has_end",
                violation_error_message="A step has a result exactly when it has ended.",
            ),
        ]
        indexes = [
            models.Index(fields=["addressee", "result", "due_at"], name="step_inbox_idx"),
            # The inbox's *Earlier* list (escalations ever sent to the manager): its semi-join reads
            # the manager's steps in escalation order from this index alone.
            models.Index(fields=["addressee", "escalation"], name="step_addressee_esc_idx"),
            models.Index(fields=["stage", "sent_at"], name="step_stage_sent_idx"),
        ]

    def __str__(self):
        return f"{self.escalation_id} step {self.sequence}: {self.stage}"


class Note(models.Model):
    """A question or an update on an open escalation that is not a formal step: from the IRO, the
    addressee or the service manager. Append-only (PostgreSQL refuses UPDATE and DELETE on it),
    shown on the timeline, never in an Open report."""

    APPEND_ONLY = True  # audit.services.audit_protect_tables puts the append-only trigger on it

    escalation = models.ForeignKey(Escalation, on_delete=models.PROTECT, related_name="notes", db_index=False)
    author = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["escalation", "created_at", "pk"]
        indexes = [
            models.Index(fields=["escalation", "created_at"], name="note_escalation_idx"),
        ]

    def __str__(self):
        return f"Note on {self.escalation_id} by {self.author_id}"


class ReferenceCounter(models.Model):
    """The last number used for generated references, per year."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)
