#!/usr/bin/env bash
# tools/ci-builds.sh [NAME...] — the compile matrix CI runs before the tests
# (tools/test.sh calls it when CI is set or with --all-builds). Each build
# is configured from scratch with warnings as errors and without the tests
# and benches. Any failure fails the script; every build runs first, so one
# run shows all of them.
#   release     gcc Release, built and installed the way docs/install.md
#               says (its code blocks, run by tools/doc-blocks.py, in a copy
#               of the tree, into $HOME/.local of a throwaway HOME); then
#               that document's consumers of the installed prefix: C with
#               pkg-config (shared and static), C with find_package (shared
#               and static), Python — each captures an event into a
#               throwaway home and reads it back
#   clang       clang, Release
#   dpkg        gcc with Debian's dpkg-buildflags (CFLAGS, CPPFLAGS, LDFLAGS)
#               and CMAKE_BUILD_TYPE=None, as a Debian package builds it
#   subproject  docs/install.md's outer projects that embed this tree with
#               add_subdirectory() and with FetchContent: they must build
#               without cmocka, tests or install rules, and their program runs
# Build folders: build-ci-<name>/. NAME... runs only those builds.
set -euo pipefail
cd "$(dirname "$0")/.."

all=(release clang dpkg subproject)
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
# Nothing of the caller's analytics set-up reaches the programs run here.
unset DO_NOT_TRACK OPENJARVIS_LOG_LEVEL OPENJARVIS_HOME OPENJARVIS_ANALYTICS_HOST \
  OPENJARVIS_ANALYTICS_KEY JARVIS_ANALYTICS_LIB PKG_CONFIG_PATH PYTHONPATH
doc=docs/install.md

# configure_and_build NAME SOURCE_DIR [cmake args...] — run in a subshell
# with the environment (CC, CFLAGS, ...) the caller exported.
configure_and_build() {
  local name=$1 src=$2 dir=build-ci-$1
  shift 2
  rm -rf "$dir"
  cmake -S "$src" -B "$dir" "$@" && cmake --build "$dir" -j"$jobs"
}

# doc_run SCENARIO DIR — run one scenario of docs/install.md in DIR.
doc_run() {
  python3 tools/doc-blocks.py "$doc" run "$1" "$2"
}

# copy_tree DEST — the files git knows of (committed or not, ignored ones
# left out): a clone as a user has it, without this checkout's build folders.
copy_tree() {
  mkdir -p "$1"
  git ls-files -z --cached --others --exclude-standard |
    tar --null --ignore-failed-read -T - -cf - | tar -xf - -C "$1"
}

# links_archive PROGRAM — PROGRAM carries the library inside (no
# libjarvis_analytics.so.* among what it loads).
links_archive() {
  if readelf -d "$1" | grep -q 'NEEDED.*libjarvis_analytics'; then
    echo "$1 loads libjarvis_analytics.so; it should hold the archive" >&2
    return 1
  fi
}
links_shared() {
  readelf -d "$1" | grep -q 'NEEDED.*libjarvis_analytics\.so\.0' ||
    { echo "$1 does not load libjarvis_analytics.so.0" >&2; return 1; }
}

release() {
  local dir=$PWD/build-ci-release
  rm -rf "$dir"
  copy_tree "$dir/src"
  # Every scenario of the document is run by this script somewhere.
  local scenarios
  scenarios=$(python3 tools/doc-blocks.py "$doc" list | sort | tr '\n' ' ')
  [ "$scenarios" = "build cmake fetchcontent pkgconfig python subproject " ] ||
    { echo "$doc has scenarios this script does not run: $scenarios" >&2; return 1; }
  # The user site of this HOME is where the Python package goes.
  export HOME=$dir/home
  unset PYTHONNOUSERSITE
  mkdir -p "$HOME"
  CC=gcc CFLAGS=-Werror doc_run build "$dir/src"
  doc_run pkgconfig "$dir/pkgconfig"
  links_shared "$dir/pkgconfig/app"
  links_archive "$dir/pkgconfig/app-static"
  doc_run cmake "$dir/cmake"
  links_shared "$dir/cmake/build/app"
  links_archive "$dir/cmake/build/app-static"
  doc_run python "$dir/python"
}

subproject() {
  local dir=$PWD/build-ci-subproject name
  rm -rf "$dir"
  for name in subproject fetchcontent; do
    mkdir -p "$dir/$name/third_party"
    ln -s "$PWD" "$dir/$name/third_party/jarvis-analytics"
    CC=gcc CFLAGS=-Werror doc_run "$name" "$dir/$name"
    # Embedded, it looked for no cmocka, registered no test and installs nothing.
    if grep -q CMOCKA "$dir/$name/build/CMakeCache.txt"; then
      echo "$name: the embedded tree looked for cmocka" >&2
      return 1
    fi
    if [ -n "$(find "$dir/$name/build" -name CTestTestfile.cmake -print -quit)" ]; then
      echo "$name: the embedded tree registered tests" >&2
      return 1
    fi
    cmake --install "$dir/$name/build" --prefix "$dir/$name/installed" >/dev/null
    if [ -n "$(find "$dir/$name/installed" -type f -print -quit 2>/dev/null)" ]; then
      echo "$name: the embedded tree installed files:" >&2
      find "$dir/$name/installed" -type f >&2
      return 1
    fi
  done
  links_shared "$dir/subproject/build/app"
  links_archive "$dir/subproject/build/app-static"
  links_archive "$dir/fetchcontent/build/app"
}

build() {
  case "$1" in
    release) release ;;
    clang) CC=clang configure_and_build clang . -DCMAKE_BUILD_TYPE=Release "${common[@]}" ;;
    dpkg)
      # CMake reads CFLAGS and LDFLAGS from the environment but not
      # CPPFLAGS: they go into CFLAGS, or -D_FORTIFY_SOURCE would be lost.
      CC=gcc \
        CFLAGS="$(dpkg-buildflags --get CFLAGS) $(dpkg-buildflags --get CPPFLAGS)" \
        LDFLAGS="$(dpkg-buildflags --get LDFLAGS)" \
        configure_and_build dpkg . -DCMAKE_BUILD_TYPE=None "${common[@]}"
      ;;
    subproject) subproject ;;
  esac
}

failed=()
for name in "$@"; do
  log=$(mktemp)
  start=$SECONDS
  # A subshell outside any condition, so that set -e stops it at the
  # first failing step.
  set +e
  (set -e; build "$name") >"$log" 2>&1
  rc=$?
  set -e
  if [ $rc -eq 0 ]; then
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
