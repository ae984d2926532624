#!/usr/bin/env bash
# tools/tsan.sh — build with clang + ThreadSanitizer (build-tsan/) and run
# the tests whose threads share one handle, its writer and its locks: the
# writer (test_writer), the API's threaded and busy cases (test_api,
# test_busy), the handle's lock (test_lock) and a rollup that gives the
# handle's lock to its writer between transactions (one test of
# test_rollup_scale). Any race report fails the run. The fork test is left
# out: ThreadSanitizer cannot follow a child that starts threads after a
# multi-threaded fork (it kills it).
# Called by tools/test.sh --tsan (and in CI); runs on its own too.
set -euo pipefail
cd "$(dirname "$0")/.."
build=build-tsan
targets=(test_writer test_api test_busy test_lock test_rollup_scale)
CC=clang cmake -S . -B "$build" -DJA_SANITIZE_THREAD=ON -DJA_WERROR=ON -DJA_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}"
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1 second_deadlock_stack=1}"
ctest --test-dir "$build" --output-on-failure -j"$(nproc)" --timeout 300 \
  -R '^(writer|api|busy|lock)/|^rollup_scale/the_handles_writer_gets_in' -E 'fork'
