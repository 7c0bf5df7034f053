from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [
    path("child/<int:pk>/", views.child_access_log, name="child_access_log"),
]
