from django.db.models import Prefetch, QuerySet

from themes.models import DriftReason, Outcome, SubTheme, Theme


def theme_list() -> list[Theme]:
    """The themes that may be chosen now, in their order, each with its active sub-themes
    (``theme.active_subthemes``)."""
    active_subthemes = SubTheme.objects.filter(active=True).order_by("order", "label")
    return list(
        Theme.objects.filter(active=True)
        .prefetch_related(Prefetch("subthemes", queryset=active_subthemes, to_attr="active_subthemes"))
        .order_by("order", "label")
    )


def drift_reason_list() -> QuerySet[DriftReason]:
    """The reasons for drift that may be chosen now, in their order."""
    return DriftReason.objects.filter(active=True).order_by("order", "label")


def resolution_outcome_list() -> QuerySet[Outcome]:
    """The outcomes an IRO may resolve an escalation with now: every active outcome but withdrawn
    (withdrawing has its own action)."""
    return Outcome.objects.filter(active=True).exclude(code=Outcome.WITHDRAWN).order_by("order")
