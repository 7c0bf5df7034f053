"""Settings for `make bench-pages` only: the project's settings, with a URLconf that adds the floor
view (bench.urls_bench). Never used in production: the floor view exists only here."""

from iro_escalations.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls_bench"
SESSION_COOKIE_SECURE = False  # wrk talks plain HTTP to 127.0.0.1
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False  # no TLS in front of gunicorn here (in production nginx does it)
