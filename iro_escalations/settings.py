"""Settings for IRO Escalations.

Everything that differs between machines comes from the environment:

- ``DATABASE_URL``: defaults to the embedded SQLite file ``var/db.sqlite3``.
- ``SECRET_KEY``: required when ``DEBUG`` is off (the default key is refused).
- ``DEBUG``: ``1``/``true`` for development; off by default.
- ``ALLOWED_HOSTS``: comma-separated; defaults to localhost when ``DEBUG`` is on.
"""

import datetime as dt
import os
import re
from pathlib import Path

import dj_database_url
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF
from django.core.exceptions import ImproperlyConfigured

from iro_escalations.env import env_bool, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
# Where the SQLite database (by default), uploaded files waiting for their job, and collected static
# files live. The web and worker processes must share it.
VAR_DIR = Path(env_str("VAR_DIR", default=str(BASE_DIR / "var")))

DEFAULT_SECRET_KEY = "insecure-development-key-do-not-use-in-production"

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env_str("SECRET_KEY", default=DEFAULT_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEFAULT_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is the default development key. Set the SECRET_KEY environment "
        "variable to a long random value before running with DEBUG off."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "simple_history",
    "axes",
    "crispy_forms",
    "crispy_forms_gds",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "rest_framework",
    "rest_framework_api_key",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "core",
    "background",
    "audit",
    "people",
    "workdays",
    "ladder",
    "themes",
    "children",
    "notices",
    "escalations",
    "demo",
    "reports",
    "imports",
    "dashboard",
    "ssda903",
    "api",
    "extract",
    "drift",
    "records",
]

MIDDLEWARE = [
    "core.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.sessions.SessionActivityMiddleware",
    "core.middleware.DataVersionMiddleware",  # before anything reads a record (its docstring)
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.limits.BodyLimitMiddleware",  # and the next: "Limits on input and sign-in protection" below
    "core.limits.PostRateLimitMiddleware",
    "audit.middleware.AccessLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "iro_escalations.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "escalations.context_processors.awaiting",
            ],
        },
    },
]

WSGI_APPLICATION = "iro_escalations.wsgi.application"

DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
    # SQLite ignores SELECT ... FOR UPDATE; taking the write lock when a transaction begins makes
    # two simultaneous changes queue, so the second sees the new version and is refused as stale
    # instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = int(env_str("CONN_MAX_AGE", default="60"))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# Caches, each in the process's memory (LocMemCache):
# - "default": Django's own default, spelled out: the POST rate limit's counts (core.limits).
# - "charts": the report's and the dashboard's rendered charts (reports.charts), keyed by a sha256 of
#   exactly what each drawing uses, so an entry is never stale and needs no invalidation: a per-process
#   cache is always correct, costs no query, no table and no createcachetable step, and each process
#   draws a given chart at most once. At most 256 charts (an SVG is some 20-60 KB),
#   the least recently used dropped first; they never expire otherwise.
# - "fragments": filter forms' rendered markup (core/templatetags/kept_forms.py), keyed the same way
#   by a sha256 of everything the markup shows (the values and the choices), so never stale either.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "charts": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "charts",
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": 256},
    },
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "fragments",
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": 512},
    },
    # Results kept against the data version and the minute (core.kept.kept_unchanged): useless
    # after their minute, so they go after two.
    "results": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "results",
        "TIMEOUT": 120,
        "OPTIONS": {"MAX_ENTRIES": 512},
    },
    # Rows of a list kept one by one the same way (core.kept.kept_unchanged_each: the access log's),
    # apart from the results so that paging through a long log never pushes out a kept report.
    "rows": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "rows",
        "TIMEOUT": 120,
        "OPTIONS": {"MAX_ENTRIES": 2048},
    },
}

AUTH_USER_MODEL = "people.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-axes: lock an account/IP pair out after repeated failed sign-ins.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"  # fixed: working days and deadlines are English local time
USE_I18N = True
USE_TZ = True

# govuk-frontend's stylesheet refers to /assets/fonts and /assets/images, so static files
# are served under /assets/.
STATIC_URL = "/assets/"
STATIC_ROOT = VAR_DIR / "static"
GOVUK_FRONTEND_DIR = BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    GOVUK_FRONTEND_DIR / "assets",
    ("govuk-frontend", GOVUK_FRONTEND_DIR),
    # MOJ Frontend, for what GOV.UK has no component for (timeline, sortable table).
    ("moj", BASE_DIR / "node_modules" / "@ministryofjustice" / "frontend" / "moj"),
]

# Forms are laid out with crispy-forms-gds (GOV.UK Design System markup and error summary).
CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_HTTPONLY = True
# SESSION_COOKIE_AGE: see "Sessions and sign-in" at the end.
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=True)

# --- Security headers (README "Deploying") ----------------------------------------------------------
# Behind the reverse proxy, which terminates TLS and says so in X-Forwarded-Proto (set by our nginx
# sample only; never trust it from the internet directly).
if env_bool("BEHIND_TLS_PROXY", default=not DEBUG):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]  # the proxy's and the orchestrator's own checks
SECURE_HSTS_SECONDS = int(env_str("SECURE_HSTS_SECONDS", default="0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)  # permits listing; submitting is the council's
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# What the pages may load: only our own files (the charts' SVG is drawn with presentation attributes,
# the scripts are static files), images also as data: URLs (the council's logo). django-csp.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF],
        "style-src": [CSP_SELF],
        "img-src": [CSP_SELF, "data:"],
        "font-src": [CSP_SELF],
        "connect-src": [CSP_SELF],
        "form-action": [CSP_SELF] + env_list("CSP_FORM_ACTION", default=[]),  # add the identity provider's
        "frame-ancestors": [CSP_NONE],
        "base-uri": [CSP_SELF],
        "object-src": [CSP_NONE],
    }
}
# No browser feature the service does not use (core.middleware.SecurityHeadersMiddleware).
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=(), interest-cohort=()"
)

# Audit: history is append-only, so the admin's "revert" is switched off.
SIMPLE_HISTORY_REVERT_DISABLED = True

# Logs go to standard error: JSON lines in production (LOG_FORMAT=json, the default with DEBUG off),
# plain text in development. One line per request (core.middleware.RequestLogMiddleware, logger
# iro.requests, at INFO), with its request ID. No log line carries a child's name or any text typed in.
LOG_FORMAT = env_str("LOG_FORMAT", default="text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"quiet_forbidden": {"()": "core.logs.QuietForbidden"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["quiet_forbidden"], "formatter": LOG_FORMAT}
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", default="WARNING")},
    "loggers": {"iro.requests": {"level": env_str("REQUEST_LOG_LEVEL", default="INFO")}},
}

# --- Sessions and sign-in --------------------------------------------------------------------------
# A session ends after SESSION_TIMEOUT_MINUTES without a request (every request starts the count
# again; the session is written at most once every SESSION_WRITE_INTERVAL_SECONDS for it,
# core.sessions). static/js/session-timeout.js warns SESSION_TIMEOUT_WARNING_SECONDS before the end, offers
# "Stay signed in" (core.views.session_keep_alive), and keeps unsaved form text through a new
# sign-in.
SESSION_TIMEOUT_MINUTES = int(env_str("SESSION_TIMEOUT_MINUTES", default="30"))
if SESSION_TIMEOUT_MINUTES < 2:
    raise ImproperlyConfigured("SESSION_TIMEOUT_MINUTES must be at least 2.")
SESSION_COOKIE_AGE = SESSION_TIMEOUT_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_WRITE_INTERVAL_SECONDS = 60
SESSION_TIMEOUT_WARNING_SECONDS = 120

# The GOV.UK page django-axes shows when an account is locked out (AXES_* above).
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# Who runs the service, for the accessibility statement and privacy notice.
SERVICE_COUNCIL_NAME = env_str("SERVICE_COUNCIL_NAME", default="")
SERVICE_CONTACT_EMAIL = env_str("SERVICE_CONTACT_EMAIL", default="")
SERVICE_DPO_EMAIL = env_str("SERVICE_DPO_EMAIL", default="")

# Optional single sign-on with the council's identity provider (OpenID Connect, e.g. Entra ID),
# through mozilla-django-oidc. Off unless its settings are in the environment; README "Single
# sign-on". People sign in with an account that already exists here, matched by email address
# (core.oidc.CouncilAccountBackend); the identity provider never creates users or gives roles.
OIDC_REQUIRED = (
    "OIDC_RP_CLIENT_ID",
    "OIDC_RP_CLIENT_SECRET",
    "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT",
)
_oidc_given = [name for name in OIDC_REQUIRED if env_str(name, default="")]
OIDC_ENABLED = bool(_oidc_given)
if OIDC_ENABLED:
    _oidc_missing = [name for name in OIDC_REQUIRED if name not in _oidc_given]
    OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", default="RS256")
    OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT", default="") or None
    if OIDC_RP_SIGN_ALGO.startswith(("RS", "ES")) and not OIDC_OP_JWKS_ENDPOINT:
        _oidc_missing.append("OIDC_OP_JWKS_ENDPOINT")
    if _oidc_missing:
        raise ImproperlyConfigured(
            "Single sign-on is half set up: set "
            + ", ".join(_oidc_missing)
            + " too, or unset every OIDC_ variable to sign in with passwords only."
        )
    OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID", default="")
    OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET", default="")
    OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
    OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT", default="")
    OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT", default="")
    OIDC_RP_SCOPES = env_str("OIDC_RP_SCOPES", default="openid email")
    OIDC_USE_PKCE = True
    OIDC_CREATE_USER = False
    OIDC_TIMEOUT = 15
    OIDC_CALLBACK_CLASS = "core.oidc.CouncilAccountCallbackView"
    LOGIN_REDIRECT_URL_FAILURE = "/sign-in/"
    INSTALLED_APPS.append("mozilla_django_oidc")
    AUTHENTICATION_BACKENDS.append("core.oidc.CouncilAccountBackend")

# Background work (README "The background worker"): Django's tasks framework (the django-tasks
# backport of Django 6's django.tasks) with its database backend, so no broker is needed. Tasks are
# queued in the database and run by `python manage.py run_worker`; the tests run them at once.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A worker beats its heartbeat (and looks for periodic jobs due) this often; one silent for
# BACKGROUND_STALE_SECONDS has stopped, and a job it was running is shown as stopped.
BACKGROUND_TICK_SECONDS = float(env_str("BACKGROUND_TICK_SECONDS", default="10"))
BACKGROUND_STALE_SECONDS = float(env_str("BACKGROUND_STALE_SECONDS", default="60"))

# --- Notices (README "Notices") ----------------------------------------------------------------------
# Emails to the people an escalation concerns, from the outbox (notices.models.Notice) the worker
# delivers: GOV.UK Notify when NOTIFY_API_KEY is set, else SMTP when EMAIL_HOST is set, else the
# console (the worker's output, and in DEBUG the /dev/sent-emails/ page).
SERVICE_BASE_URL = env_str("SERVICE_BASE_URL", default="http://127.0.0.1:8000")
EMAIL_HOST = env_str("EMAIL_HOST", default="")
EMAIL_PORT = int(env_str("EMAIL_PORT", default="25"))
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = int(env_str("EMAIL_TIMEOUT", default="30"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", default="IRO Escalations <iro-escalations@localhost>")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
NOTIFY_API_KEY = env_str("NOTIFY_API_KEY", default="")
NOTIFY_BASE_URL = env_str("NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk")
NOTIFY_TEMPLATE_ID = env_str("NOTIFY_TEMPLATE_ID", default="")
# Optional: a template of its own for a kind of notice, e.g. NOTIFY_TEMPLATE_STEP_SENT=<id>.
NOTIFY_TEMPLATES = {
    name.removeprefix("NOTIFY_TEMPLATE_").lower(): value
    for name, value in os.environ.items()
    if name.startswith("NOTIFY_TEMPLATE_") and name != "NOTIFY_TEMPLATE_ID" and value
}
if NOTIFY_API_KEY and not (NOTIFY_TEMPLATE_ID or NOTIFY_TEMPLATES):
    raise ImproperlyConfigured("NOTIFY_API_KEY is set but no template is: set NOTIFY_TEMPLATE_ID (README, Notices).")


def _hours(raw: str) -> tuple[dt.time, dt.time]:
    try:
        start, end = (dt.time.fromisoformat(part.strip()) for part in raw.split("-"))
    except ValueError as error:
        raise ImproperlyConfigured(f"NOTICE_HOURS={raw!r} is not like 09:00-17:00.") from error
    if start >= end:
        raise ImproperlyConfigured(f"NOTICE_HOURS={raw!r} ends before it starts.")
    return start, end


# Clock-driven notices (due soon, overdue, the cap, digests, summaries) go only in these London
# hours, on working days.
NOTICE_WORKING_HOURS = _hours(env_str("NOTICE_HOURS", default="09:00-17:00"))
NOTICE_DELIVER_EVERY_SECONDS = int(env_str("NOTICE_DELIVER_EVERY_SECONDS", default="30"))  # the catch-up run
NOTICE_CLAIM_SECONDS = int(env_str("NOTICE_CLAIM_SECONDS", default="300"))  # a sending worker's claim
NOTICE_RETRY_BASE_SECONDS = int(env_str("NOTICE_RETRY_BASE_SECONDS", default="30"))  # doubles each try, to 1 hour
NOTICE_MAX_ATTEMPTS = int(env_str("NOTICE_MAX_ATTEMPTS", default="12"))
NOTICE_MESSAGE_ID_DOMAIN = env_str("NOTICE_MESSAGE_ID_DOMAIN", default="iro-escalations.invalid")

# The committee paper (README "The committee report"): the council's logo, the meetings a paper can go
# to, and the officers it names, set by whoever runs the service. The council's name is
# SERVICE_COUNCIL_NAME, above. Each paper's own details (item number, meeting date, wards) are edited
# on its pages.
REPORT_COUNCIL_LOGO = env_str("REPORT_COUNCIL_LOGO", default="")  # a PNG or JPEG file, printed on the cover
REPORT_MEETING_NAMES = env_list("REPORT_MEETING_NAMES", default=["Corporate Parenting Committee"])
REPORT_FROM = env_str("REPORT_FROM", default="Director of Children's Services")
REPORT_LEAD_OFFICER = env_str("REPORT_LEAD_OFFICER", default="")  # e.g. "A. Smith, Director, Children and Families"
REPORT_AUTHOR = env_str("REPORT_AUTHOR", default="")  # e.g. "J. Cook, Head of Quality Assurance"
# Words the identifier check counts as ordinary English (lower case, one a line): a first name that is
# also one of them ("May", "Will", "Grace") may be overridden with a second person's approval.
REPORT_WORD_LIST = env_str("REPORT_WORD_LIST", default="/usr/share/dict/british-english")

# --- The API (README "The API") -----------------------------------------------------------------------
# Django REST framework under /api/v1/: API keys (api.authentication) or a signed-in session with CSRF;
# each key's scope and its account's role decide what it may call (api.permissions); errors are RFC 9457
# problem details (api.problems); each key (or signed-in person) is throttled (api.throttling).
API_THROTTLE_RATE = env_str("API_THROTTLE_RATE", default="600/minute")
if not re.fullmatch(r"[1-9][0-9]*/(second|minute|hour|day)", API_THROTTLE_RATE):
    raise ImproperlyConfigured(
        f"API_THROTTLE_RATE={API_THROTTLE_RATE!r} is not like 600/minute (or per second, hour or day)."
    )
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ServiceKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.ScopeAndRole"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.KeyRateThrottle"],
    # Requests per key (or per signed-in person): a number, then second, minute, hour or day.
    "DEFAULT_THROTTLE_RATES": {"api": API_THROTTLE_RATE},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_METADATA_CLASS": None,  # OPTIONS is not offered: 405, like any method an operation lacks
    "EXCEPTION_HANDLER": "api.problems.problem_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "IRO Escalations API",
    "DESCRIPTION": (
        "Children, escalations and the committee report of an IRO service, for the council's case management "
        "system, its BI and IRO tools. Every read and write goes through the same rules as the pages."
    ),
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_ADD_EXPLICIT_BLANK_NULL_CHOICE": False,
    # The docs page's script, styles and images come from drf-spectacular-sidecar's own files (no CDN).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Records management (README "Records management"): the retention schedule, legal holds, erasure and
# subject access exports. A looked-after child's case record is kept until this birthday (the 75th:
# regulation 50 of the Care Planning, Placement and Case Review (England) Regulations 2010), and
# their escalations and their record here are kept at least as long; 0 unlinks them, so that only
# the schedule's own periods apply.
RECORDS_CASE_RECORD_UNTIL_AGE = int(env_str("RECORDS_CASE_RECORD_UNTIL_AGE", default="75"))
if not 0 <= RECORDS_CASE_RECORD_UNTIL_AGE <= 120:
    raise ImproperlyConfigured("RECORDS_CASE_RECORD_UNTIL_AGE must be between 0 and 120 (years).")
# Whether a subject access export names the staff in it (on), or shows each by their role (off).
RECORDS_EXPORT_STAFF_NAMES = env_bool("RECORDS_EXPORT_STAFF_NAMES", default=True)

# --- Limits on input and sign-in protection (README "Limits on input"; issue 16) ---------------------
# Request bodies: Django refuses form data over DATA_UPLOAD_MAX_MEMORY_SIZE (a 400 page); an upload's
# files go to disk above FILE_UPLOAD_MAX_MEMORY_SIZE. core.limits.BodyLimitMiddleware refuses, from
# the Content-Length alone and before anything is read, any body over REQUEST_BODY_MAX_BYTES (the
# 50 MB upload and its form) and any anonymous body over ANONYMOUS_BODY_MAX_BYTES (the sign-in form is
# the only one an anonymous person sends).
DATA_UPLOAD_MAX_MEMORY_SIZE = int(env_str("DATA_UPLOAD_MAX_MEMORY_SIZE", default=str(2 * 1024 * 1024)))
FILE_UPLOAD_MAX_MEMORY_SIZE = int(env_str("FILE_UPLOAD_MAX_MEMORY_SIZE", default=str(2 * 1024 * 1024)))
DATA_UPLOAD_MAX_NUMBER_FIELDS = int(env_str("DATA_UPLOAD_MAX_NUMBER_FIELDS", default="2000"))
DATA_UPLOAD_MAX_NUMBER_FILES = int(env_str("DATA_UPLOAD_MAX_NUMBER_FILES", default="10"))
REQUEST_BODY_MAX_BYTES = int(env_str("REQUEST_BODY_MAX_BYTES", default=str(52 * 1024 * 1024)))
ANONYMOUS_BODY_MAX_BYTES = int(env_str("ANONYMOUS_BODY_MAX_BYTES", default=str(16 * 1024)))
# An uploaded workbook (core/xlsx.py), checked before it is parsed: everything in it unpacked, and how
# much more than its compressed size any part may unpack to.
XLSX_MAX_UNCOMPRESSED_BYTES = int(env_str("XLSX_MAX_UNCOMPRESSED_BYTES", default=str(400 * 1024 * 1024)))
XLSX_MAX_RATIO = int(env_str("XLSX_MAX_RATIO", default="100"))
# Sign-in: every failed sign-in is kept (axes' access-failure log, shown to the service manager at
# /sign-in/failures/) even though a successful sign-in clears the lockout count (AXES_RESET_ON_SUCCESS).
# Besides the lockout per username and IP (AXES_FAILURE_LIMIT), one IP address is refused for the
# cool-off time after SIGN_IN_IP_FAILURE_LIMIT failures across any usernames (core.signin).
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT = 1000
SIGN_IN_IP_FAILURE_LIMIT = int(env_str("SIGN_IN_IP_FAILURE_LIMIT", default="20"))
# POSTs per signed-in person per minute (core.limits.PostRateLimitMiddleware; Django's cache): generous
# for real work, a 429 page beyond it.
POST_RATE_LIMIT_PER_MINUTE = int(env_str("POST_RATE_LIMIT_PER_MINUTE", default="120"))
