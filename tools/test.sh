#!/usr/bin/env bash
# tools/test.sh — install what is missing, build, run every test.
#   tools/test.sh              release build (RelWithDebInfo)
#   tools/test.sh --sanitize   ASan + UBSan (the default when CI is set)
#   tools/test.sh --all-builds first compile the CI matrix (tools/ci-builds.sh:
#                              gcc and clang Release, dpkg-buildflags, and
#                              docs/install.md's install and consumers —
#                              pkg-config, find_package, add_subdirectory,
#                              FetchContent, Python; on when CI is set)
# Build folder: build-test/ (build-asan/ with sanitizers).
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/deps.sh

sanitize=OFF
all_builds=0
if [ -n "${CI:-}" ]; then
  sanitize=ON
  all_builds=1
fi
for arg in "$@"; do
  case "$arg" in
    --sanitize) sanitize=ON ;;
    --no-sanitize) sanitize=OFF ;;
    --all-builds) all_builds=1 ;;
    *) echo "usage: tools/test.sh [--sanitize|--no-sanitize] [--all-builds]" >&2; exit 64 ;;
  esac
done
build=build-test
[ "$sanitize" = ON ] && build=build-asan

if [ "$all_builds" = 1 ]; then
  ja_install_deps "${JA_CI_DEPS[@]}"
else
  ja_install_deps
fi
tools/lint.sh
if [ "$all_builds" = 1 ]; then
  tools/ci-builds.sh
fi
cmake -S . -B "$build" -DJA_SANITIZE="$sanitize" -DJA_WERROR=ON >/dev/null
cmake --build "$build" -j"$(nproc)"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
ctest --test-dir "$build" --output-on-failure -j"$(nproc)" --timeout 300
