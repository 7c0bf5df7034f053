"""903 data is read-only in the admin: it only changes through the import (ssda903.services)."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from ssda903.models import Episode, HeaderRecord, ImportRun, MissingEpisode, Review, UascRecord


@admin.register(HeaderRecord)
class HeaderRecordAdmin(ReadOnlyAdmin):
    list_display = ["child", "ethnicity", "upn", "mother", "mother_child_dob"]
    search_fields = ["child__case_id", "upn"]
    list_select_related = ["child"]


@admin.register(Episode)
class EpisodeAdmin(ReadOnlyAdmin):
    list_display = ["child", "start", "end", "legal_status", "placement_type", "placement_postcode", "reason_ended"]
    list_filter = ["legal_status", "placement_type", "reason_ended"]
    search_fields = ["child__case_id"]
    list_select_related = ["child"]
    date_hierarchy = "start"


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["child", "date", "participation"]
    list_filter = ["participation"]
    search_fields = ["child__case_id"]
    list_select_related = ["child"]
    date_hierarchy = "date"


@admin.register(MissingEpisode)
class MissingEpisodeAdmin(ReadOnlyAdmin):
    list_display = ["child", "kind", "start", "end"]
    list_filter = ["kind"]
    search_fields = ["child__case_id"]
    list_select_related = ["child"]


@admin.register(UascRecord)
class UascRecordAdmin(ReadOnlyAdmin):
    list_display = ["child", "ceased"]
    search_fields = ["child__case_id"]
    list_select_related = ["child"]


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["imported_at", "year", "directory"]
    readonly_fields = ["year", "imported_at", "directory", "counts", "warnings"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
