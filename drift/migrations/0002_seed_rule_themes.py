"""Seed the rule-to-theme map with the issue's defaults: the R33 rules -> drift, R28-visit -> sw_visits,
R4-care-plan -> care_plan_not_on_system, no-allocated-worker -> no_allocated_worker, missing-now ->
safety with the sub-theme missing, staying-put -> staying_put. Admins change it afterwards."""

from django.db import migrations

DEFAULTS = [
    ("R33-first", "drift", None),
    ("R33-second", "drift", None),
    ("R33-later", "drift", None),
    ("R28-visit", "sw_visits", None),
    ("R4-care-plan", "care_plan_not_on_system", None),
    ("no-allocated-worker", "no_allocated_worker", None),
    ("missing-now", "safety", "missing"),
    ("staying-put", "staying_put", None),
]


def seed(apps, schema_editor):
    from django.utils import timezone

    Theme = apps.get_model("themes", "Theme")
    SubTheme = apps.get_model("themes", "SubTheme")
    RuleTheme = apps.get_model("drift", "RuleTheme")
    Historical = apps.get_model("drift", "HistoricalRuleTheme")
    now = timezone.now()
    for rule, theme_code, subtheme_code in DEFAULTS:
        theme = Theme.objects.filter(code=theme_code).first()
        if theme is None or RuleTheme.objects.filter(rule=rule).exists():
            continue
        subtheme = SubTheme.objects.filter(theme=theme, code=subtheme_code).first() if subtheme_code else None
        row = RuleTheme.objects.create(rule=rule, theme=theme, subtheme=subtheme)
        Historical.objects.create(
            id=row.pk,
            rule=rule,
            theme_id=theme.pk,
            subtheme_id=subtheme.pk if subtheme else None,
            history_date=now,
            history_type="+",
            history_change_reason="Seeded from issue 13's defaults",
        )


class Migration(migrations.Migration):
    dependencies = [("drift", "0001_initial"), ("themes", "0002_seed_domain_defaults")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
