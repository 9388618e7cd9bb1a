#!/usr/bin/env bash
# After a git merge that conflicts in the translation catalogs: keep every translation of both
# sides (msgcat --use-first: ours wins where both translated one string), then re-extract and
# compile (make messages), so that the catalogs match the merged code.
set -euo pipefail
cd "$(dirname "$0")/.."
for po in $(git diff --name-only --diff-filter=U -- 'locale/*.po'); do
  ours=$(mktemp); theirs=$(mktemp)
  git show ":2:$po" > "$ours"
  git show ":3:$po" > "$theirs"
  msgcat --use-first "$ours" "$theirs" -o "$po"
  rm -f "$ours" "$theirs"
  echo "merged $po"
done
make messages >/dev/null
git add locale
