"""The drift watch's pages: an IRO's *Drift watch* (their caseload's flags, most overdue first, then
what is due soon and what cleared lately) and the service manager's *All drift flags* (filtered,
paginated). Thin: the flags come from drift.selectors, which apply who may see which child."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from children.selectors import child_visible_to
from core.access import role_required
from core.forms import error_summary
from core.paging import CappedPaginator
from drift import selectors
from drift.filters import DriftFlagFilter
from drift.models import DriftFlag
from drift.rules import RULE_LABELS, STAYING_PUT
from people.access import OVERSIGHT
from people.models import Role
from workdays.selectors import working_calendar

PAGE_SIZE = 25
CLEARED_DAYS = 28


def _raise_url(flag: DriftFlag, themes: dict) -> str:
    """*Raise an escalation* for the flag: the raise page with the child, the rule's theme (and
    sub-theme) ticked, and the flag remembered."""
    query = {"child": flag.child_id}
    mapped = themes.get(flag.rule)
    if mapped is not None:
        query["theme"] = mapped.theme_id
        if mapped.subtheme_id:
            query["subtheme"] = mapped.subtheme_id
    query["flag"] = flag.pk
    return f"{reverse('escalations:raise')}?{urlencode(query)}"


def _rows(flags, as_of: dt.date, themes: dict | None = None) -> list[dict]:
    rows = []
    for flag in flags:
        overdue = None
        if flag.is_open and flag.due and flag.rule != STAYING_PUT and flag.due < as_of:
            overdue = (as_of - flag.due).days
        rows.append(
            {
                "flag": flag,
                "label": RULE_LABELS[flag.rule],
                "days_overdue": overdue,
                "raise_url": _raise_url(flag, themes) if themes is not None and flag.escalation_id is None else None,
            }
        )
    return rows


def _select(bound) -> dict:
    """A filter's select, its options written here in one go: rendering a template per option took
    a third of a second for a council's 1,600 IROs."""
    current = "" if bound.value() is None else str(bound.value())
    options = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (str(value), mark_safe(" selected") if str(value) == current else "", label)
            for value, label in bound.field.choices
        ),
    )
    return {"field": bound, "options": options}


def _watch_state() -> dict:
    last_run = selectors.drift_last_run()
    _, not_evaluated = selectors.drift_rules_evaluated()
    return {
        "last_run": last_run,
        "not_evaluated": [RULE_LABELS[rule] for rule in not_evaluated],
        "as_of": last_run.as_of if last_run else selectors.drift_today(),
    }


@role_required(Role.IRO)
def mine(request):
    state = _watch_state()
    today = selectors.drift_today()

    def due_soon():
        return sorted(
            (
                (child, clock, RULE_LABELS[clock.rule])
                for child, assessment in selectors.drift_assessments(
                    as_of=today, calendar=working_calendar(), children=child_visible_to(user=request.user)
                )
                for clock in assessment.due_soon
            ),
            key=lambda row: (row[1].due, row[0].case_id, row[1].rule),
        )

    # Lazy: computed only if the page's kept content is not (core.templatetags.kept_pages).
    flags = SimpleLazyObject(
        lambda: _rows(selectors.drift_flags_open_for(user=request.user), state["as_of"], selectors.drift_rule_themes())
    )
    due_soon = SimpleLazyObject(due_soon)
    cleared = SimpleLazyObject(
        lambda: _rows(
            selectors.drift_flags_cleared_for(user=request.user, since=today - dt.timedelta(days=CLEARED_DAYS)),
            state["as_of"],
        )
    )
    context = {**state, "today": today, "flags": flags, "due_soon": due_soon, "cleared": cleared}
    context["cleared_days"] = CLEARED_DAYS
    return render(request, "drift/mine.html", context)


@role_required(*OVERSIGHT)
def all_flags(request):
    state = _watch_state()
    filterset = DriftFlagFilter(request.GET, queryset=DriftFlag.objects.none())
    context = {
        **state,
        "filter": filterset,
        "selects": SimpleLazyObject(lambda: {name: _select(filterset.form[name]) for name in filterset.form.fields}),
        "filtered": any(value for key, value in request.GET.items() if key not in ("page", "status")),
    }
    if filterset.is_valid():
        criteria = filterset.criteria()
        flags = selectors.drift_flag_search(user=request.user, today=selectors.drift_today(), **criteria)
        # Lazy: computed only if the page's kept parts are not (core.templatetags.kept_pages).
        page = SimpleLazyObject(lambda: CappedPaginator(flags, PAGE_SIZE).get_page(request.GET.get("page")))
        rows = SimpleLazyObject(lambda: _rows(page.object_list, state["as_of"]))
        context.update(page=page, rows=rows, status=criteria["status"])
    else:
        context["errors"] = error_summary(filterset.form)
    return render(request, "drift/all.html", context, status=400 if context.get("errors") else 200)
