"""gunicorn's settings for IRO Escalations (README "Deploying"). Each can be changed from the
environment without editing this file: GUNICORN_BIND, WEB_WORKERS, WEB_THREADS, WEB_TIMEOUT,
FORWARDED_ALLOW_IPS."""

import os

wsgi_app = "iro_escalations.wsgi:application"
# Only the reverse proxy talks to gunicorn: bind to loopback (or a unix socket) behind it.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Threads let one worker serve several requests while another waits on the database.
workers = int(os.environ.get("WEB_WORKERS", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
worker_class = "gthread"
# A request taking longer than this is killed (the worker is restarted); long work runs on the
# background worker, so no page should come near it.
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (with jitter), so a slow leak cannot grow forever.
max_requests = 2000
max_requests_jitter = 200
# Limits on the request line and headers (the proxy has its own, and the body limit:
# client_max_body_size in deploy/nginx.conf; Django's DATA_UPLOAD_MAX_MEMORY_SIZE).
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# Trust X-Forwarded-* only from the proxy.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# The app logs one JSON line per request itself (core.middleware.RequestLogMiddleware), without the
# query string: gunicorn's access log would repeat it with the query string, so it is off.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "iro-escalations"
