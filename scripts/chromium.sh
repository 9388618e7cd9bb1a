#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (/usr/bin/chromium, or CHROMIUM_PATH) with
# Playwright; Playwright's own browser download cannot be used here. Installs it when missing:
# as root directly, otherwise through sudo; says exactly what to run when neither can.
set -euo pipefail
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
[ -x "$CHROMIUM" ] && exit 0

echo "Chromium is missing ($CHROMIUM): installing Debian's chromium package for the browser tests."
if [ "$(id -u)" = 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "Cannot install it without root. Run:  sudo apt-get install -y --no-install-recommends chromium" >&2
  echo "(or set CHROMIUM_PATH to a Chromium binary), then run make test again." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 \
  || { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y --no-install-recommends chromium >/dev/null; }
"$CHROMIUM" --version
