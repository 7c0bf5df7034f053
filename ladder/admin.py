from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from escalations.services import stage_save
from ladder.models import LadderSettings, Stage


@admin.register(Stage)
class StageAdmin(SimpleHistoryAdmin):
    list_display = ["order", "code", "label", "formal", "target_working_days", "active"]
    list_display_links = ["code"]
    list_editable = ["label", "formal", "target_working_days", "active"]

    def save_model(self, request, obj, form, change):
        stage_save(stage=obj, by=request.user)  # and the escalations at the stage get its new order

    def has_delete_permission(self, request, obj=None):
        return False  # retire instead: steps keep pointing at their stage


@admin.register(LadderSettings)
class LadderSettingsAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "first_response_hours", "process_cap_working_days"]

    def has_add_permission(self, request):
        return not LadderSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
