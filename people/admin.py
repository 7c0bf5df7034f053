from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from escalations.services import user_save
from people.models import Team, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    list_display = ["username", "first_name", "last_name", "role", "stage", "team", "is_active"]
    list_filter = ["role", "stage", "team", "is_active"]
    fieldsets = DjangoUserAdmin.fieldsets + (("Role", {"fields": ["role", "stage", "team"]}),)
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (("Role", {"fields": ["role", "stage", "team"]}),)

    def save_model(self, request, obj, form, change):
        user_save(user=obj, by=request.user)  # and the escalations they raised sort by their new name

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: escalations and the audit trail refer to people


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    search_fields = ["name"]
