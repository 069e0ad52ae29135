#!/usr/bin/env bash
# Installs a built tree with `cmake --install BUILD_DIR --prefix SCRATCH` and checks that every
# file it wrote lies under SCRATCH (nothing under the configure-time prefix or /etc), and that
# the INI, the binary and the SDK's CMake package are there. Registered as the ctest test
# `packaging_install_prefix` by cmake/Packaging.cmake.
#
#   tests/packaging/check_install_prefix.sh BUILD_DIR
#
# Exit 0 when everything holds; 1 with one line per failed check; 2 on bad usage.
set -euo pipefail

if [[ $# -ne 1 || ! -f "$1/cmake_install.cmake" ]]; then
  echo "usage: $0 BUILD_DIR  (a configured, built tree)" >&2
  exit 2
fi
build_dir=$(cd "$1" && pwd)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/onyx-install-prefix.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
failures=0
fail() {
  echo "check_install_prefix: FAIL: $*" >&2
  failures=$((failures + 1))
}

# The manifest lists every file written; keep it out of the build tree's own one.
cmake --install "$build_dir" --prefix "$scratch/root" >"$scratch/install.log" 2>&1 \
  || { cat "$scratch/install.log" >&2; echo "check_install_prefix: FAIL: cmake --install failed" >&2; exit 1; }
written=$(grep -E '^-- (Installing|Up-to-date): ' "$scratch/install.log" | sed -E 's/^-- [A-Za-z-]+: //')
[[ -n "$written" ]] || fail "cmake --install reported no file"
while IFS= read -r path; do
  [[ "$path" == "$scratch/root/"* ]] || fail "written outside the prefix: $path"
done <<<"$written"

for expected in etc/onyx-background/onyx-background.ini bin/onyx-background; do
  [[ -e "$scratch/root/$expected" ]] || fail "missing under the prefix: $expected"
done
compgen -G "$scratch/root/lib*/cmake/OnyxBackground/OnyxBackgroundConfig.cmake" >/dev/null \
  || compgen -G "$scratch/root/lib/*/cmake/OnyxBackground/OnyxBackgroundConfig.cmake" >/dev/null \
  || fail "missing under the prefix: the OnyxBackground CMake package"

if ((failures > 0)); then exit 1; fi
echo "check_install_prefix: ok ($(wc -l <<<"$written") files under the prefix)"
