"""The rule-to-theme map is edited here (one row per rule: change, never add or delete). The flags and
the refreshes are read-only: only drift.services writes them."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from drift.models import DriftFlag, DriftRun, RuleTheme


@admin.register(RuleTheme)
class RuleThemeAdmin(SimpleHistoryAdmin):
    list_display = ["rule", "theme", "subtheme"]
    list_select_related = ["theme", "subtheme"]
    readonly_fields = ["rule"]
    fields = ["rule", "theme", "subtheme"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DriftFlag)
class DriftFlagAdmin(_ReadOnly):
    list_display = ["child", "rule", "due", "first_seen", "cleared_on", "escalation"]
    list_filter = ["rule"]
    search_fields = ["child__case_id"]
    list_select_related = ["child", "escalation"]
    date_hierarchy = "first_seen"


@admin.register(DriftRun)
class DriftRunAdmin(_ReadOnly):
    list_display = ["as_of", "started_at", "children", "created", "cleared", "open"]
