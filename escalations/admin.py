"""Escalations are read-only in the Django admin: every change goes through the workflow services,
so the rules, the denormalised fields and the audit trail stay right."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from escalations.models import Escalation, Step


class StepInline(admin.TabularInline):
    model = Step
    fields = ["sequence", "stage", "addressee", "sent_at", "due_at", "first_response_at", "responded_at", "result"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = ["reference", "iro", "raised_at", "status", "current_stage", "highest_stage", "next_due_at"]
    list_filter = ["status", "current_stage", "highest_stage", "source"]
    search_fields = ["reference"]
    date_hierarchy = "raised_at"
    inlines = [StepInline]
    list_select_related = ["iro", "current_stage", "highest_stage"]
