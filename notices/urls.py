from django.urls import path

from notices import views

app_name = "notices"

urlpatterns = [
    path("settings/", views.preferences, name="settings"),
    path("failed/", views.failed, name="failed"),
    path("failed/<int:pk>/retry/", views.retry, name="retry"),
    path("sent/", views.sent, name="sent"),
]
