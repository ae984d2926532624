#!/usr/bin/env bash
# tools/deps.sh — install the Debian packages this project needs, only the
# ones that are missing (no apt-get at all when everything is present).
# Sourced by tools/test.sh and tools/demo.sh.
#   JA_DEPS     what the build, the tests and the demo use (pip, setuptools
#               and wheel: a test installs the Python package offline; zsh and
#               fish load the shell completions; chromium renders `view` headless;
#               curl posts the uploader benchmark's baseline bodies)
#   JA_CI_DEPS  what the CI compile matrix (tools/ci-builds.sh) adds: clang,
#               dpkg-buildflags from dpkg-dev, lintian (the Debian packages
#               must have no warning), and ccache (tools/test.sh compiles
#               through it when it is installed)
set -euo pipefail

JA_DEPS=(build-essential cmake pkg-config libsqlite3-dev sqlite3 locales
         libcjson-dev libpcre2-dev libsodium-dev libcmocka-dev python3 groff-base
         libcurl4-openssl-dev zlib1g-dev libutf8proc-dev python3-mnemonic
         python3-pip python3-setuptools python3-wheel
         zsh fish chromium curl systemd)
# shellcheck disable=SC2034  # used by tools/test.sh
JA_CI_DEPS=(clang dpkg-dev lintian ccache)

# ja_install_deps [PACKAGE...] — JA_DEPS plus the packages named.
ja_install_deps() {
  local missing=() p
  for p in "${JA_DEPS[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}
