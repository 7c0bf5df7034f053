"""The lists' queries read their own rows, not the table: a regression guard for national scale.

A test with a million rows would be too slow for CI. Instead, ~100,000 escalations (and their steps,
children and links) are generated in SQL on PostgreSQL and ANALYZEd, so the planner plans as it
would for a large table, and each list's page query is EXPLAINed: a plan that reads the escalations
(or steps) table sequentially fails. The figures at full size are bench/pages_bench.py's. SQLite has
no planner statistics to speak of: skipped there.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from children.selectors import child_caseload, child_named_first, child_visible_to
from escalations import selectors
from escalations.models import Escalation, EscalationStatus
from ladder.models import Stage
from people.models import Role, User, name_sort_key_sql
from workdays.selectors import working_calendar

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner only"),
    pytest.mark.django_db,
]

ESCALATIONS = 100_000
IROS = 50
MANAGERS = 40
CHILDREN = 20_000
PAGE = 25
DEEP = 9_975  # the last page the capped pagination offers (core.paging.COUNT_CAP)
BASE = 10_000_000  # the generated rows' ids start after it (no row of the test database is near it)
WATCHED = ("escalations_escalation", "escalations_step", "children_child")

GENERATE = """
INSERT INTO people_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active,
                         date_joined, role, stage_id)
SELECT '!', false, 'plan-' || r || '-' || n, 'First' || n, 'Last' || (n * 7919 %% 1000), '', false, true, now(), r,
       CASE WHEN r = 'manager' THEN %(stage)s END
FROM (SELECT 'iro' AS r, n FROM generate_series(1, %(iros)s) n
      UNION ALL SELECT 'manager', n FROM generate_series(1, %(managers)s) n
      UNION ALL SELECT 'service_manager', 1) AS u;

CREATE TEMP TABLE plan_iro AS
SELECT row_number() OVER (ORDER BY id) - 1 AS k, id FROM people_user WHERE username LIKE 'plan-iro-%%';
CREATE TEMP TABLE plan_manager AS
SELECT row_number() OVER (ORDER BY id) - 1 AS k, id FROM people_user WHERE username LIKE 'plan-manager-%%';
CREATE TEMP TABLE plan_stage AS SELECT row_number() OVER (ORDER BY "order") - 1 AS k, id, "order" FROM ladder_stage;

INSERT INTO children_child (id, case_id, first_name, last_name, sex, legal_status, social_worker, iro_id,
                            details_to_complete)
SELECT %(base)s + n, 'PLAN' || n, CASE WHEN n %% 50 = 0 THEN '' ELSE 'Child' || n END,
       CASE WHEN n %% 50 = 0 THEN '' ELSE 'Family' || (n * 31 %% 5000) END, '', '', '', i.id, false
FROM generate_series(1, %(children)s) n JOIN plan_iro i ON i.k = n %% %(iros)s;

INSERT INTO escalations_escalation (
    id, reference, iro_id, iro_sort_key, raised_at, raised_date_only, concern, desired_outcome, status, outcome_id,
    closed_at, cafcass_reason, source, current_step_id, current_stage_id, current_stage_order, current_addressee_id,
    current_responded_at, highest_stage_id, next_due_at, first_response_date_only, version, import_row_hash,
    created_at, updated_at)
SELECT %(base)s + n, 'PLAN-' || lpad(n::text, 7, '0'), i.id,
       IRO_SORT_KEY,
       t.raised_at, false, 'Synthetic.', '',
       CASE WHEN n %% 10 = 0 THEN 'open' ELSE 'closed' END,
       CASE WHEN n %% 10 = 0 THEN NULL ELSE %(outcome)s END,
       CASE WHEN n %% 10 = 0 THEN NULL ELSE t.raised_at + interval '30 days' END,
       '', 'app', %(base)s + n, s.id, s."order", m.id,
       -- a third of the open ones have their reply (with the IRO to decide); the others await it
       CASE WHEN n %% 10 = 0 AND n / 10 %% 3 = 1 THEN t.raised_at + interval '5 days' END,
       s.id,
       CASE WHEN n %% 10 = 0 AND n / 10 %% 3 <> 1 THEN t.raised_at + interval '10 days' END,
       false, 1, '', t.raised_at, t.raised_at
FROM generate_series(1, %(escalations)s) n
CROSS JOIN LATERAL (SELECT now() - (n * interval '53 minutes') AS raised_at) t
JOIN plan_iro i ON i.k = n %% %(iros)s
JOIN people_user u ON u.id = i.id
JOIN plan_manager m ON m.k = n * 13 %% %(managers)s
JOIN plan_stage s ON s.k = n * 7 %% (SELECT count(*) FROM plan_stage);

INSERT INTO escalations_step (id, escalation_id, sequence, stage_id, addressee_id, sent_at, target_working_days,
                              due_on, due_at, first_response_date_only, responded_at, response, action_agreed, result,
                              ended_at, sent_reason, end_reason)
SELECT e.id, e.id, 1, e.current_stage_id, e.current_addressee_id, e.raised_at, 10,
       (e.raised_at + interval '14 days')::date, e.raised_at + interval '14 days', false, e.current_responded_at,
       CASE WHEN e.current_responded_at IS NOT NULL THEN 'Synthetic response.' ELSE '' END, '',
       CASE WHEN e.status = 'closed' THEN 'resolved' ELSE '' END, e.closed_at, '', ''
FROM escalations_escalation e WHERE e.id > %(base)s;

INSERT INTO escalations_escalation_children (escalation_id, child_id)
SELECT e.id, %(base)s + (e.id - %(base)s) %% %(children)s + 1 FROM escalations_escalation e WHERE e.id > %(base)s;

-- The foreign keys are checked at the end of the transaction; check them now, once, or every test's
-- savepoint would check them again (Django's TestCase checks deferred constraints at its teardown).
SET CONSTRAINTS ALL IMMEDIATE;
SET CONSTRAINTS ALL DEFERRED;

ANALYZE people_user;
ANALYZE children_child;
ANALYZE escalations_escalation;
ANALYZE escalations_step;
ANALYZE escalations_escalation_children;
""".replace("IRO_SORT_KEY", name_sort_key_sql("u"))


@pytest.fixture(scope="module")
def national(django_db_setup, django_db_blocker):
    """The generated rows and their statistics, for this module's tests: in a transaction held
    open across them (each test's own is a savepoint in it) and rolled back after them, which also
    undoes ANALYZE's statistics. Removing 100,000 rows row by row would take minutes."""
    with django_db_blocker.unblock():
        held = transaction.atomic()
        held.__enter__()
        params = {
            "iros": IROS,
            "managers": MANAGERS,
            "children": CHILDREN,
            "escalations": ESCALATIONS,
            "base": BASE,
            "stage": Stage.objects.get(code="team_manager").pk,
            "outcome": _outcome_id(),
        }
        with connection.cursor() as cursor:
            cursor.execute(GENERATE, params)
        try:
            yield
        finally:
            transaction.set_rollback(True)
            held.__exit__(None, None, None)


def _outcome_id() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM themes_outcome ORDER BY id LIMIT 1")
        return cursor.fetchone()[0]


def _user(role: str) -> User:
    return User.objects.filter(username__startswith=f"plan-{role}-").order_by("pk").first()


def _plan(queryset, offset: int = 0, size: int = PAGE) -> str:
    return queryset[offset : offset + size].explain()


def _sequential_scans(plan: str) -> list[str]:
    return [line.strip() for line in plan.splitlines() if any(f"Seq Scan on {table}" in line for table in WATCHED)]


def _sorts(plan: str) -> list[str]:
    """The plan's sorts (a top-N sort, or an incremental one over each run of equal keys): each one
    reads every row it is given before the first comes out."""
    return [line.strip() for line in plan.splitlines() if "Sort  (" in line]


def _assert_reads_its_own_rows(queryset, offset: int = 0, size: int = PAGE):
    plan = _plan(queryset, offset, size)
    assert not _sequential_scans(plan), f"the page's plan scans a whole table:\n{plan}"


def _assert_reads_its_index(queryset, index: str):
    """Only the rows of one range of ``index`` (a list of one person's: few enough that a sort of them
    is cheap, so the planner may sort them)."""
    plan = _plan(queryset)
    assert not _sequential_scans(plan), f"the page's plan scans a whole table:\n{plan}"
    assert _reads(plan, index), f"the page's plan does not read {index}:\n{plan}"


def _reads(plan: str, index: str) -> bool:
    """Whether the plan reads ``index``: an index (or index-only) scan of it, or a bitmap of it."""
    return f"using {index} on escalations_escalation" in plan or f"Bitmap Index Scan on {index}" in plan


def _assert_read_in_order(queryset, offset: int = 0, size: int = PAGE):
    """Read from an index in the list's order: no sequential scan, and no sort of the rows read."""
    plan = _plan(queryset, offset, size)
    assert not _sequential_scans(plan), f"the page's plan scans a whole table:\n{plan}"
    assert not _sorts(plan), f"the page's plan sorts the rows it reads instead of reading them in order:\n{plan}"


def _all(sort=None, **criteria):
    return selectors.escalation_all_rows(user=_user("service_manager"), sort=sort, **criteria)


def test_the_guard_sees_a_sequential_scan_when_there_is_one(national):
    # A sort no index serves (the concern's text): the guard must catch it, or it guards nothing.
    plan = _plan(Escalation.objects.order_by("concern", "pk"))
    assert _sequential_scans(plan)


@pytest.mark.parametrize("sort", ["-raised", "raised", "reference", "-reference", "due", "-due", "iro", "-iro"])
@pytest.mark.parametrize("offset", [0, DEEP])
def test_all_escalations_in_each_order_reads_its_own_rows(national, sort, offset):
    _assert_read_in_order(_all(sort), offset)


@pytest.mark.parametrize("sort", ["stage", "-stage"])
@pytest.mark.parametrize("offset", [0, DEEP])
def test_all_escalations_by_stage_reads_its_own_rows(national, sort, offset):
    _assert_read_in_order(_all(sort), offset)


def test_all_escalations_open_only_reads_its_own_rows(national):
    _assert_reads_its_own_rows(_all(status=EscalationStatus.OPEN))


def test_all_escalations_of_one_iro_reads_its_own_rows(national):
    _assert_reads_its_own_rows(_all(iro=_user("iro")))


def test_all_escalations_at_one_stage_reads_its_own_rows(national):
    _assert_reads_its_own_rows(_all(stage=Stage.objects.order_by("order").first()))


def test_all_escalations_overdue_reads_its_own_rows(national):
    _assert_reads_its_own_rows(_all(overdue=True, sort="due"))


@pytest.mark.parametrize("status", [None, EscalationStatus.OPEN, EscalationStatus.CLOSED])
def test_my_escalations_reads_its_own_rows(national, status):
    _assert_reads_its_own_rows(selectors.escalation_raised_by(iro=_user("iro"), status=status))


def test_what_was_sent_to_a_manager_before_reads_its_own_rows(national):
    _assert_reads_its_own_rows(selectors.manager_sent_before(manager=_user("manager")))


def test_what_awaits_a_managers_reply_reads_its_own_rows(national):
    manager = _user("manager")
    awaiting = Escalation.objects.filter(
        status=EscalationStatus.OPEN, current_addressee=manager, next_due_at__isnull=False
    )
    _assert_reads_its_own_rows(awaiting.order_by("next_due_at", "pk"), size=1000)


def test_my_children_reads_its_own_rows(national):
    assert _user("iro").role == Role.IRO
    _assert_reads_its_own_rows(child_caseload(iro=_user("iro")), size=50)


def test_children_reads_its_own_rows(national):
    children = child_named_first(child_visible_to(user=_user("service_manager")).select_related("iro"))
    _assert_reads_its_own_rows(children, offset=0, size=50)


def test_the_inbox_pages_of_awaiting_and_answered_read_their_own_rows(national):
    inbox = selectors.manager_inbox(manager=_user("manager"), calendar=working_calendar())
    assert inbox.answered_pages.paginator.count > 0  # the generated rows have some of each
    pages = {"esc_addressee_due_idx": inbox.awaiting_pages, "esc_addressee_replied_idx": inbox.answered_pages}
    for index, page in pages.items():
        _assert_reads_its_index(page.object_list.all(), index)  # .all(): the page's query, not its rows


def test_a_page_of_an_iros_decisions_reads_its_own_rows(national):
    decisions = selectors.escalation_decisions(iro=_user("iro"))
    assert decisions.paginator.count > 0
    _assert_reads_its_index(decisions.object_list.all(), "esc_iro_replied_idx")


@pytest.mark.parametrize("role", ["iro", "manager"])
def test_the_navigations_count_of_what_awaits_reads_one_index(national, role):
    user = _user(role)
    with CaptureQueriesContext(connection) as queries:
        selectors.escalation_awaiting_count(user=user)
    (count,) = queries.captured_queries
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {count['sql']}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    index = "esc_iro_replied_idx" if role == "iro" else "esc_addressee_due_idx"
    assert _reads(plan, index), plan
    assert "escalations_step" not in plan, plan
