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
#               throwaway home and reads it back; and the README's quick
#               starts (C with pkg-config and find_package, Python, the shell)
#   clang       clang, Release
#   dpkg        the Debian packages, built as docs/install.md says (gcc with
#               Debian's dpkg-buildflags, CMAKE_BUILD_TYPE=None, cpack -G
#               DEB); each package's files and fields checked, lintian when
#               installed (no error allowed), every file cmake --install
#               writes in one of them, then all four extracted into a
#               throwaway root (dpkg-deb -x, nothing installed on this
#               machine) and run from there: app.c built against them,
#               jarvis-analytics capture + status, its bash completion
#               loaded, the Python import
#   subproject  docs/install.md's outer projects that embed this tree with
#               add_subdirectory() and with FetchContent: they must build
#               without cmocka, tests or install rules, and their program runs
# Build folders: build-ci-<name>/. NAME... runs only those builds. The
# builds run side by side (none writes outside its folder): each has steps
# that leave a core idle (configuring, linking, cpack, lintian, the
# consumers), which the others fill. Each one's output is shown when it
# fails.
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
# docs/install.md's `cmake --build build` (no -j) builds in parallel too.
export CMAKE_BUILD_PARALLEL_LEVEL=$jobs
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
  [ "$scenarios" = "build cmake deb fetchcontent pkgconfig python subproject " ] ||
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
  # The README's quick starts against the same prefix, as a reader who ran
  # its build-and-install block (docs/install.md's, tests/e2e/test_readme.py
  # checks) has it: PREFIX set, its bin on PATH.
  local readme s
  readme=$(python3 tools/doc-blocks.py README.md list | sort | tr '\n' ' ')
  [ "$readme" = "c cmake python shell " ] ||
    { echo "README.md has scenarios this script does not run: $readme" >&2; return 1; }
  for s in c cmake python shell; do
    PREFIX="$HOME/.local" PATH="$HOME/.local/bin:$PATH" \
      python3 tools/doc-blocks.py README.md run "$s" "$dir/readme-$s"
  done
  links_shared "$dir/readme-c/app"
  links_shared "$dir/readme-cmake/build/app"
}

# deb_has DEB PATTERN... — every grep -E PATTERN matches a file of DEB.
deb_has() {
  local deb=$1 list p
  shift
  list=$(dpkg-deb -c "$deb")
  for p in "$@"; do
    grep -Eq "$p" <<<"$list" || { echo "$(basename "$deb") lacks $p:" >&2; echo "$list" >&2; return 1; }
  done
}
# deb_field DEB FIELD PATTERN — the control field matches grep -E PATTERN.
deb_field() {
  local value
  value=$(dpkg-deb -f "$1" "$2")
  grep -Eq "$3" <<<"$value" || { echo "$(basename "$1") $2: '$value' !~ $3" >&2; return 1; }
}

debian() {
  local dir=$PWD/build-ci-dpkg src ma arch version lib
  rm -rf "$dir"
  copy_tree "$dir/src"
  src=$dir/src
  # The document's commands, warnings as errors (dpkg-buildflags adds it).
  CC=gcc DEB_CFLAGS_APPEND=-Werror doc_run deb "$src"
  ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
  version=$(sed -n 's/^project(jarvis_analytics VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
  arch=$(dpkg-architecture -qDEB_HOST_ARCH)
  local lib0=$src/build-deb/libjarvis-analytics0_${version}_$arch.deb
  local dev=$src/build-deb/libjarvis-analytics-dev_${version}_$arch.deb
  local progs=$src/build-deb/jarvis-analytics_${version}_$arch.deb
  local py=$src/build-deb/python3-jarvis-analytics_${version}_$arch.deb
  [ "$(find "$src/build-deb" -maxdepth 1 -name '*.deb' | wc -l)" -eq 4 ]
  lib="usr/lib/$ma"
  deb_has "$lib0" "\./$lib/libjarvis_analytics\.so\.0 ->" "\./$lib/libjarvis_analytics\.so\.$version\$" \
    "usr/share/doc/libjarvis-analytics0/copyright"
  if dpkg-deb -c "$lib0" | grep -E '\.a$|\.so$|include/|\.pc$'; then
    echo "libjarvis-analytics0 holds development files (above)" >&2
    return 1
  fi
  deb_field "$lib0" Depends 'libsqlite3-0 \(>= [^)]*\)'
  deb_field "$lib0" Depends 'libsodium23'
  # The network stack is the uploader's alone.
  if dpkg-deb -f "$lib0" Depends | grep -E 'libcurl|zlib1g|libssl'; then
    echo "libjarvis-analytics0 depends on the network stack (above)" >&2
    return 1
  fi
  deb_field "$progs" Depends 'libcurl4'
  deb_has "$dev" "usr/include/jarvis_analytics\.h" "$lib/libjarvis_analytics\.a" \
    "$lib/libjarvis_analytics\.so -> libjarvis_analytics\.so\.0" \
    "$lib/pkgconfig/jarvis-analytics\.pc" "$lib/pkgconfig/jarvis-analytics-static\.pc" \
    "$lib/cmake/JarvisAnalytics/JarvisAnalyticsConfig\.cmake" \
    "$lib/cmake/JarvisAnalytics/JarvisAnalyticsConfigVersion\.cmake"
  deb_field "$dev" Depends "libjarvis-analytics0 \(= $version\)"
  deb_field "$dev" Depends 'libsqlite3-dev'
  if dpkg-deb -f "$dev" Depends | grep -E 'libcurl|zlib1g'; then
    echo "libjarvis-analytics-dev depends on libcurl or zlib (above)" >&2
    return 1
  fi
  deb_has "$progs" "usr/bin/jarvis-analytics\$" "usr/bin/jarvis-analytics-upload\$" \
    "usr/share/man/man1/jarvis-analytics\.1\.gz" "usr/share/man/man1/jarvis-analytics-upload\.1\.gz" \
    "usr/lib/systemd/user/jarvis-analytics-upload\.timer" "usr/lib/systemd/user/jarvis-analytics-upload\.service" \
    "usr/share/bash-completion/completions/jarvis-analytics\$" "usr/share/zsh/vendor-completions/_jarvis-analytics\$" \
    "usr/share/fish/vendor_completions\.d/jarvis-analytics\.fish"
  deb_field "$progs" Depends 'libsqlite3-0'
  deb_has "$py" "usr/lib/python3/dist-packages/jarvis_analytics/__init__\.py" \
    "usr/lib/python3/dist-packages/jarvis_analytics/_paths\.py"
  deb_field "$py" Depends "libjarvis-analytics0 \(= $version\)"
  deb_field "$py" Depends 'python3'
  dpkg-deb --ctrl-tarfile "$lib0" | tar -xO ./triggers | grep -q '^activate-noawait ldconfig'
  dpkg-deb --ctrl-tarfile "$lib0" | tar -xO ./shlibs | grep -q "^libjarvis_analytics 0 libjarvis-analytics0"
  # Every file `cmake --install` writes is in one of the four packages (an
  # install rule without a component would be left out of all of them).
  local stage=$dir/stage missing
  DESTDIR=$stage cmake --install "$src/build-deb" >/dev/null
  missing=$(comm -23 <(cd "$stage" && find . ! -type d | sort) \
    <(for deb in "$src"/build-deb/*.deb; do dpkg-deb -c "$deb"; done |
        awk '$1 !~ /^d/ {print $6}' | sed 's|^\(\./usr/share/man/.*\)\.gz$|\1|' | sort -u))
  if [ -n "$missing" ]; then
    echo "installed but in no Debian package:" >&2
    echo "$missing" >&2
    return 1
  fi
  if command -v lintian >/dev/null; then
    lintian --fail-on warning "$src"/build-deb/*.deb
  else
    echo "lintian is not installed: skipped (apt-get install lintian)"
  fi

  # Run from the packages' files, extracted, not installed.
  local root=$dir/root home=$dir/home
  mkdir -p "$root" "$home"
  for deb in "$src"/build-deb/*.deb; do dpkg-deb -x "$deb" "$root"; done
  # pkg-config's sysroot puts the root in front of the .pc's paths.
  local flags
  flags=$(PKG_CONFIG_SYSROOT_DIR=$root PKG_CONFIG_PATH=$root/$lib/pkgconfig \
            pkg-config --cflags --libs jarvis-analytics)
  # shellcheck disable=SC2086  # flags are words
  cc -o "$dir/app" "$src/app.c" $flags
  links_shared "$dir/app"
  LD_LIBRARY_PATH=$root/$lib OPENJARVIS_HOME=$home/c "$dir/app"
  OPENJARVIS_HOME=$home/cli "$root/usr/bin/jarvis-analytics" capture app_opened --props '{"platform": "cli"}'
  OPENJARVIS_HOME=$home/cli "$root/usr/bin/jarvis-analytics" status
  OPENJARVIS_HOME=$home/cli "$root/usr/bin/jarvis-analytics" status --json | grep -Eq '"pending":[[:space:]]*1,'
  bash -c 'source "$1"; complete -p jarvis-analytics' _ "$root/usr/share/bash-completion/completions/jarvis-analytics"
  LD_LIBRARY_PATH=$root/$lib PYTHONPATH=$root/usr/lib/python3/dist-packages OPENJARVIS_HOME=$home/py \
    python3 -c '
import sys, jarvis_analytics as ja
with ja.Store() as store:
    result = store.capture("app_opened", {"platform": "cli"}).result
print("python3-jarvis-analytics:", ja.__file__, ja.library_path(), result)
assert ja.__file__.startswith(sys.argv[1]) and result == "stored"
' "$root/"
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
    dpkg) debian ;;
    subproject) subproject ;;
  esac
}

logs=$(mktemp -d)
pids=()
for name in "$@"; do
  # A subshell outside any condition, so that set -e stops it at the
  # first failing step; its exit status and time go to files.
  (
    start=$SECONDS
    set +e
    (set -e; build "$name") >"$logs/$name.log" 2>&1
    echo "$? $((SECONDS - start))" >"$logs/$name.rc"
  ) &
  pids+=($!)
done
wait "${pids[@]}"
failed=()
for name in "$@"; do
  read -r rc secs <"$logs/$name.rc"
  if [ "$rc" -eq 0 ]; then
    echo "ci-builds: $name ok (${secs}s)"
  else
    cat "$logs/$name.log"
    echo "ci-builds: $name FAILED (log above; build folder build-ci-$name/)" >&2
    failed+=("$name")
  fi
done
rm -rf "$logs"
if [ ${#failed[@]} -ne 0 ]; then
  echo "ci-builds: failed: ${failed[*]}" >&2
  exit 1
fi
