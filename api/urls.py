"""The API, under /api/v1/ (``iro_escalations.urls``). Ids in paths are matched as any text and
checked by the views, so a malformed one is a 404 problem like any unknown record."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api import views

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves the page's script as a file (?script), for the strict CSP (no inline script).
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
    path("vocabularies/", views.VocabulariesView.as_view(), name="vocabularies"),
    path("managers/", views.ManagersView.as_view(), name="managers"),
    path("children/", views.ChildListView.as_view(), name="children"),
    path("children/upsert/", views.ChildUpsertView.as_view(), name="children_upsert"),
    path("children/<str:id>/", views.ChildDetailView.as_view(), name="child"),
    path("escalations/", views.EscalationListView.as_view(), name="escalations"),
    path("escalations/<str:id>/", views.EscalationDetailView.as_view(), name="escalation"),
    path("escalations/<str:id>/first-response/", views.FirstResponseView.as_view(), name="first_response"),
    path("escalations/<str:id>/respond/", views.RespondView.as_view(), name="respond"),
    path("escalations/<str:id>/escalate/", views.EscalateView.as_view(), name="escalate"),
    path("escalations/<str:id>/reassign/", views.ReassignView.as_view(), name="reassign"),
    path("escalations/<str:id>/resolve/", views.ResolveView.as_view(), name="resolve"),
    path("escalations/<str:id>/withdraw/", views.WithdrawView.as_view(), name="withdraw"),
    path("escalations/<str:id>/refer-to-cafcass/", views.CafcassView.as_view(), name="cafcass"),
    path("escalations/<str:id>/reopen/", views.ReopenView.as_view(), name="reopen"),
    path("escalations/<str:id>/notes/", views.NoteView.as_view(), name="note"),
    path("drift-flags/", views.DriftFlagListView.as_view(), name="drift_flags"),
    path("reports/committee/", views.CommitteeReportView.as_view(), name="committee_report"),
    path("reports/issued/", views.IssuedListView.as_view(), name="issued_reports"),
    path("reports/issued/<str:id>/", views.IssuedDetailView.as_view(), name="issued_report"),
    re_path(r"^.*$", views.not_found, name="not_found"),
]
