"""API keys in the Django admin: an admin makes a key (shown once, on the next page), sees each key's
account, scope and last use, and revokes keys. Keys are never changed or deleted otherwise: their
uses stay on record."""

from django import forms
from django.contrib import admin, messages
from rest_framework_api_key.models import APIKey
from simple_history.admin import SimpleHistoryAdmin

from api import services
from api.models import KeyUse, ServiceKey
from api.selectors import api_key_list
from core.errors import DomainError

# djangorestframework-api-key's own key model is not used: every key here is a ServiceKey.
if admin.site.is_registered(APIKey):
    admin.site.unregister(APIKey)


class ServiceKeyAddForm(forms.ModelForm):
    class Meta:
        model = ServiceKey
        fields = ["name", "user", "scope", "expiry_date"]

    def clean(self):
        data = super().clean()
        try:
            services.api_key_check(
                name=data.get("name", ""),
                user=data.get("user"),
                scope=data.get("scope", ""),
                expires_at=data.get("expiry_date"),
            )
        except DomainError as error:
            self.add_error(error.field if error.field in self.fields else None, error.message)
        return data


@admin.register(ServiceKey)
class ServiceKeyAdmin(SimpleHistoryAdmin):
    list_display = ["prefix", "name", "user", "scope", "created", "expiry_date", "revoked", "last_used_at"]
    list_filter = ["scope", "revoked"]
    search_fields = ["name", "prefix", "user__username"]
    raw_id_fields = ["user"]
    actions = ["revoke"]

    def get_queryset(self, request):
        return api_key_list()

    @admin.display(description="Last used")
    def last_used_at(self, key):
        return key.last_used_at

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ServiceKeyAddForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [
            "prefix",
            "name",
            "user",
            "scope",
            "created",
            "created_by",
            "expiry_date",
            "revoked",
            "revoked_at",
            "revoked_by",
        ]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "user", "scope", "expiry_date"]
        return self.get_readonly_fields(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            return  # nothing on a key is changed here: revoke it with the action
        key, secret = services.api_key_create(
            name=obj.name, user=obj.user, scope=obj.scope, by=request.user, expires_at=obj.expiry_date
        )
        obj.pk, obj.prefix = key.pk, key.prefix
        messages.warning(
            request,
            f"The key for {key.name} is {secret} . Copy it now and give it to whoever runs the service account: "
            "it is stored only as a hash and will not be shown again.",
        )

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: a key's uses stay on record

    @admin.action(description="Revoke the selected keys (they stop working at once, for good)")
    def revoke(self, request, queryset):
        for key in queryset:
            services.api_key_revoke(key=key, by=request.user)
        messages.success(request, f"{queryset.count()} key(s) revoked.")


@admin.register(KeyUse)
class KeyUseAdmin(admin.ModelAdmin):
    list_display = ["at", "key", "method", "path", "status"]
    list_filter = ["status", "method"]
    search_fields = ["key__prefix", "key__name", "path"]
    list_select_related = ["key"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
