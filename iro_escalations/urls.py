from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "IRO Escalations administration"
admin.site.site_title = "IRO Escalations admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("children/", include("children.urls")),
    path("escalations/", include("escalations.urls")),
    path("reports/", include("reports.urls")),
    path("imports/", include("imports.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("access-log/", include("audit.urls")),
    path("emails/", include("notices.urls")),
    path("people/", include("people.urls")),
    path("api/v1/", include("api.urls")),
    path("drift/", include("drift.urls")),
    path("case-extract/", include("extract.urls")),
    path("records/", include("records.urls")),
    path("", include("core.urls")),
]
