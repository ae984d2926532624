#!/usr/bin/env bash
# tools/test.sh — install what is missing, build, run every test.
#   tools/test.sh              release build (RelWithDebInfo)
#   tools/test.sh --sanitize   ASan + UBSan (the default when CI is set)
#   tools/test.sh --all-builds first compile the CI matrix (tools/ci-builds.sh:
#                              gcc and clang Release, dpkg-buildflags, and
#                              docs/install.md's install and consumers —
#                              pkg-config, find_package, add_subdirectory,
#                              FetchContent, Python; on when CI is set)
#   tools/test.sh --tsan       also build with clang + ThreadSanitizer and run
#                              the tests that share handles between threads
#                              (tools/tsan.sh; on when CI is set)
# Build folder: build-test/ (build-asan/ with sanitizers). The CI matrix
# builds while this tree builds and its tests run (the tests wait on
# processes, files and sockets more than they compute; the builds fill
# the cores meanwhile). With ccache installed (tools/deps.sh installs it
# for CI) every compiler call goes through it, keyed on paths relative to
# this checkout, so a second run, or a fresh clone elsewhere on the same
# machine, compiles only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/deps.sh

sanitize=OFF
all_builds=0
tsan=0
if [ -n "${CI:-}" ]; then
  sanitize=ON
  all_builds=1
  tsan=1
fi
for arg in "$@"; do
  case "$arg" in
    --sanitize) sanitize=ON ;;
    --no-sanitize) sanitize=OFF ;;
    --all-builds) all_builds=1 ;;
    --tsan) tsan=1 ;;
    *) echo "usage: tools/test.sh [--sanitize|--no-sanitize] [--all-builds] [--tsan]" >&2; exit 64 ;;
  esac
done
build=build-test
[ "$sanitize" = ON ] && build=build-asan

if [ "$all_builds" = 1 ] || [ "$tsan" = 1 ]; then
  ja_install_deps "${JA_CI_DEPS[@]}"
else
  ja_install_deps
fi
tools/lint.sh
if command -v ccache >/dev/null; then
  export CMAKE_C_COMPILER_LAUNCHER=ccache CMAKE_CXX_COMPILER_LAUNCHER=ccache
  # Paths under the checkout are hashed relative to it, and -g builds do
  # not hash the folder they run in: a clone elsewhere finds the same
  # entries (its debug info then names the first clone's build folder).
  export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=1
fi
ci_log=""
if [ "$all_builds" = 1 ]; then
  ci_log=$(mktemp)
  tools/ci-builds.sh >"$ci_log" 2>&1 &
  ci_pid=$!
fi
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
set +e
(
  set -e
  cmake -S . -B "$build" -DJA_SANITIZE="$sanitize" -DJA_WERROR=ON >/dev/null
  cmake --build "$build" -j"$(nproc)"
  # Four tests a core: most of a test's time is spent waiting for the
  # programs it starts to be scheduled and to exit, for fsync, for a
  # socket — not computing. (The e2e CLI tests on a loaded 2-core machine:
  # 120 s at -j2, 47 s at -j4, 34 s at -j8, 30 s at -j16.) ctest's own
  # CTEST_PARALLEL_LEVEL overrides it.
  ctest --test-dir "$build" --output-on-failure -j"${CTEST_PARALLEL_LEVEL:-$((4 * $(nproc)))}" \
    --timeout 300
)
rc=$?
if [ "$tsan" = 1 ]; then
  tools/tsan.sh || rc=1
fi
if [ -n "$ci_log" ]; then
  wait "$ci_pid" || rc=1
  cat "$ci_log"
  rm -f "$ci_log"
fi
exit $rc
