#!/usr/bin/env bash
# Install the Debian packages named on the command line that are not installed yet.
#   scripts/apt-ensure.sh libpango-1.0-0 poppler-utils
# Runs apt-get (update once, then install) only when something is missing. Needs root or sudo.
set -euo pipefail
missing=()
for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ "${#missing[@]}" -eq 0 ] && exit 0
echo "apt-ensure: installing ${missing[*]}" >&2
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
# Another apt-get (a second checkout setting up at the same time) holds dpkg's lock: wait for it.
wait_lock=(-o DPkg::Lock::Timeout=600)
as_root env DEBIAN_FRONTEND=noninteractive apt-get "${wait_lock[@]}" update -q
as_root env DEBIAN_FRONTEND=noninteractive apt-get "${wait_lock[@]}" install -y -q --no-install-recommends "${missing[@]}"
