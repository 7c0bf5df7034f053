#!/usr/bin/env bash
# `make try-deploy` (inside scripts/with-postgres.sh): README "Deploying", followed end to end on this
# machine, on a throwaway PostgreSQL:
#   1. `make serve` (scripts/serve.sh) behind deploy/nginx.conf, with a throwaway certificate;
#   2. the demo council loaded, a page read through nginx over TLS as the service manager;
#   3. a backup with pg_dump, a restore into a new database with pg_restore;
#   4. the app started again on the restored database, serving the same data.
# Everything it starts listens on 127.0.0.1 and is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?run me through scripts/with-postgres.sh (make try-deploy)}"
PY=.venv/bin/python
say() { echo "try-deploy: $*" >&2; }

if ! command -v nginx >/dev/null 2>&1; then
    say "installing Debian's nginx"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nginx-light >/dev/null \
        || DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nginx >/dev/null
fi
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"

WORK="$(mktemp -d /tmp/try-deploy.XXXXXX)"
APP_PORT=18000 HTTPS_PORT=18443
serve_pid="" nginx_started=""
cleanup() {
    if [ -n "$serve_pid" ]; then kill -TERM "$serve_pid" 2>/dev/null || true; wait "$serve_pid" 2>/dev/null || true; fi
    if [ -n "$nginx_started" ]; then "$NGINX" -p "$WORK" -c "$WORK/nginx.conf" -s stop 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

export SECRET_KEY="try-deploy-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export ALLOWED_HOSTS=localhost GUNICORN_BIND="127.0.0.1:$APP_PORT" LOG_LEVEL=WARNING REQUEST_LOG_LEVEL=WARNING

# --- the proxy: deploy/nginx.conf as it is, but on 127.0.0.1, with a throwaway certificate
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost" \
    -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
sed -e "s#listen 80;#listen 127.0.0.1:18080;#" \
    -e "s#listen 443 ssl http2;#listen 127.0.0.1:$HTTPS_PORT ssl http2;#" \
    -e "s#server_name iro.example.org;#server_name localhost;#" \
    -e "s#/etc/ssl/certs/iro.example.org.pem#$WORK/cert.pem#" \
    -e "s#/etc/ssl/private/iro.example.org.key#$WORK/key.pem#" \
    -e "s#/var/log/nginx/iro-escalations.access.log#$WORK/access.log#" \
    -e "s#server 127.0.0.1:8000#server 127.0.0.1:$APP_PORT#" \
    deploy/nginx.conf > "$WORK/site.conf"
cat > "$WORK/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/error.log warn;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path $WORK/body; proxy_temp_path $WORK/proxy;
    fastcgi_temp_path $WORK/fastcgi; uwsgi_temp_path $WORK/uwsgi; scgi_temp_path $WORK/scgi;
    include $WORK/site.conf;
}
CONF
"$NGINX" -p "$WORK" -c "$WORK/nginx.conf" -t -q
"$NGINX" -p "$WORK" -c "$WORK/nginx.conf"
nginx_started=1
BASE="https://localhost:$HTTPS_PORT"
CURL=(curl -sS --cacert "$WORK/cert.pem" --resolve "localhost:$HTTPS_PORT:127.0.0.1" --max-time 30)

start_app() {
    scripts/serve.sh > "$WORK/serve.log" 2>&1 &
    serve_pid=$!
    for _ in $(seq 1 120); do
        if [ "$("${CURL[@]}" -o /dev/null -w '%{http_code}' "$BASE/readyz" 2>/dev/null)" = 200 ]; then return 0; fi
        sleep 1
    done
    cat "$WORK/serve.log" >&2
    say "the app did not become ready"; exit 1
}
stop_app() { kill -TERM "$serve_pid"; wait "$serve_pid" 2>/dev/null || true; serve_pid=""; }

# Signs in as the service manager through nginx and prints the first escalation reference on
# *All escalations*.
first_reference() {
    local jar="$WORK/cookies" token
    rm -f "$jar"
    token="$("${CURL[@]}" -c "$jar" "$BASE/sign-in/" | sed -n 's/.*name="csrfmiddlewaretoken" value="\([^"]*\)".*/\1/p' | sed -n 1p)"
    "${CURL[@]}" -b "$jar" -c "$jar" -o /dev/null -H "Referer: $BASE/sign-in/" \
        --data-urlencode "csrfmiddlewaretoken=$token" --data-urlencode username=sm1 \
        --data-urlencode password=demo-password "$BASE/sign-in/"
    "${CURL[@]}" -b "$jar" "$BASE/escalations/all/" | grep -o 'ESC-[0-9]\{4\}-[0-9]\{5\}' | sed -n 1p
}
count() { psql -tAc "SELECT count(*) FROM $1" "$2"; }

say "migrating and loading the demo council into PostgreSQL"
DEBUG=0 "$PY" manage.py migrate --noinput -v 0
DEBUG=0 "$PY" manage.py demo_data --force > /dev/null
start_app
headers="$("${CURL[@]}" -D - -o /dev/null "$BASE/sign-in/")"
http_redirect="$(curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' --resolve localhost:18080:127.0.0.1 http://localhost:18080/sign-in/)"
before="$(first_reference)"
[ -n "$before" ] || { say "signing in through nginx did not show the escalations"; exit 1; }
escalations_before="$(count escalations_escalation "$DATABASE_URL")"
steps_before="$(count escalations_step "$DATABASE_URL")"

say "backing up with pg_dump"
pg_dump --format=custom --no-owner --file "$WORK/backup.dump" "$DATABASE_URL"
stop_app
RESTORED="${DATABASE_URL%/*}/iro_restored"
createdb iro_restored
pg_restore --no-owner --dbname "$RESTORED" "$WORK/backup.dump"
say "serving the restored database"
DATABASE_URL="$RESTORED" start_app
after="$(DATABASE_URL="$RESTORED" first_reference)"
escalations_after="$(count escalations_escalation "$RESTORED")"
steps_after="$(count escalations_step "$RESTORED")"
stop_app

echo
echo "=== try-deploy: README \"Deploying\" on this machine ==="
echo "https through nginx:        $(echo "$headers" | sed -n 1p | tr -d '\r')"
echo "plain http:                 $http_redirect"
for h in Strict-Transport-Security Content-Security-Policy Permissions-Policy Server X-Request-ID; do
    printf '%-27s %s\n' "$h:" "$(echo "$headers" | grep -i "^$h:" | cut -d' ' -f2- | tr -d '\r' | cut -c1-70)"
done
echo "backup:                     $(du -h "$WORK/backup.dump" | cut -f1) (pg_dump --format=custom)"
echo "escalations before/after:   $escalations_before / $escalations_after"
echo "steps before/after:         $steps_before / $steps_after"
echo "first reference before:     $before"
echo "first reference restored:   $after"
if [ "$before" = "$after" ] && [ "$escalations_before" = "$escalations_after" ] && [ "$steps_before" = "$steps_after" ]; then
    echo "RESULT: the restored database serves the same data."
else
    echo "RESULT: FAILED: the restored data differs." >&2; exit 1
fi
