from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from children.models import Child, SiblingGroup


@admin.register(Child)
class ChildAdmin(SimpleHistoryAdmin):
    list_display = ["case_id", "first_name", "last_name", "iro", "team", "details_to_complete"]
    list_filter = ["details_to_complete", "team"]
    search_fields = ["case_id", "first_name", "last_name"]
    raw_id_fields = ["iro", "sibling_group"]


@admin.register(SiblingGroup)
class SiblingGroupAdmin(SimpleHistoryAdmin):
    search_fields = ["name"]
