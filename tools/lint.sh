#!/usr/bin/env bash
# tools/lint.sh — cheap checks that need no build: banned C functions
# (unbounded or error-blind: sprintf, strcpy, strcat, atoi, atol, strtok,
# gets) must not appear in src/ or tests/.
set -euo pipefail
cd "$(dirname "$0")/.."
files=$(find src tests tools -name '*.[ch]' -not -path '*/build*')
# shellcheck disable=SC2086
if grep -nE '\b(sprintf|vsprintf|strcpy|strcat|atoi|atol|strtok|gets)\s*\(' $files; then
  echo "lint: banned function above (use snprintf, memcpy with a length, strtoll)" >&2
  exit 1
fi
echo "lint: ok"
