#!/usr/bin/env bash
# tools/update-readme.sh [BUILD_DIR] — regenerate the README sections that
# are rendered from code: the catalog (`jarvis-analytics catalog
# --markdown`) and the command summaries (`--help` of jarvis-analytics and
# of jarvis-analytics-upload; docs/cli.md has every command).
# tests/e2e/test_readme.py fails when the README drifts from them.
set -euo pipefail
cd "$(dirname "$0")/.."
ja="${1:-build}/jarvis-analytics"
[ -x "$ja" ] || { echo "build first: $ja not found" >&2; exit 1; }

replace() { # replace the lines between <!-- NAME:begin --> and <!-- NAME:end -->
  local name=$1 file=$2 tmp
  tmp=$(mktemp)
  awk -v name="$name" -v body="$file" '
    $0 == "<!-- " name ":begin -->" { print; while ((getline line < body) > 0) print line; skip = 1; next }
    $0 == "<!-- " name ":end -->" { skip = 0 }
    !skip { print }' README.md > "$tmp"
  mv "$tmp" README.md
}

body=$(mktemp)
"$ja" catalog --markdown > "$body"
replace catalog "$body"

{
  echo '```'
  "$ja" --help
  echo '```'
} > "$body"
replace cli "$body"

{
  echo '```'
  "${1:-build}/jarvis-analytics-upload" --help
  echo '```'
} > "$body"
replace upload-cli "$body"
rm -f "$body"
echo "README.md sections regenerated from $ja"
