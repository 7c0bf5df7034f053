"""The demo council: people, children and two financial years of escalations.

The full-size demo is built once for the class ``TestTheFullDemo`` (inside a transaction that is
rolled back when the class is done), and each test checks one thing about it. Tests that need their
own build use small sizes.
"""

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import Count
from django.test import RequestFactory
from django.utils import timezone

from children.models import Child
from core.errors import DomainError
from demo import services
from escalations.models import Escalation, EscalationStatus, Step
from ladder.models import Stage
from people.models import Role, User
from tests.factories import IroFactory, raise_escalation
from workdays.selectors import working_calendar

SMALL = {"children": 60, "iros": 3, "teams": 2, "escalations_per_year": 10}
NO_ESCALATIONS = {**SMALL, "escalations_per_year": 0}  # quick: people and children only


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    """The full demo, built once; everything is rolled back when the class's tests are done."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield services.demo_data_build(force=True)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _financial_years(today):
    current = dt.date(today.year if today.month >= 4 else today.year - 1, 4, 1)
    return dt.date(current.year - 1, 4, 1), current


def _raised_between(start, end):
    return Escalation.objects.filter(raised_at__date__gte=start, raised_at__date__lt=end)


# --- refusals ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_refuses_when_debug_is_off_and_creates_nothing(settings):
    settings.DEBUG = False
    with pytest.raises(DomainError, match="--force"):
        services.demo_data_build(**NO_ESCALATIONS)
    assert not User.objects.exists()
    assert not Child.objects.exists()


@pytest.mark.django_db
def test_builds_with_debug_on_without_force(settings):
    settings.DEBUG = True
    result = services.demo_data_build(**NO_ESCALATIONS)
    assert result.users_created > 0


@pytest.mark.django_db
def test_refuses_sizes_too_small_for_the_fixed_logins():
    with pytest.raises(DomainError, match="at least 2 IROs"):
        services.demo_data_build(force=True, **{**NO_ESCALATIONS, "iros": 1})


@pytest.mark.django_db
class TestTheFullDemo:
    """The full-size demo, built once for the class (see the ``demo`` fixture)."""

    # --- people ------------------------------------------------------------------------------

    @pytest.mark.parametrize("username", services.FIXED_LOGINS)
    def test_the_fixed_logins_sign_in_with_the_demo_password(self, demo, username):
        request = RequestFactory().post("/accounts/login/")
        user = authenticate(request, username=username, password="demo-password")
        assert user == User.objects.get(username=username)

    def test_generated_users_have_the_demo_password_too(self, demo):
        for username in ("iro12", "sw1", "ap1", "tm4", "pgl2", "ad1", "dir1"):
            assert User.objects.get(username=username).check_password("demo-password"), username

    def test_there_are_twelve_iros_with_names(self, demo):
        iros = User.objects.filter(role=Role.IRO)
        assert sorted(iros.values_list("username", flat=True)) == sorted(f"iro{n}" for n in range(1, 13))
        assert all(u.first_name and u.last_name for u in iros)

    def test_there_are_responding_managers_at_every_active_stage(self, demo):
        for stage in Stage.objects.filter(active=True):
            assert User.objects.filter(role=Role.MANAGER, stage=stage, is_active=True).exists(), stage.code

    def test_the_managers_follow_the_ladder_names(self, demo):
        expected = {
            "sw1": "social_worker",
            "ap1": "advanced_practitioner",
            "tm1": "team_manager",
            "pgl1": "practice_group_lead",
            "hos1": "head_of_service",
            "ad1": "assistant_director",
            "dir1": "director",
        }
        for username, code in expected.items():
            user = User.objects.get(username=username)
            assert (user.role, user.stage.code) == (Role.MANAGER, code)

    def test_the_other_roles_exist_and_admin1_can_use_the_django_admin(self, demo):
        assert User.objects.get(username="sm1").role == Role.SERVICE_MANAGER
        assert User.objects.get(username="viewer1").role == Role.REPORT_VIEWER
        admin = User.objects.get(username="admin1")
        assert (admin.role, admin.is_staff, admin.is_superuser) == (Role.ADMIN, True, True)

    def test_the_build_reports_the_fixed_logins(self, demo):
        assert [login.username for login in demo.logins] == list(services.FIXED_LOGINS)
        assert {login.password for login in demo.logins} == {"demo-password"}
        assert {login.username: login.role for login in demo.logins}["tm1"] == "Manager: Team manager"

    def test_the_readme_gives_each_fixed_login_its_name_on_the_pages(self, demo):
        readme = (Path(settings.BASE_DIR) / "README.md").read_text()
        for login in demo.logins:
            assert f"| `{login.username}` | {login.name} |" in readme, login.username

    # --- children ----------------------------------------------------------------------------

    def test_there_are_500_looked_after_children_with_full_records(self, demo):
        today = timezone.localdate()
        children = list(Child.objects.all())
        assert len(children) == 500
        for child in children:
            assert len(child.case_id) == 6 and child.case_id.isdigit()
            assert child.first_name and child.last_name and child.social_worker and child.team_id and child.iro_id
            assert child.sex in ("1", "2")
            assert child.legal_status in ("C1", "C2", "E1", "V2")
            assert 0 <= (today - child.date_of_birth).days // 365.25 <= 17
            assert child.date_of_birth <= child.looked_after_from <= today

    def test_children_come_in_sibling_groups_of_every_size(self, demo):
        grouped = Child.objects.filter(sibling_group__isnull=False).values_list("sibling_group", flat=True)
        sizes = list(Counter(grouped).values())
        assert Child.objects.filter(sibling_group__isnull=True).count() > 250
        assert sum(1 for size in sizes if 2 <= size <= 4) >= 20
        assert sum(1 for size in sizes if 5 <= size <= 7) == 2

    def test_siblings_share_an_iro(self, demo):
        groups = {}
        for child in Child.objects.filter(sibling_group__isnull=False):
            groups.setdefault(child.sibling_group_id, set()).add(child.iro_id)
        assert all(len(iros) == 1 for iros in groups.values())

    def test_caseloads_are_spread_over_the_iros(self, demo):
        caseloads = Counter(Child.objects.values_list("iro__username", flat=True))
        assert len(caseloads) == 12
        assert all(35 <= n <= 60 for n in caseloads.values()), caseloads

    def test_iro1_has_a_sibling_group_on_their_caseload(self, demo):
        groups = Counter(
            Child.objects.filter(iro__username="iro1", sibling_group__isnull=False).values_list(
                "sibling_group", flat=True
            )
        )
        assert max(groups.values()) >= 2

    # --- escalations -------------------------------------------------------------------------

    def test_escalations_span_two_financial_years(self, demo):
        today = timezone.localdate()
        previous, current = _financial_years(today)
        full_year = _raised_between(previous, current).count()
        this_year = _raised_between(current, today + dt.timedelta(days=1)).count()
        elapsed = ((today - current).days + 1) / 365
        assert 175 <= full_year <= 190
        assert abs(this_year - 184 * elapsed) <= 10
        assert Escalation.objects.count() == full_year + this_year

    def test_nothing_is_dated_in_the_future(self, demo):
        now = timezone.now()
        assert not Escalation.objects.filter(raised_at__gt=now).exists()
        assert not Escalation.objects.filter(closed_at__gt=now).exists()
        assert not Step.objects.filter(sent_at__gt=now).exists()
        assert not Step.objects.filter(responded_at__gt=now).exists()

    def test_children_were_looked_after_when_escalations_were_raised_about_them(self, demo):
        for escalation in Escalation.objects.prefetch_related("children"):
            raised_on = timezone.localtime(escalation.raised_at).date()
            assert all(c.was_looked_after_on(raised_on) for c in escalation.children.all()), escalation.reference

    def test_escalations_are_raised_by_the_childs_iro(self, demo):
        for escalation in Escalation.objects.prefetch_related("children"):
            assert {c.iro_id for c in escalation.children.all()} == {escalation.iro_id}

    def test_some_are_open_today_and_several_overdue(self, demo):
        now = timezone.now()
        open_ = Escalation.objects.filter(status=EscalationStatus.OPEN)
        overdue = open_.filter(next_due_at__lt=now)
        assert 10 <= open_.count() <= 20
        assert overdue.count() >= 4
        assert open_.filter(next_due_at__gte=now).exists()  # some due soon

    def test_some_open_ones_are_due_soon(self, demo):
        calendar = working_calendar()
        today = timezone.localdate()
        soon = [
            e
            for e in Escalation.objects.filter(status=EscalationStatus.OPEN, next_due_at__gte=timezone.now())
            if e.current_step.due_on <= calendar.next_working_day(today)
        ]
        assert soon

    def test_the_iro1_and_tm1_logins_have_open_items(self, demo):
        open_ = Escalation.objects.filter(status=EscalationStatus.OPEN)
        assert open_.filter(iro__username="iro1").count() >= 3
        assert open_.filter(current_addressee__username="tm1").count() >= 3
        assert open_.filter(iro__username="iro1", next_due_at__lt=timezone.now()).exists()

    def test_care_plans_not_on_the_system_is_the_biggest_theme(self, demo):
        counts = Counter(Escalation.objects.values_list("themes__code", flat=True))
        total = Escalation.objects.count()
        assert counts.most_common(1)[0][0] == "care_plan_not_on_system"
        assert 0.48 <= counts["care_plan_not_on_system"] / total <= 0.58
        assert 0.07 <= counts["drift"] / total <= 0.13
        assert counts["safety"] > counts["staying_put"] > 0
        assert counts["life_story_work"] >= 1
        assert counts[None] >= 2  # a few with no theme, as the seed's numbers imply

    def test_a_few_escalations_carry_two_themes(self, demo):
        assert Escalation.objects.annotate(n=Count("themes")).filter(n=2).count() >= 3

    def test_drift_escalations_have_reasons_and_are_often_about_sibling_groups(self, demo):
        drift = Escalation.objects.filter(themes__code="drift").prefetch_related("children", "drift_reasons")
        assert all(e.drift_reasons.exists() for e in drift)
        assert sum(1 for e in drift if e.children.count() > 1) >= len(drift) // 3
        assert any(e.children.count() >= 5 for e in drift)  # the large families, as in the seed

    def test_sub_themes_are_recorded(self, demo):
        codes = set(Escalation.objects.values_list("subthemes__code", flat=True))
        assert {"missing", "cse", "criminality_gangs", "sickness", "worker_left"} <= codes

    def test_most_first_steps_go_to_team_managers_or_social_workers(self, demo):
        first = Counter(Step.objects.filter(sequence=1).values_list("stage__code", flat=True))
        assert first["team_manager"] + first["social_worker"] >= 0.7 * sum(first.values())

    def test_about_five_percent_are_escalated_on_to_senior_managers(self, demo):
        escalated = Escalation.objects.filter(steps__result="escalated").distinct()
        seniors = set(
            Step.objects.filter(escalation__in=escalated, sequence__gt=1).values_list("stage__code", flat=True)
        )
        assert 0.03 <= escalated.count() / Escalation.objects.count() <= 0.08
        assert seniors <= {"head_of_service", "assistant_director"}

    def test_a_couple_are_referred_to_cafcass(self, demo):
        assert 1 <= Escalation.objects.filter(cafcass_referred_on__isnull=False).count() <= 4

    def test_most_first_responses_come_within_24_hours(self, demo):
        answered = Escalation.objects.filter(first_response_at__isnull=False).prefetch_related("steps")
        quick = sum(1 for e in answered if e.first_response_at - e.steps.all()[0].sent_at <= dt.timedelta(hours=24))
        assert quick / len(answered) >= 0.7
        assert quick < len(answered)  # a few slower

    def test_most_closed_ones_close_within_a_few_working_days(self, demo):
        calendar = working_calendar()
        closed = Escalation.objects.filter(status=EscalationStatus.CLOSED)
        quick = sum(1 for e in closed if calendar.working_days_between(e.raised_at, e.closed_at) <= 5)
        assert quick / closed.count() >= 0.85
        outcomes = Counter(closed.values_list("outcome__code", flat=True))
        assert outcomes["resolved"] > 0.8 * closed.count()
        assert outcomes["not_resolved"] >= 1 and outcomes["withdrawn"] >= 1

    def test_a_second_build_creates_nothing(self, demo):
        before = (User.objects.count(), Child.objects.count(), Escalation.objects.count(), Step.objects.count())
        result = services.demo_data_build(force=True)
        after = (User.objects.count(), Child.objects.count(), Escalation.objects.count(), Step.objects.count())
        assert after == before
        assert (result.users_created, result.children_created, result.escalations_created) == (0, 0, 0)
        assert result.escalations_skipped


# --- small builds --------------------------------------------------------------------------------


def _snapshot():
    return (
        sorted(User.objects.values_list("username", "first_name", "last_name")),
        sorted(Child.objects.values_list("case_id", "first_name", "last_name", "date_of_birth", "iro__username")),
        sorted(Escalation.objects.values_list("reference", "iro__username", "raised_at", "status")),
    )


@pytest.mark.django_db
def test_the_demo_is_the_same_every_time():
    snapshots = []
    for _ in range(2):
        with transaction.atomic():
            services.demo_data_build(force=True, **SMALL)
            snapshots.append(_snapshot())
            transaction.set_rollback(True)
    assert snapshots[0] == snapshots[1]
    assert snapshots[0][2]


@pytest.mark.django_db
def test_a_small_demo_still_gives_iro1_and_tm1_open_items():
    services.demo_data_build(force=True, **SMALL)
    open_ = Escalation.objects.filter(status=EscalationStatus.OPEN)
    assert open_.filter(iro__username="iro1").exists()
    assert open_.filter(current_addressee__username="tm1").exists()
    assert open_.filter(next_due_at__lt=timezone.now()).exists()


@pytest.mark.django_db
def test_existing_escalations_by_a_demo_iro_mean_no_escalations_are_built():
    iro1 = IroFactory(username="iro1")
    raise_escalation(iro=iro1)
    result = services.demo_data_build(force=True, **SMALL)
    assert result.escalations_skipped
    assert Escalation.objects.count() == 1
    assert Child.objects.filter(case_id__regex=r"^\d{6}$").count() >= SMALL["children"]


@pytest.mark.django_db
def test_existing_users_are_kept_as_they_are():
    IroFactory(username="iro1", first_name="Ada", last_name="Okafor")
    services.demo_data_build(force=True, **NO_ESCALATIONS)
    iro1 = User.objects.get(username="iro1")
    assert (iro1.first_name, iro1.last_name) == ("Ada", "Okafor")
    assert User.objects.filter(username="iro1").count() == 1
