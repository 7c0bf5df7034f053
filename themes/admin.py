from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from themes.models import DriftReason, Outcome, SubTheme, Theme


class RetireNotDeleteAdmin(SimpleHistoryAdmin):
    list_display = ["code", "label", "order", "active"]
    list_filter = ["active"]
    search_fields = ["code", "label"]

    def has_delete_permission(self, request, obj=None):
        return False  # retire instead (untick "active"), so history keeps its meaning


class SubThemeInline(admin.TabularInline):
    model = SubTheme
    extra = 0
    fields = ["code", "label", "order", "active"]
    can_delete = False


@admin.register(Theme)
class ThemeAdmin(RetireNotDeleteAdmin):
    inlines = [SubThemeInline]


@admin.register(SubTheme)
class SubThemeAdmin(RetireNotDeleteAdmin):
    list_display = ["theme", "code", "label", "order", "active"]
    list_filter = ["active", "theme"]


admin.site.register(DriftReason, RetireNotDeleteAdmin)
admin.site.register(Outcome, RetireNotDeleteAdmin)
