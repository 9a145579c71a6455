#!/usr/bin/env bash
# Makes sure a headless Chromium is available for the status page's browser test (test/e2e/status-page.test.ts):
# Debian's `chromium` package at /usr/bin/chromium. Installs it with apt-get when missing and this runs as root;
# otherwise says what to run. Idempotent: does nothing when it is there.
#
# Env: CHROMIUM_PATH  a Chromium or Chrome binary to use instead (checked, not installed)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

binary=${CHROMIUM_PATH:-/usr/bin/chromium}
if [[ -x $binary ]]; then
  log "chromium present: $binary"
  exit 0
fi
[[ -n ${CHROMIUM_PATH:-} ]] && die "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file"
command -v apt-get >/dev/null 2>&1 || die "no $binary and no apt-get: install Chromium and set CHROMIUM_PATH to its binary"
[[ $(id -u) == 0 ]] || die "no $binary: run 'sudo apt-get install -y chromium' (Debian's package), or set CHROMIUM_PATH"
log "installing Debian's chromium package (about 100 MB)"
export DEBIAN_FRONTEND=noninteractive
# Another process may be installing it right now: apt-get waits for the dpkg lock instead of failing.
apt-get -o DPkg::Lock::Timeout=300 update -qq
apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends chromium >/dev/null
[[ -x $binary ]] || die "apt-get finished but $binary is missing"
log "chromium installed: $("$binary" --version 2>/dev/null || echo "$binary")"
