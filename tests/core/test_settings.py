"""Settings come from the environment; production refuses the default secret."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _settings(**env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "VAR_DIR"}
    }
    script = (
        "import json, iro_escalations.settings as s; "
        "print(json.dumps({'debug': s.DEBUG, 'hosts': s.ALLOWED_HOSTS, 'tz': s.TIME_ZONE, 'use_tz': s.USE_TZ, "
        "'engine': s.DATABASES['default']['ENGINE'], 'name': str(s.DATABASES['default']['NAME']), "
        "'conn_max_age': s.DATABASES['default'].get('CONN_MAX_AGE')}))"
    )
    return subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60
    )


def test_production_refuses_the_default_secret_key():
    result = _settings(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY is the default development key" in result.stderr


def test_production_starts_with_a_real_secret_key():

    result = _settings(
        DEBUG="0", SECRET_KEY="a-real-secret-from-the-vault-0123456789", ALLOWED_HOSTS="iro.example.gov.uk"
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["hosts"] == ["iro.example.gov.uk"]


def test_the_default_database_is_the_embedded_sqlite_file():

    values = json.loads(_settings(DEBUG="1").stdout)
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["name"] == str(ROOT / "var" / "db.sqlite3")


def test_postgres_from_database_url_keeps_connections_open():

    values = json.loads(_settings(DEBUG="1", DATABASE_URL="postgres://iro@127.0.0.1:5432/iro").stdout)
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["conn_max_age"] == 60


def test_time_zone_is_fixed_to_london():

    values = json.loads(_settings(DEBUG="1", TIME_ZONE="UTC").stdout)
    assert values["tz"] == "Europe/London"
    assert values["use_tz"] is True


def test_a_malformed_debug_value_is_refused_with_its_name():
    result = _settings(DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a yes/no value" in result.stderr
