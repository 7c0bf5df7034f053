from django.urls import path

from records import views

app_name = "records"

urlpatterns = [
    path("", views.index, name="index"),
    path("exports/", views.exports, name="exports"),
    path("exports/<int:pk>/", views.export, name="export"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("holds/", views.holds, name="holds"),
    path("holds/<int:pk>/lift/", views.hold_lift, name="hold_lift"),
    path("retention/", views.schedule, name="schedule"),
    path("retention/dry-run/", views.dry_run, name="dry_run"),
    path("retention/runs/", views.runs, name="runs"),
    path("retention/runs/<int:pk>/", views.run, name="run"),
    path("retention/rules/<str:record_class>/", views.rule_change, name="rule_change"),
    path("erasure/", views.erasures, name="erasures"),
    path("erasure/<int:pk>/", views.erasure, name="erasure"),
]
