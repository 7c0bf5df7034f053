from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_page, name="page"),
    path("download/<str:fmt>/", views.report_download, name="download"),
    path("issue/", views.report_issue, name="issue"),
    path("issued/<int:pk>/<str:fmt>/", views.issued_download, name="issued_download"),
    path("stories/", views.stories_page, name="stories"),
    path("stories/<int:pk>/", views.story_change, name="story_change"),
]
