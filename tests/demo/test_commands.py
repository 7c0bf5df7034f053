"""manage.py demo_data: a thin command over demo.services.demo_data_build."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from children.models import Child
from escalations.models import Escalation
from people.models import User

pytestmark = pytest.mark.django_db

PROJECT_DIR = Path(__file__).resolve().parents[2]

SMALL = ["--children", "60", "--iros", "3", "--teams", "2", "--escalations-per-year", "10"]
NO_ESCALATIONS = ["--children", "60", "--iros", "3", "--teams", "2", "--escalations-per-year", "0"]


def _run(*args):
    out = StringIO()
    call_command("demo_data", *args, stdout=out)
    return out.getvalue()


def _counts():
    return User.objects.count(), Child.objects.count(), Escalation.objects.count()


def test_refuses_when_debug_is_off_naming_force(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        _run(*SMALL)
    assert _counts() == (0, 0, 0)


def test_refusal_exits_non_zero_from_the_command_line(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "iro_escalations.settings",
        "DEBUG": "0",
        "SECRET_KEY": "test-only-" + "x" * 50,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
    }
    finished = subprocess.run(
        [sys.executable, "manage.py", "demo_data", *SMALL],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode != 0
    assert "--force" in finished.stderr


def test_force_builds_even_with_debug_off(settings):
    settings.DEBUG = False
    _run("--force", *NO_ESCALATIONS)
    assert User.objects.filter(username="iro1").exists()


def test_builds_with_debug_on(settings):
    settings.DEBUG = True
    _run(*NO_ESCALATIONS)
    assert User.objects.filter(username="iro1").exists()
    assert Child.objects.count() == 60


def test_prints_the_logins_table_and_the_url(settings):
    settings.DEBUG = True
    output = _run(*NO_ESCALATIONS)
    for username in ("iro1", "iro2", "tm1", "pgl1", "hos1", "sm1", "viewer1", "admin1"):
        line = next(line for line in output.splitlines() if line.split()[:1] == [username])
        assert line.split()[-1] == "demo-password"
    assert "Manager: Team manager" in output
    assert "http://127.0.0.1:8000/" in output


def test_a_second_run_creates_nothing_and_says_so(settings):
    settings.DEBUG = True
    _run(*SMALL)
    before = _counts()
    output = _run(*SMALL)
    assert _counts() == before
    assert "Created 0 users, 0 children and 0 escalations" in output
    assert "already exist" in output


def test_a_bad_size_is_refused(settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="at least 40 children"):
        _run("--children", "5")
    assert _counts() == (0, 0, 0)
