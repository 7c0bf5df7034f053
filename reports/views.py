"""The committee report pages: thin views over reports.selectors, reports.paper and reports.services."""

from __future__ import annotations

from django.conf import settings as django_settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from core.access import role_required
from core.errors import DomainError
from core.forms import add_domain_error, error_summary
from core.validation import text_problem
from people.access import REPORT_MANAGERS, REPORT_READERS
from reports import services
from reports.drafting import THEME_PREFIX, is_section_key, paper_figures
from reports.forms import (
    IncludeStoryForm,
    OverrideRequestForm,
    PaperCoverForm,
    PaperDocumentsForm,
    PaperSectionForm,
    PaperThemesForm,
    PeriodForm,
    ReportSettingsForm,
    sign_figures,
)
from reports.identifiers import TextItem, TextNotClean, check_texts, identifier_index, story_subject
from reports.models import CaseStory, IssuedReport, IssueJob, TextOverride
from reports.outputs import report_changes, report_document, report_render
from reports.paper import meeting_names, paper_content, paper_or_default, paper_sections, paper_subject
from reports.periods import Period
from reports.renderers import FORMATS, render_json
from reports.selectors import (
    default_period,
    issue_job_list,
    issue_job_state,
    issued_report_pages,
    issued_reports,
    report_build,
    report_settings,
    report_stories,
    report_years,
    text_overrides_decided,
    text_overrides_of,
    text_overrides_pending,
)


def _period_form(request) -> tuple[PeriodForm, Period | None]:
    if not request.GET:
        form = PeriodForm(initial={"period": default_period().label}, years=report_years())
        return form, default_period()
    form = PeriodForm(request.GET, years=report_years())
    return form, form.cleaned_data["chosen"] if form.is_valid() else None


def _blocked_message(user, message: str) -> str:
    """The problems name what leaked, so only those who may edit the texts see them."""
    if user.sees_everything:
        return message
    return "A text in the paper is waiting to be checked by the IRO service manager."


def _period_query(period: Period) -> str:
    if period.is_financial_year:
        return f"period={period.label}"
    return f"start={period.start.isoformat()}&end={period.end.isoformat()}"


def _with_period(name: str, period: Period, *args) -> str:
    return f"{reverse(name, args=args)}?{_period_query(period)}"


# --- the report ----------------------------------------------------------------------------------


@role_required(*REPORT_READERS)
def report_page(request):
    form, period = _period_form(request)
    context = {"form": form, "errors": error_summary(form), "period": period}
    if period is not None:
        page = services.report_page_content(period=period)
        if page.blocked:
            context["blocked"] = _blocked_message(request.user, page.blocked)
        else:
            context.update(
                report_html=page.report_html,
                changes=page.changes,
                changes_since=page.changes_since,
                made_at=page.made_at,
                remaking=page.remaking,
                issued=list(issued_reports(period=period)),
            )
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
    except TextNotClean as error:
        messages.error(request, _blocked_message(request.user, error.message))
        return redirect(_with_period("reports:page", period))
    return _file(content, fmt, f"iro-escalations-{period.label.replace(' ', '-')}")


# --- issuing -------------------------------------------------------------------------------------


def _issue_checks(period: Period) -> dict:
    """What the confirmation page says: the version it would issue and everything that stops it."""
    issued = list(issued_reports(period=period))
    checks = {"next_version": issued[0].version + 1 if issued else 1, "last": issued[0] if issued else None}
    try:
        report = report_document(period=period)
    except TextNotClean as error:
        checks["identifier_problems"] = error.message
        report = report_build(period=period)
    checks["stale"] = services.paper_issue_problems(period=period, report=report)
    checks["report"] = report
    checks["blocked"] = bool(checks.get("identifier_problems") or checks["stale"])
    return checks


@role_required(*REPORT_MANAGERS)
def report_issue(request):
    """A confirmation page (GET), then the issue itself (POST, which names its period in the form, never
    by default), then the issued version's page."""
    if request.method == "POST":
        form = PeriodForm(request.POST, years=report_years())
        period = form.cleaned_data["chosen"] if form.is_valid() else None
        if period is None:
            messages.error(request, "Choose the period to issue the report for.")
            return redirect("reports:page")
    else:
        form, period = _period_form(request)
        if period is None:
            return redirect(f"{reverse('reports:page')}?{request.GET.urlencode()}")
    error = None
    if request.method == "POST":
        try:
            expected = int(request.POST.get("expected_version", ""))
        except ValueError:
            expected = None
        if expected is None:
            error = "The confirmation page did not say which version to issue. Open it again and confirm."
        else:
            try:
                job = services.report_issue_request(period=period, by=request.user, expected_version=expected)
            except DomainError as refused:
                error = refused.message
            else:
                return redirect("reports:issue_job", job.pk)
    checks = _issue_checks(period)
    settings = report_settings()
    context = {
        "period": period,
        "query": _period_query(period),
        "checks": checks,
        "settings": settings,
        "errors": [{"message": error, "anchor": None}] if error else [],
    }
    return render(request, "reports/issue_confirm.html", context, status=400 if error else 200)


@role_required(*REPORT_READERS)
def issued_page(request, pk: int):
    issued = get_object_or_404(issued_report_pages(), pk=pk)
    period = Period.between(issued.period_start, issued.period_end)
    context = {
        "issued": issued,
        "period": period,
        "query": _period_query(period),
        "changes": report_changes(issued, period),
    }
    return render(request, "reports/issued.html", context)


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


# --- report settings -------------------------------------------------------------------------------


@role_required(*REPORT_MANAGERS)
def settings_page(request):
    current = report_settings()
    initial = {
        "classification": current.classification,
        "suppress_small_numbers": current.suppress_small_numbers,
        "small_number_threshold": current.small_number_threshold,
    }
    form = ReportSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_settings_update(by=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "The report settings were saved.")
            return redirect("reports:settings")
    errors = error_summary(form) if request.method == "POST" else []
    return render(request, "reports/settings.html", {"form": form, "errors": errors}, status=400 if errors else 200)


# --- the paper's pages ---------------------------------------------------------------------------------


def _paper_context(request, period: Period | None, form: PeriodForm) -> dict:
    return {"form": form, "period": period, "query": _period_query(period) if period else ""}


def _problems_by_subject(period: Period, report: dict) -> dict[str, list]:
    _, items = paper_content(period, report)
    return check_texts(items)


def _text_problems(period: Period, texts: list[tuple[str, str]]) -> list[dict]:
    """The identifier check's problems in some of the paper's texts: [{what, subject, problems}]."""
    problems = _problems_by_subject(period, report_build(period=period))
    return [
        {"what": what, "subject": paper_subject(period, key), "problems": problems[paper_subject(period, key)]}
        for key, what in texts
        if problems.get(paper_subject(period, key))
    ]


@role_required(*REPORT_MANAGERS)
def paper_page(request):
    """The paper's contents: every section with whether it is drafted, edited, stale or blocked."""
    form, period = _period_form(request)
    context = {**_paper_context(request, period, form), "errors": error_summary(form)}
    if period is not None:
        report = report_build(period=period)
        paper = paper_or_default(period)
        problems = _problems_by_subject(period, report)
        sections = paper_sections(paper, report)
        context.update(
            {
                "paper": paper,
                "sections": [
                    {"state": state, "problems": problems.get(paper_subject(period, state.key), [])}
                    for state in sections
                    if not state.is_theme
                ],
                "themes": [
                    {"state": state, "problems": problems.get(paper_subject(period, state.key), [])}
                    for state in sections
                    if state.is_theme
                ],
                "cover_problems": [
                    p
                    for key in ("item_number", "title", "wards", "version_label")
                    for p in problems.get(paper_subject(period, key), [])
                ],
                "document_problems": [
                    p
                    for key in ("documents", "appendices", "consultation")
                    for p in problems.get(paper_subject(period, key), [])
                ],
                "story_problems": sum(len(v) for subject, v in problems.items() if subject.startswith("story:")),
                "officers_missing": _officers_missing(),
            }
        )
        themes = context["themes"]
        written = sum(1 for item in themes if item["state"].text)
        if any(item["problems"] for item in themes):
            context["themes_status"], context["themes_colour"] = "Blocks the paper", "red"
        else:
            context["themes_status"], context["themes_colour"] = f"{written} of {len(themes)} written", ""
        stories = report_stories(period).count()
        context["stories_status"] = f"{stories} chosen" if stories else "None chosen"
        rows = len(paper.background_documents) + len(paper.appendices) + len(paper.consultation)
        context["documents_status"] = f"{rows} row{'s' if rows != 1 else ''}" if rows else "None"
    return render(request, "reports/paper.html", context)


def _officers_missing() -> list[str]:
    return [name for name in ("REPORT_LEAD_OFFICER", "REPORT_AUTHOR") if not getattr(django_settings, name)]


@role_required(*REPORT_MANAGERS)
def paper_cover(request):
    form, period = _period_form(request)
    if period is None:
        return redirect(f"{reverse('reports:paper')}?{request.GET.urlencode()}")
    paper = paper_or_default(period)
    initial = {
        "item_number": paper.item_number,
        "meeting_name": paper.meeting_name,
        "meeting_date": paper.meeting_date,
        "title": paper.title,
        "wards": paper.wards,
        "version_label": paper.version_label,
        "dated": paper.dated,
        "key_decision": paper.key_decision,
        "sent_to_constitutional_officer": paper.sent_to_constitutional_officer,
    }
    cover = PaperCoverForm(request.POST or None, initial=initial, meeting_names=meeting_names())
    if request.method == "POST" and cover.is_valid():
        try:
            services.paper_cover_update(period=period, by=request.user, **cover.cleaned_data)
        except DomainError as error:
            add_domain_error(cover, error)
        else:
            messages.success(request, "The cover and audit trail were saved.")
            return redirect(_with_period("reports:paper", period))
    errors = error_summary(cover) if request.method == "POST" else []
    context = {
        **_paper_context(request, period, form),
        "cover": cover,
        "errors": errors,
        "text_problems": _text_problems(
            period,
            [
                ("item_number", "The item number"),
                ("title", "The report title"),
                ("wards", "The wards or groups affected"),
                ("version_label", "The version"),
            ],
        ),
    }
    return render(request, "reports/paper_cover.html", context, status=400 if errors else 200)


@role_required(*REPORT_MANAGERS)
def paper_section(request, key: str):
    form, period = _period_form(request)
    if period is None:
        return redirect(f"{reverse('reports:paper')}?{request.GET.urlencode()}")
    report = report_build(period=period)
    if not is_section_key(key, {row["code"] for row in report["themes"]}):
        raise Http404
    paper = paper_or_default(period)
    state = next(s for s in paper_sections(paper, report) if s.key == key)
    action = request.POST.get("action", "save")
    section_form = PaperSectionForm(
        request.POST or None,
        initial={"text": state.text, "figures": "" if state.saved else sign_figures(state.figures)},
        label=state.heading,
    )
    if request.method == "POST":
        try:
            if action == "redraft":
                services.paper_section_redraft(period=period, by=request.user, key=key)
                messages.success(request, f"'{state.heading}' was drafted again from the records.")
                return redirect(_with_period("reports:paper_section", period, key))
            if action == "confirm":
                services.paper_section_confirm(period=period, by=request.user, key=key)
                messages.success(request, f"The numbers in '{state.heading}' were confirmed against the records.")
                return redirect(_with_period("reports:paper_section", period, key))
            if action != "save":
                raise Http404
            if section_form.is_valid():
                services.paper_section_save(
                    period=period,
                    by=request.user,
                    key=key,
                    text=section_form.cleaned_data["text"],
                    figures_shown=section_form.cleaned_data["figures"],
                )
                messages.success(request, f"'{state.heading}' was saved.")
                return redirect(_with_period("reports:paper_section", period, key))
        except DomainError as error:
            add_domain_error(section_form, error)
    subject = paper_subject(period, key)
    problems = _problems_by_subject(period, report).get(subject, [])
    errors = error_summary(section_form) if request.method == "POST" else []
    context = {
        **_paper_context(request, period, form),
        "state": state,
        "section_form": section_form,
        "problems": problems,
        "subject": subject,
        "overrides": text_overrides_of(subject=subject, text=state.text),
        "figures": paper_figures(report) if state.drafted else {},
        "errors": errors,
    }
    return render(request, "reports/paper_section.html", context, status=400 if errors else 200)


@role_required(*REPORT_MANAGERS)
def paper_themes(request):
    form, period = _period_form(request)
    if period is None:
        return redirect(f"{reverse('reports:paper')}?{request.GET.urlencode()}")
    report = report_build(period=period)
    paper = paper_or_default(period)
    themes = [s for s in paper_sections(paper, report) if s.is_theme]
    labels = {row["code"]: row["label"] for row in report["themes"]}
    themes_form = PaperThemesForm(
        request.POST or None,
        themes=[(s.key, labels[s.key[len(THEME_PREFIX) :]], s.text) for s in themes],
    )
    if request.method == "POST" and themes_form.is_valid():
        try:
            for name, key in themes_form.keys.items():
                text = themes_form.cleaned_data[name]
                current = next(s for s in themes if s.key == key)
                if text.strip() != current.text.strip():
                    services.paper_section_save(period=period, by=request.user, key=key, text=text, figures_shown={})
        except DomainError as error:
            add_domain_error(themes_form, error)
        else:
            messages.success(request, "The theme commentary was saved.")
            return redirect(_with_period("reports:paper", period))
    problems = _problems_by_subject(period, report)
    errors = error_summary(themes_form) if request.method == "POST" else []
    context = {
        **_paper_context(request, period, form),
        "themes_form": themes_form,
        "text_problems": [
            {
                "what": f"The commentary on {labels[s.key[len(THEME_PREFIX) :]]}",
                "subject": paper_subject(period, s.key),
                "problems": problems[paper_subject(period, s.key)],
            }
            for s in themes
            if problems.get(paper_subject(period, s.key))
        ],
        "errors": errors,
    }
    return render(request, "reports/paper_themes.html", context, status=400 if errors else 200)


@role_required(*REPORT_MANAGERS)
def paper_documents(request):
    form, period = _period_form(request)
    if period is None:
        return redirect(f"{reverse('reports:paper')}?{request.GET.urlencode()}")
    paper = paper_or_default(period)
    documents = PaperDocumentsForm(request.POST or None, paper=paper)
    if request.method == "POST" and documents.is_valid():
        try:
            services.paper_documents_update(period=period, by=request.user, **documents.rows())
        except DomainError as error:
            add_domain_error(documents, error)
        else:
            messages.success(request, "The background documents, appendices and consultation were saved.")
            return redirect(_with_period("reports:paper", period))
    errors = error_summary(documents) if request.method == "POST" else []
    context = {
        **_paper_context(request, period, form),
        "documents": documents,
        "errors": errors,
        "text_problems": _text_problems(
            period,
            [
                ("documents", "The background documents"),
                ("appendices", "The appendices"),
                ("consultation", "The consultation table"),
            ],
        ),
    }
    return render(request, "reports/paper_documents.html", context, status=400 if errors else 200)


# --- overrides -----------------------------------------------------------------------------------------


def _back(request, default: str) -> str:
    """The page to go back to: a path on this site (``/...``), or ``default``. (Anything else, a
    word or a view's name, would be taken by ``redirect`` for a view to look up.)"""
    back = request.POST.get("next", "")
    if (
        back.startswith("/")
        and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure())
        and text_problem(back) is None
    ):
        return back
    return default


@role_required(*REPORT_MANAGERS)
def overrides_page(request):
    """Overrides waiting for a second person, and those decided lately."""
    pending = text_overrides_pending()
    decided = text_overrides_decided()
    override_form = OverrideRequestForm(request.POST or None)
    error = None
    if request.method == "POST":
        if override_form.is_valid():
            data = override_form.cleaned_data
            try:
                services.override_request(
                    subject=data["subject"], term=data["term"], reason=data["reason"], by=request.user
                )
            except DomainError as refused:
                add_domain_error(override_form, refused)
                error = refused
            else:
                messages.success(
                    request,
                    f"The override of '{data['term'].strip()}' was asked for. Another IRO service manager or an admin "
                    "must approve it before it counts.",
                )
                return redirect(_back(request, reverse("reports:overrides")))
    context = {
        "pending": pending,
        "decided": decided,
        "override_form": override_form if error else None,
        "errors": error_summary(override_form) if error else [],
        "back": _back(request, reverse("reports:overrides")),
    }
    return render(request, "reports/overrides.html", context, status=400 if error else 200)


@require_POST
@role_required(*REPORT_MANAGERS)
def override_decide(request, pk: int):
    override = get_object_or_404(TextOverride, pk=pk)
    decision = request.POST.get("decision")
    if decision not in ("approve", "refuse"):
        raise Http404
    try:
        services.override_decide(override=override, by=request.user, approve=decision == "approve")
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"The override of '{override.term}' was {'approved' if decision == 'approve' else 'refused'}."
        )
    return redirect("reports:overrides")


# --- case stories ----------------------------------------------------------------------------------------


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
        chosen = list(report_stories(period))
        index = identifier_index() if chosen else None
        items = [TextItem(story_subject(s.pk), "", s.text) for s in chosen] + [
            TextItem(story_subject(s.pk, "next"), "", s.what_happened_next) for s in chosen
        ]
        problems = check_texts(items, index=index) if chosen else {}
        for number, story in enumerate(chosen, start=1):
            stories.append(
                {
                    "number": number,
                    "story": story,
                    "problems": problems.get(story_subject(story.pk), []),
                    "next_problems": problems.get(story_subject(story.pk, "next"), []),
                    "subject": story_subject(story.pk),
                    "next_subject": story_subject(story.pk, "next"),
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
    back = _back(request, reverse("reports:stories"))
    action = request.POST.get("action")
    try:
        if action == "update":
            services.story_update(
                story=story,
                by=request.user,
                text=request.POST.get("text", ""),
                what_happened_next=request.POST.get("what_happened_next"),
            )
            messages.success(request, "The story was saved.")
        elif action == "exclude":
            services.story_exclude(story=story, by=request.user)
            messages.success(request, "The story was left out of the report.")
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


# --- issuing on the background worker --------------------------------------------------------------


def _issue_job_context(job) -> dict:
    state = issue_job_state(job)
    period = Period.between(job.period_start, job.period_end)
    return {"state": state, "job": job, "period": period, "query": _period_query(period)}


@require_GET
@role_required(*REPORT_MANAGERS)
def issue_job(request, pk: int):
    job = get_object_or_404(issue_job_list(), pk=pk)
    return render(request, "reports/issue_job.html", _issue_job_context(job))


@require_GET
@role_required(*REPORT_MANAGERS)
def issue_job_progress(request, pk: int):
    """The changing part of the issue job's page, fetched by static/js/job-progress.js."""
    job = get_object_or_404(issue_job_list(), pk=pk)
    return render(request, "reports/_issue_job_state.html", _issue_job_context(job))


@require_POST
@role_required(*REPORT_MANAGERS)
def issue_job_retry(request, pk: int):
    job = get_object_or_404(IssueJob, pk=pk)
    try:
        job = services.report_issue_job_retry(job=job, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("reports:issue_job", job.pk)
