from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from workdays.models import ClosureDay


@admin.register(ClosureDay)
class ClosureDayAdmin(SimpleHistoryAdmin):
    list_display = ["date", "reason"]
    date_hierarchy = "date"
