#!/usr/bin/env bash
# tools/test.sh — install what is missing, build, run every test.
#   tools/test.sh              release build (RelWithDebInfo)
#   tools/test.sh --sanitize   ASan + UBSan (the default when CI is set)
# Build folder: build-test/ (build-asan/ with sanitizers).
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/deps.sh
ja_install_deps

sanitize=OFF
[ -n "${CI:-}" ] && sanitize=ON
for arg in "$@"; do
  case "$arg" in
    --sanitize) sanitize=ON ;;
    --no-sanitize) sanitize=OFF ;;
    *) echo "usage: tools/test.sh [--sanitize|--no-sanitize]" >&2; exit 64 ;;
  esac
done
build=build-test
[ "$sanitize" = ON ] && build=build-asan

tools/lint.sh
cmake -S . -B "$build" -DJA_SANITIZE="$sanitize" -DJA_WERROR=ON >/dev/null
cmake --build "$build" -j"$(nproc)"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
ctest --test-dir "$build" --output-on-failure -j"$(nproc)" --timeout 300
