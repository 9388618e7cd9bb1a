#!/usr/bin/env bash
# make run: migrate, seed the demo, then serve the web app with the Letzshop sandbox and two
# Celery workers: one for the fulfillment queue (with embedded beat), one for imports, so that a
# long import never delays a confirmation. Ctrl-C stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBUG="${DEBUG:-1}"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
SANDBOX_PORT="${SANDBOX_PORT:-8765}"
# The allowlist names host and port: the sandbox's, on loopback.
export LETZSHOP_ALLOWED_HOSTS="${LETZSHOP_ALLOWED_HOSTS:-letzshop.lu,127.0.0.1:${SANDBOX_PORT},localhost:${SANDBOX_PORT}}"
BIN=.venv/bin

# A port another process holds: say which, how to choose another, and stop before anything starts
# (otherwise the demo store could talk to another process on the sandbox's port).
port_free() {
  $BIN/python - "$1" "$2" <<'PY'
import socket, sys
with socket.socket() as probe:
    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        probe.bind((sys.argv[1], int(sys.argv[2])))
    except OSError:
        sys.exit(1)
PY
}
taken=0
if ! port_free "$HOST" "$PORT"; then
  echo "Port $PORT (the web app) is already in use on $HOST. Stop what uses it, or choose another port: PORT=8001 make run" >&2
  taken=1
fi
if ! port_free 127.0.0.1 "$SANDBOX_PORT"; then
  echo "Port $SANDBOX_PORT (the Letzshop sandbox) is already in use on 127.0.0.1. Stop what uses it, or choose another port: SANDBOX_PORT=8766 make run" >&2
  taken=1
fi
[ "$taken" = 0 ] || exit 1
# Notifications' e-mails are printed by the worker and the web server (docs/operations.md).
export EMAIL_URL="${EMAIL_URL:-consolemail://}"
export SITE_URL="${SITE_URL:-http://${HOST}:${PORT}}"
# The web server's and the worker's counters add up in /metrics; a fresh start counts afresh.
export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-$PWD/var/metrics}"
rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"

# A random SECRET_KEY, made once and kept under var/ (scripts/secret-key.sh): the Fernet key of
# stored API keys is derived from it, so a copied demo database cannot be read with a published key.
if [ -z "${SECRET_KEY:-}" ]; then
  SECRET_KEY="$(./scripts/secret-key.sh)"
  export SECRET_KEY
fi

$BIN/python manage.py migrate --noinput
$BIN/python manage.py seed_demo --sandbox-url "http://127.0.0.1:${SANDBOX_PORT}/graphql"

pids=()
cleanup() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

$BIN/python manage.py letzshop_sandbox --host 127.0.0.1 --port "$SANDBOX_PORT" &
pids+=($!)
$BIN/celery -A config worker -Q fulfillment -n fulfillment@%h --beat --loglevel=INFO --concurrency=2 &
pids+=($!)
$BIN/celery -A config worker -Q imports -n imports@%h --loglevel=INFO --concurrency=1 &
pids+=($!)

echo "Serving on http://${HOST}:${PORT}/ (admin: /admin/, API docs: /api/docs/, store portal: /store/)"
echo "Ports: web app ${PORT} (PORT), Letzshop sandbox ${SANDBOX_PORT} (SANDBOX_PORT): http://127.0.0.1:${SANDBOX_PORT}/graphql"
echo "Operations: /healthz, /readyz, /metrics (a platform admin's token); readiness follows once beat has beaten."
# The readiness line of the banner, once the worker's beat has written its first heartbeat.
$BIN/python manage.py readiness --wait 60 &
pids+=($!)
$BIN/python manage.py runserver "${HOST}:${PORT}"
