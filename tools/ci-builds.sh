#!/usr/bin/env bash
# tools/ci-builds.sh [NAME...] — the compile matrix CI runs before the tests
# (tools/test.sh calls it when CI is set or with --all-builds). Each build
# is configured from scratch with -DJA_WERROR=ON and only compiled (the
# library, both of its forms, the CLI and the man page; no tests, no
# benches). Any failure fails the script; every build runs first, so one
# run shows all of them.
#   release   gcc, CMAKE_BUILD_TYPE=Release (-O3)
#   clang     clang, Release
#   dpkg      gcc with Debian's dpkg-buildflags (CFLAGS, CPPFLAGS, LDFLAGS)
#             and CMAKE_BUILD_TYPE=None, as a Debian package builds it
#   consumer  tests/consumer: an outer project that add_subdirectory()s
#             this tree and links the jarvis_analytics target
# Build folders: build-ci-<name>/. NAME... runs only those builds.
set -euo pipefail
cd "$(dirname "$0")/.."

all=(release clang dpkg consumer)
[ $# -eq 0 ] && set -- "${all[@]}"
for name in "$@"; do
  case " ${all[*]} " in
    *" $name "*) ;;
    *) echo "usage: tools/ci-builds.sh [${all[*]}]..." >&2; exit 64 ;;
  esac
done
jobs=$(nproc)
common=(-DJA_WERROR=ON -DJA_BUILD_TESTS=OFF -DJA_BUILD_BENCH=OFF)
# Each build sets its own flags; none inherits the caller's.
unset CFLAGS CPPFLAGS CXXFLAGS LDFLAGS

# configure_and_build NAME SOURCE_DIR [cmake args...] — run in a subshell
# with the environment (CC, CFLAGS, ...) the caller exported.
configure_and_build() {
  local name=$1 src=$2 dir=build-ci-$1
  shift 2
  rm -rf "$dir"
  cmake -S "$src" -B "$dir" "$@" && cmake --build "$dir" -j"$jobs"
}

build() {
  case "$1" in
    release) CC=gcc configure_and_build release . -DCMAKE_BUILD_TYPE=Release "${common[@]}" ;;
    clang) CC=clang configure_and_build clang . -DCMAKE_BUILD_TYPE=Release "${common[@]}" ;;
    dpkg)
      # CMake reads CFLAGS and LDFLAGS from the environment but not
      # CPPFLAGS: they go into CFLAGS, or -D_FORTIFY_SOURCE would be lost.
      CC=gcc \
        CFLAGS="$(dpkg-buildflags --get CFLAGS) $(dpkg-buildflags --get CPPFLAGS)" \
        LDFLAGS="$(dpkg-buildflags --get LDFLAGS)" \
        configure_and_build dpkg . -DCMAKE_BUILD_TYPE=None "${common[@]}"
      ;;
    consumer)
      CC=gcc configure_and_build consumer tests/consumer -DJA_SOURCE_DIR="$PWD" "${common[@]}" &&
        build-ci-consumer/ja_consumer
      ;;
  esac
}

failed=()
for name in "$@"; do
  log=$(mktemp)
  start=$SECONDS
  if (build "$name") >"$log" 2>&1; then
    echo "ci-builds: $name ok ($((SECONDS - start))s)"
  else
    cat "$log"
    echo "ci-builds: $name FAILED (log above; build folder build-ci-$name/)" >&2
    failed+=("$name")
  fi
  rm -f "$log"
done
if [ ${#failed[@]} -ne 0 ]; then
  echo "ci-builds: failed: ${failed[*]}" >&2
  exit 1
fi
