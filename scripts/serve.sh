#!/usr/bin/env bash
# `make serve`: production mode on this machine. gunicorn (deploy/gunicorn.conf.py) and the background
# worker, which also runs the scheduler, with DEBUG off. One Ctrl-C (or SIGTERM) stops both.
#
# Put the reverse proxy in front (deploy/nginx.conf: TLS, body size, timeouts). Settings come from the
# environment (README "Deploying"); for a try on this machine the script makes a SECRET_KEY once
# (var/secret-key) and allows 127.0.0.1 and localhost if nothing is set.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export DEBUG=0
if [ -z "${SECRET_KEY:-}" ]; then
    if [ ! -s var/secret-key ]; then
        mkdir -p var
        (umask 077; "$PY" -c "import secrets; print(secrets.token_urlsafe(50))" > var/secret-key)
    fi
    SECRET_KEY="$(cat var/secret-key)"
    export SECRET_KEY
fi
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost}"

"$PY" manage.py check --deploy --fail-level ERROR
"$PY" manage.py migrate --noinput
"$PY" manage.py collectstatic --noinput --verbosity 0

pids=()
stop() {
    trap - INT TERM EXIT
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$PY" manage.py run_worker &
pids+=($!)
.venv/bin/gunicorn -c deploy/gunicorn.conf.py &
pids+=($!)
echo ">>> gunicorn on ${GUNICORN_BIND:-127.0.0.1:8000} and the background worker are running (DEBUG off)." >&2
echo ">>> Serve it through the reverse proxy (deploy/nginx.conf); /healthz and /readyz answer directly." >&2
# Whichever stops first stops the other.
wait -n "${pids[@]}"
