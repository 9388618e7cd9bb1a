#!/usr/bin/env bash
# make run: migrate, seed the demo, then serve the web app with the Letzshop sandbox and a
# Celery worker with embedded beat. Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBUG="${DEBUG:-1}"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
SANDBOX_PORT="${SANDBOX_PORT:-8765}"
# The allowlist names host and port: the sandbox's, on loopback.
export LETZSHOP_ALLOWED_HOSTS="${LETZSHOP_ALLOWED_HOSTS:-letzshop.lu,127.0.0.1:${SANDBOX_PORT},localhost:${SANDBOX_PORT}}"
BIN=.venv/bin

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
$BIN/celery -A config worker --beat --loglevel=INFO --concurrency=2 &
pids+=($!)

echo "Serving on http://${HOST}:${PORT}/ (admin: /admin/, API docs: /api/docs/, store portal: /store/)"
$BIN/python manage.py runserver "${HOST}:${PORT}"
