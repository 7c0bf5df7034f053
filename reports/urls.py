from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_page, name="page"),
    path("download/<str:fmt>/", views.report_download, name="download"),
    path("issue/", views.report_issue, name="issue"),
    path("issue/jobs/<int:pk>/", views.issue_job, name="issue_job"),
    path("issue/jobs/<int:pk>/progress/", views.issue_job_progress, name="issue_job_progress"),
    path("issue/jobs/<int:pk>/retry/", views.issue_job_retry, name="issue_job_retry"),
    path("issued/<int:pk>/", views.issued_page, name="issued"),
    path("issued/<int:pk>/<str:fmt>/", views.issued_download, name="issued_download"),
    path("settings/", views.settings_page, name="settings"),
    path("paper/", views.paper_page, name="paper"),
    path("paper/cover/", views.paper_cover, name="paper_cover"),
    path("paper/themes/", views.paper_themes, name="paper_themes"),
    path("paper/documents/", views.paper_documents, name="paper_documents"),
    path("paper/section/<str:key>/", views.paper_section, name="paper_section"),
    path("overrides/", views.overrides_page, name="overrides"),
    path("overrides/<int:pk>/", views.override_decide, name="override_decide"),
    path("stories/", views.stories_page, name="stories"),
    path("stories/<int:pk>/", views.story_change, name="story_change"),
]
