from django.urls import path

from escalations import views, views_oversight

app_name = "escalations"

urlpatterns = [
    path("mine/", views.my_escalations, name="mine"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/sent-before/", views.sent_before, name="sent_before"),
    path("all/", views_oversight.all_escalations, name="all"),  # the service manager's list
    path("search/", views_oversight.search, name="search"),
    path("raise/", views.raise_start, name="raise"),
    path("raise/check/", views.raise_check, name="raise_check"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("<int:pk>/respond/", views.respond, name="respond"),
    path("<int:pk>/escalate/", views.escalate, name="escalate"),
    path("<int:pk>/reassign/", views.reassign, name="reassign"),
    path("<int:pk>/resolve/", views.resolve, name="resolve"),
    path("<int:pk>/cafcass/", views.cafcass, name="cafcass"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/reopen/", views.reopen, name="reopen"),
    path("<int:pk>/note/", views.note, name="note"),
]
