from django.urls import path

from extract import views

app_name = "extract"

urlpatterns = [
    path("", views.upload, name="upload"),
]
