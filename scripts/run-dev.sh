#!/usr/bin/env bash
# `make run`: the web server and the background worker together, on the embedded SQLite database.
# One Ctrl-C stops both. Prints where the emails go.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

if [ -n "${NOTIFY_API_KEY:-}" ]; then
    where="by GOV.UK Notify"
elif [ -n "${EMAIL_HOST:-}" ]; then
    where="to the mail server at ${EMAIL_HOST}:${EMAIL_PORT:-25}"
else
    where="nowhere outside this machine: the worker prints each one below, and http://127.0.0.1:8000/emails/sent/ lists them (development only)"
fi

worker_pid=""
stop() {
    trap - INT TERM EXIT
    if [ -n "$worker_pid" ] && kill -0 "$worker_pid" 2>/dev/null; then
        kill -TERM "$worker_pid" 2>/dev/null || true
        wait "$worker_pid" 2>/dev/null || true
    fi
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$PY" manage.py run_worker &
worker_pid=$!

echo
echo ">>> The background worker is running (pid $worker_pid): imports, emails and the daily jobs."
echo ">>> Emails go $where."
echo ">>> Each demo person has an email address (username@example.org)."
echo ">>> Open http://127.0.0.1:8000/ (Ctrl-C stops the web server and the worker)."
echo
"$PY" manage.py runserver 127.0.0.1:8000
