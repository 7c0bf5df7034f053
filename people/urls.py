from django.urls import path

from people import views

app_name = "people"

urlpatterns = [
    path("absences/", views.absences, name="absences"),
    path("absences/<int:pk>/cancel/", views.absence_end, name="absence_cancel"),
]
