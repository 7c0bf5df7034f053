"""The extract's data is read-only in the admin: it only changes through the import (extract.services)."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from extract.models import Allocation, CarePlan, ExtractImportRun, Visit


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    list_display = ["child", "date", "seen", "seen_alone"]
    list_filter = ["seen", "seen_alone"]
    search_fields = ["child__case_id"]
    list_select_related = ["child"]
    date_hierarchy = "date"


@admin.register(CarePlan)
class CarePlanAdmin(ReadOnlyAdmin):
    list_display = ["child", "start", "end"]
    search_fields = ["child__case_id"]
    list_select_related = ["child"]


@admin.register(Allocation)
class AllocationAdmin(ReadOnlyAdmin):
    list_display = ["child", "worker", "role", "team", "start", "end"]
    search_fields = ["child__case_id", "worker", "team"]
    list_select_related = ["child"]


@admin.register(ExtractImportRun)
class ExtractImportRunAdmin(admin.ModelAdmin):
    list_display = ["imported_at", "imported_by", "source", "tables"]
    readonly_fields = ["imported_at", "imported_by", "source", "tables", "counts", "warnings"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
