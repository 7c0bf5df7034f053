"""The committee report pages: thin views over reports.selectors and reports.services."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.access import role_required
from core.errors import DomainError
from core.forms import add_domain_error, error_summary
from people.access import REPORT_MANAGERS, REPORT_READERS
from reports import services
from reports.changes import report_changes
from reports.forms import IncludeStoryForm, PeriodForm
from reports.identifiers import StoriesNotClean, identifier_index, report_require_clean_stories, story_problems
from reports.models import CaseStory, IssuedReport
from reports.outputs import report_render
from reports.periods import Period
from reports.renderers import FORMATS, render_html, render_json
from reports.selectors import default_period, issued_reports, report_build, report_stories, report_years


def _period_form(request) -> tuple[PeriodForm, Period | None]:
    if not request.GET:
        form = PeriodForm(initial={"period": default_period().label}, years=report_years())
        return form, default_period()
    form = PeriodForm(request.GET, years=report_years())
    return form, form.cleaned_data["chosen"] if form.is_valid() else None


def _blocked_message(user, error: StoriesNotClean) -> str:
    """The problems name what leaked, so only those who may edit the stories see them."""
    if user.sees_everything:
        return error.message
    return "A case story is waiting to be checked by the IRO service manager."


def _period_query(period: Period) -> str:
    if period.is_financial_year:
        return f"period={period.label}"
    return f"start={period.start.isoformat()}&end={period.end.isoformat()}"


@role_required(*REPORT_READERS)
def report_page(request):
    form, period = _period_form(request)
    context = {"form": form, "errors": error_summary(form), "period": period}
    if period is not None:
        try:
            report_require_clean_stories(period)
        except StoriesNotClean as error:
            context["blocked"] = _blocked_message(request.user, error)
        else:
            report = report_build(period=period)
            context["report_html"] = render_html(report)
            issued = list(issued_reports(period=period))
            context["issued"] = issued
            if issued:
                context["changes"] = report_changes(issued[0].data, report)
        context["query"] = _period_query(period)
    return render(request, "reports/report_page.html", context)


@role_required(*REPORT_READERS)
def report_download(request, fmt: str):
    if fmt not in FORMATS:
        raise Http404
    form, period = _period_form(request)
    if period is None:
        return redirect(f"{reverse('reports:page')}?{request.GET.urlencode()}")
    try:
        content = report_render(period=period, fmt=fmt)
    except StoriesNotClean as error:
        messages.error(request, _blocked_message(request.user, error))
        return redirect(f"{reverse('reports:page')}?{_period_query(period)}")
    return _file(content, fmt, f"iro-escalations-{period.label.replace(' ', '-')}")


@require_POST
@role_required(*REPORT_MANAGERS)
def report_issue(request):
    form, period = _period_form_post(request)
    if period is None:
        return redirect(reverse("reports:page"))
    try:
        issued = services.report_issue(period=period, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Version {issued.version} of the {period.label} report was issued.")
    return redirect(f"{reverse('reports:page')}?{_period_query(period)}")


def _period_form_post(request):
    form = PeriodForm(request.POST, years=report_years())
    return form, form.cleaned_data["chosen"] if form.is_valid() else None


@role_required(*REPORT_READERS)
def issued_download(request, pk: int, fmt: str):
    issued = get_object_or_404(IssuedReport, pk=pk)
    if fmt == "json":
        content = render_json(issued.data)
    elif fmt in ("pdf", "docx", "xlsx", "html"):
        content = getattr(issued, fmt)
        content = bytes(content) if not isinstance(content, str) else content
    else:
        raise Http404
    name = f"iro-escalations-{issued.period_start:%Y%m%d}-{issued.period_end:%Y%m%d}-v{issued.version}"
    return _file(content, fmt, name)


def _file(content, fmt: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=FORMATS[fmt].content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{FORMATS[fmt].extension}"'
    return response


@role_required(*REPORT_MANAGERS)
def stories_page(request):
    form, period = _period_form(request)
    include_form = IncludeStoryForm(request.POST or None)
    if request.method == "POST" and include_form.is_valid():
        try:
            services.story_include(escalation=include_form.cleaned_data["escalation"], by=request.user)
        except DomainError as error:
            add_domain_error(include_form, error)
        else:
            messages.success(request, "The case story was drafted. Check it before the report is produced.")
            return redirect(request.get_full_path())
    stories = []
    if period is not None:
        index = identifier_index()
        for number, story in enumerate(report_stories(period).prefetch_related("overrides"), start=1):
            overrides = [o for o in story.overrides.all() if o.story_text == story.text]
            stories.append(
                {
                    "number": number,
                    "story": story,
                    "problems": story_problems(story.text, identifiers=index, overrides=overrides),
                }
            )
    context = {
        "form": form,
        "include_form": include_form,
        "stories": stories,
        "period": period,
        "errors": error_summary(form, include_form if request.method == "POST" else None),
        "query": _period_query(period) if period else "",
    }
    # A refused form answers 400; a period chosen wrongly in the address answers 200, as the report page does.
    return render(
        request, "reports/stories.html", context, status=400 if request.method == "POST" and context["errors"] else 200
    )


@require_POST
@role_required(*REPORT_MANAGERS)
def story_change(request, pk: int):
    story = get_object_or_404(CaseStory, pk=pk)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = reverse("reports:stories")
    action = request.POST.get("action")
    try:
        if action == "update":
            services.story_update(story=story, by=request.user, text=request.POST.get("text", ""))
            messages.success(request, "The story was saved.")
        elif action == "exclude":
            services.story_exclude(story=story, by=request.user)
            messages.success(request, "The story was left out of the report.")
        elif action == "override":
            services.story_override_add(
                story=story, by=request.user, term=request.POST.get("term", ""), reason=request.POST.get("reason", "")
            )
            messages.success(request, "The override was recorded.")
        else:
            raise Http404
    except DomainError as error:
        # Keep what was typed: show the story again with the message and the text as entered.
        return render(
            request,
            "reports/story_error.html",
            {
                "story": story,
                "error": error.message,
                "field": error.field,
                "action": action,
                "posted": request.POST,
                "back": back,
            },
            status=400,
        )
    return redirect(back)
