"""Settings for the test suite: the real settings, with a throwaway key and a fast hasher.

The database still comes from ``DATABASE_URL``, so the same suite runs on SQLite and PostgreSQL.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-suite-only-not-a-secret")

from iro_escalations.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The test client and the browser tests' live server speak plain HTTP on 127.0.0.1: no redirect to
# HTTPS (tests/core/test_middleware.py switches it on to see it work). HSTS stays on, for secure requests.
SECURE_SSL_REDIRECT = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Tasks run at once, within the call that queues them (tests that need the real worker, in its own
# process, switch back to the database backend: tests/background).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
if os.environ.get("TEST_WORKER_PROCESS"):  # a worker the tests started: tasks come from the database
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# On SQLite the test database is a file, not memory, so the tests that run the real worker in a
# process of its own (tests/background) can open it too.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # One file per test run, so two runs at once (the SQLite and browser suites, or two people's
    # loops) never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")}  # noqa: F405
