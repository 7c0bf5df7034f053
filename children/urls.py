from django.urls import path

from children import views

app_name = "children"

urlpatterns = [
    path("", views.child_list, name="list"),
    path("<int:pk>/", views.detail, name="detail"),
]
