from django.urls import path

from drift import views

app_name = "drift"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("all/", views.all_flags, name="all"),
]
