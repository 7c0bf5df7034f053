#!/usr/bin/env bash
# Run the pytest suite once, against whatever DATABASE_URL points at, with a banner.
#
#   scripts/pytest.sh [PYTEST ARGS...]
#
# Prints "=== pytest on SQLite ===" / "=== pytest on PostgreSQL 15.18 ===" first, writes a
# JUnit report to var/junit-<db>.xml (read by scripts/test-summary.sh), or to
# var/junit-<PYTEST_REPORT>.xml when PYTEST_REPORT is set (PYTEST_REPORT=browser for the
# browser suite, which is then named in the banner), and exits with
# pytest's own exit code -- except that it refuses to let "no tests collected" (pytest's
# exit code 5) pass quietly: that prints a loud error and still exits non-zero.
set -uo pipefail

cd "$(dirname "$0")/.."
PYTHON="${VENV_PYTHON:-.venv/bin/python}"

url="${DATABASE_URL:-}"
case "$url" in
    postgres://*|postgresql://*|pgsql://*)
        label="PostgreSQL ${WITH_POSTGRES_VERSION:-}"; slug=postgres ;;
    sqlite:*|"")
        label="SQLite"; slug=sqlite ;;
    *)
        label="${url%%:*}"; slug="$label" ;;
esac
label="${label% }"
if [ -n "${PYTEST_REPORT:-}" ]; then
    slug="$PYTEST_REPORT"
    label="$label ($PYTEST_REPORT)"
fi

mkdir -p var
junit="var/junit-$slug.xml"
rm -f "$junit"

echo
echo "=== pytest on $label ==="
"$PYTHON" -m pytest -p no:cacheprovider --junitxml="$junit" -o junit_family=xunit2 "$@"
rc=$?

case "$rc" in
    0) ;;
    5) echo "!!! pytest on $label collected NO tests (exit 5): that is a failure, not a pass." >&2 ;;
    *) echo "!!! pytest on $label FAILED (exit $rc)." >&2 ;;
esac
exit "$rc"
