"""Factories for the test suite. The seeded ladder, themes and outcomes come from the migrations."""

import datetime as dt
import importlib

import factory
from django.apps import apps
from django.utils import timezone

from children.models import Child, SiblingGroup
from escalations.services import escalation_raise
from ladder.models import Stage
from people.models import Role, Team, User
from themes.models import Outcome, SubTheme, Theme


def stage(code: str) -> Stage:
    return Stage.objects.get(code=code)


def theme(code: str) -> Theme:
    return Theme.objects.get(code=code)


def subtheme(theme_code: str, code: str) -> SubTheme:
    return SubTheme.objects.get(theme__code=theme_code, code=code)


def outcome(code: str) -> Outcome:
    return Outcome.objects.get(code=code)


def london(*args) -> dt.datetime:
    """An aware Europe/London time: london(2016, 3, 24, 10, 0)."""
    return timezone.make_aware(dt.datetime(*args))


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Looked-after children team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    role = Role.IRO
    password = factory.django.Password("demo-password")


class IroFactory(UserFactory):
    role = Role.IRO


class ManagerFactory(UserFactory):
    role = Role.MANAGER
    stage = factory.LazyFunction(lambda: stage("team_manager"))


class ServiceManagerFactory(UserFactory):
    role = Role.SERVICE_MANAGER


class SiblingGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SiblingGroup

    name = factory.Sequence(lambda n: f"SG-{n:04d}")


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Child

    case_id = factory.Sequence(lambda n: f"{100000 + n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    date_of_birth = dt.date(2010, 6, 1)
    sex = "2"
    legal_status = "C2"
    looked_after_from = dt.date(2012, 1, 9)
    iro = factory.SubFactory(IroFactory)


def raise_escalation(
    *,
    iro=None,
    children=None,
    stage_code: str = "team_manager",
    addressee=None,
    raised_at=None,
    themes=(),
    subthemes=(),
    drift_reasons=(),
    concern: str = "The care plan has not been updated since the last review.",
):
    """An escalation raised through the service, so every derived field is as in real use."""

    iro = iro or IroFactory()
    children = children if children is not None else [ChildFactory(iro=iro)]
    addressee = addressee or ManagerFactory(stage=stage(stage_code))
    return escalation_raise(
        by=iro,
        children=children,
        stage=stage(stage_code),
        addressee=addressee,
        concern=concern,
        desired_outcome="An updated plan within five working days.",
        themes=themes,
        subthemes=subthemes,
        drift_reasons=drift_reasons,
        raised_at=raised_at or timezone.now() - dt.timedelta(days=3),
    )


def reseed_vocabularies():
    """Put back the migrations' seed data (ladder, themes, outcomes, the drift rules' themes).

    Transactional tests empty every table when they end; a test that runs after one, or needs
    committed data on several connections, calls this first. The seeds are idempotent.
    """

    for module in (
        "ladder.migrations.0003_seed_default_ladder",
        "themes.migrations.0002_seed_domain_defaults",
        "drift.migrations.0002_seed_rule_themes",
    ):
        importlib.import_module(module).seed(apps, None)


def raised_days_ago(days_ago: int, **kwargs):
    """An escalation raised ``days_ago`` days before now, through the service (see raise_escalation)."""
    return raise_escalation(raised_at=timezone.now() - dt.timedelta(days=days_ago), **kwargs)


# --- the drift watch's data: 903 episodes and reviews, the case-management extract, flags ----------


class EpisodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "ssda903.Episode"

    child = factory.SubFactory(ChildFactory)
    start = dt.date(2025, 12, 1)
    reason_new_episode = "S"
    legal_status = "C2"
    placement_type = "U4"


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "ssda903.Review"

    child = factory.SubFactory(ChildFactory)
    date = dt.date(2025, 12, 20)
    participation = "PN1"


class MissingEpisodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "ssda903.MissingEpisode"

    child = factory.SubFactory(ChildFactory)
    kind = "M"
    start = dt.date(2026, 3, 1)


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "extract.Visit"

    child = factory.SubFactory(ChildFactory)
    date = dt.date(2025, 12, 5)
    seen = True


class CarePlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "extract.CarePlan"

    child = factory.SubFactory(ChildFactory)
    start = dt.date(2025, 12, 1)


class AllocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "extract.Allocation"

    child = factory.SubFactory(ChildFactory)
    worker = "Sam Worker"
    team = "Looked After North"
    start = dt.date(2025, 12, 1)


class DriftFlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "drift.DriftFlag"

    child = factory.SubFactory(ChildFactory)
    rule = "R33-first"
    due = dt.date(2025, 12, 31)
    detail = (
        "No review since the period of care began on 1 December 2025; the first review was due by 31 December 2025."
    )
    first_seen = dt.date(2026, 1, 1)


def drift_tables_imported(
    *, ssda903=("Episodes", "Reviews", "Missing"), extract=("visits", "care_plans", "allocations")
):
    """Record that the 903 return's and the extract's tables were imported (the drift watch evaluates a
    rule only then), as their imports record it."""
    apps.get_model("ssda903", "ImportRun").objects.create(
        imported_at=timezone.now(), directory="tests", counts={t: {} for t in ssda903}, warnings=[]
    )
    apps.get_model("extract", "ExtractImportRun").objects.create(
        imported_at=timezone.now(), source="tests", tables=list(extract), counts={}, warnings=[]
    )
