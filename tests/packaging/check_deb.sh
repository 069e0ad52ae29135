#!/usr/bin/env bash
# Builds the .deb from a configured and built tree with cpack, unpacks it into a scratch root
# (dpkg -x) and checks it: control fields (name, computed Depends, maintainer), conffiles and
# maintainer scripts, the file list (binary, example plugins, INI, units, SDK headers, CMake
# package, docs), that the unpacked binary runs, and `systemd-analyze verify` on the units
# when systemd-analyze exists (their ExecStart pointed at the unpacked binary, since the
# scratch root is not /). Registered as the ctest test `packaging_deb` by cmake/Packaging.cmake.
#
#   tests/packaging/check_deb.sh BUILD_DIR
#
# Paths expected in the package come from BUILD_DIR/packaging/check_deb.env (written at
# configure time), so a /usr/local development build is checked as well as a /usr release one.
# Exit 0 when everything holds; 1 with one line per failed check; 2 on bad usage.
set -euo pipefail

if [[ $# -ne 1 || ! -f "$1/CPackConfig.cmake" ]]; then
  echo "usage: $0 BUILD_DIR  (a configured, built tree with CPackConfig.cmake)" >&2
  exit 2
fi
build_dir=$(cd "$1" && pwd)
# shellcheck source=/dev/null
source "$build_dir/packaging/check_deb.env"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/onyx-check-deb.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
failures=0

fail() {
  echo "check_deb: FAIL: $*" >&2
  failures=$((failures + 1))
}

ok() {
  echo "check_deb: ok: $*"
}

# --- build the package ---
if ! cpack -G DEB --config "$build_dir/CPackConfig.cmake" -B "$scratch/pkg" >"$scratch/cpack.log" 2>&1; then
  cat "$scratch/cpack.log" >&2
  echo "check_deb: FAIL: cpack -G DEB failed" >&2
  exit 1
fi
debs=("$scratch"/pkg/*.deb)
if [[ ${#debs[@]} -ne 1 || ! -f ${debs[0]} ]]; then
  echo "check_deb: FAIL: expected one .deb in $scratch/pkg, found: ${debs[*]}" >&2
  exit 1
fi
deb=${debs[0]}
ok "built $(basename "$deb")"

# --- control fields ---
field() { dpkg-deb -f "$deb" "$1"; }
[[ $(field Package) == onyx-background ]] || fail "Package is '$(field Package)', not onyx-background"
[[ $(field Version) == "$ONYX_VERSION" ]] || fail "Version is '$(field Version)', not $ONYX_VERSION"
[[ -n $(field Maintainer) ]] || fail "no Maintainer"
[[ -n $(field Description) ]] || fail "no Description"
depends=$(field Depends)
[[ $depends == *adduser* ]] || fail "Depends lacks adduser (postinst runs it): $depends"
ok "Depends: $depends"

# --- maintainer scripts and conffiles ---
dpkg-deb -e "$deb" "$scratch/control"
for script in postinst prerm postrm; do
  if [[ ! -x $scratch/control/$script ]]; then
    fail "$script missing or not executable"
  elif ! sh -n "$scratch/control/$script"; then
    fail "$script is not valid sh"
  fi
done
grep -q 'adduser --system --group' "$scratch/control/postinst" || fail "postinst does not create the system user"
grep -qF "$ONYX_PLUGIN_DIR" "$scratch/control/postinst" || fail "postinst does not create $ONYX_PLUGIN_DIR"
[[ $(cat "$scratch/control/conffiles" 2>/dev/null) == "$ONYX_CONFIG_DIR/onyx-background.ini" ]] ||
  fail "conffiles is not exactly $ONYX_CONFIG_DIR/onyx-background.ini"
ok "maintainer scripts and conffiles"

# --- file list ---
root=$scratch/root
dpkg -x "$deb" "$root"
expect_file() {
  if [[ -f $root$1 ]]; then ok "$1"; else fail "missing $1"; fi
}
expect_file "$ONYX_BINDIR/onyx-background"
[[ -x $root$ONYX_BINDIR/onyx-background ]] || fail "$ONYX_BINDIR/onyx-background is not executable"
expect_file "$ONYX_PLUGIN_DIR/onyx_plugin_basic.so"
expect_file "$ONYX_PLUGIN_DIR/onyx_plugin_files.so"
expect_file "$ONYX_CONFIG_DIR/onyx-background.ini"
expect_file "$ONYX_UNIT_DIR/onyx-background-worker@.service"
expect_file "$ONYX_UNIT_DIR/onyx-background-watcher.service"
expect_file "$ONYX_INCLUDEDIR/onyx_background/plugin.h"
expect_file "$ONYX_INCLUDEDIR/onyx_background/job.hpp"
expect_file "$ONYX_INCLUDEDIR/onyx_background/testkit.hpp"
expect_file "$ONYX_CMAKEDIR/OnyxBackgroundConfig.cmake"
expect_file "$ONYX_CMAKEDIR/OnyxBackgroundConfigVersion.cmake"
expect_file "$ONYX_CMAKEDIR/OnyxBackgroundSdkTargets.cmake"
expect_file "$ONYX_CMAKEDIR/OnyxBackgroundClientTargets.cmake"
expect_file "$ONYX_CMAKEDIR/onyx_plugin_exports.map"
expect_file "$ONYX_DOCDIR/operations.md"
expect_file "$ONYX_DOCDIR/README.md"
if find "$root" -path '*fixture*' -o -name '*_test*' | grep -q .; then
  fail "test files in the package: $(find "$root" -path '*fixture*' -o -name '*_test*' | head -3)"
fi
grep -q "^ExecStart=$ONYX_BINDIR/onyx-background worker " "$root$ONYX_UNIT_DIR/onyx-background-worker@.service" ||
  fail "the worker unit's ExecStart does not run $ONYX_BINDIR/onyx-background"

# --- shlibdeps: every library the binary needs (DT_NEEDED) comes from a package in Depends ---
binary=$root$ONYX_BINDIR/onyx-background
ldd_out=$(ldd "$binary")
while read -r needed; do
  # "libx.so.1 => /path (addr)", or "/lib64/ld-linux-x86-64.so.2 (addr)" for the loader.
  lib_path=$(awk -v lib="$needed" '($1 == lib && $2 == "=>") { print $3 }
    (substr($1, length($1) - length(lib)) == "/" lib) { print $1 }' <<<"$ldd_out" | head -1)
  if [[ -z $lib_path ]]; then
    fail "$needed (needed by the binary) is not found on this system"
    continue
  fi
  owner=
  real=$(realpath "$lib_path")
  # With merged /usr, dpkg knows a library under the path its package ships, /lib or /usr/lib.
  for candidate in "$lib_path" "$real" "${real#/usr}" "/usr$lib_path"; do
    owner=$(dpkg -S "$candidate" 2>/dev/null | head -1 | cut -d: -f1) || true
    [[ -n $owner ]] && break
  done
  if [[ -z $owner ]]; then
    fail "$needed ($lib_path) belongs to no package"
  elif [[ ", $depends," != *", $owner "* && ", $depends," != *", $owner,"* ]]; then
    fail "$needed comes from $owner, which Depends lacks: $depends"
  else
    ok "$needed -> $owner"
  fi
done < <(objdump -p "$binary" | awk '$1 == "NEEDED" { print $2 }')

# --- the unpacked binary runs ---
if version=$("$root$ONYX_BINDIR/onyx-background" --version 2>&1) && [[ $version == *"$ONYX_VERSION"* ]]; then
  ok "onyx-background --version: $version"
else
  fail "the unpacked binary does not run: $version"
fi

# --- systemd-analyze verify ---
if command -v systemd-analyze >/dev/null; then
  mkdir "$scratch/units"
  for unit in onyx-background-worker@.service onyx-background-watcher.service; do
    # verify checks that ExecStart exists; the package's binary lives in the scratch root.
    sed "s|^ExecStart=$ONYX_BINDIR/onyx-background|ExecStart=$root$ONYX_BINDIR/onyx-background|" \
      "$root$ONYX_UNIT_DIR/$unit" >"$scratch/units/$unit"
  done
  if out=$(systemd-analyze verify "$scratch/units/onyx-background-watcher.service" \
    "$scratch/units/onyx-background-worker@check.service" 2>&1) && [[ -z $out ]]; then
    ok "systemd-analyze verify: both units clean"
  else
    fail "systemd-analyze verify: $out"
  fi
else
  echo "check_deb: systemd-analyze not installed; units not verified (apt-get install systemd)"
fi

if ((failures > 0)); then
  echo "check_deb: $failures check(s) failed" >&2
  exit 1
fi
echo "check_deb: all checks passed"
