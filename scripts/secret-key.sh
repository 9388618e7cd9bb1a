#!/usr/bin/env bash
# Prints the development server's SECRET_KEY: random, made once under var/ (mode 600) and kept,
# so that the Fernet key derived from it is never a published one.
set -euo pipefail
cd "$(dirname "$0")/.."
KEY_FILE="${VAR_DIR:-var}/secret_key"
if [ ! -s "$KEY_FILE" ]; then
  mkdir -p "$(dirname "$KEY_FILE")"
  (umask 077 && python3 -c 'import secrets; print(secrets.token_urlsafe(50))' > "$KEY_FILE.tmp" && mv "$KEY_FILE.tmp" "$KEY_FILE")
fi
cat "$KEY_FILE"
