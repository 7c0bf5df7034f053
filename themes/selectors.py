from themes.models import DriftReason, Outcome, SubTheme, Theme


def theme_list(*, include_retired: bool = False):
    themes = Theme.objects.all()
    return themes if include_retired else themes.filter(active=True)


def subtheme_list(*, include_retired: bool = False):
    subthemes = SubTheme.objects.select_related("theme")
    return subthemes if include_retired else subthemes.filter(active=True, theme__active=True)


def drift_reason_list(*, include_retired: bool = False):
    reasons = DriftReason.objects.all()
    return reasons if include_retired else reasons.filter(active=True)


def outcome_by_code(code: str) -> Outcome:
    return Outcome.objects.get(code=code)
