#!/usr/bin/env bash
# Builds the sluice .deb and .rpm packages in one command: a Release build in
# build-package/, then CPack, with the packages written to build/packages/.
#
#   scripts/package.sh [extra cmake arguments]
#   scripts/package.sh -DSLUICE_PLUGIN_KAFKA=OFF      # leave a plugin out
#
# Environment: SLUICE_PACKAGE_BUILD_DIR, SLUICE_PACKAGE_OUT_DIR override the
# two folders; SLUICE_JOBS the build parallelism (default 2).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SLUICE_PACKAGE_BUILD_DIR:-$root/build-package}
out=${SLUICE_PACKAGE_OUT_DIR:-$root/build/packages}
jobs=${SLUICE_JOBS:-2}

missing=()
for tool in cmake cpack gzip dpkg-deb dpkg-shlibdeps rpmbuild; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if ((${#missing[@]})); then
  echo "package.sh: missing ${missing[*]}; on Debian: apt-get install cmake dpkg-dev rpm" >&2
  exit 1
fi

# The flags dpkg-buildpackage would use (hardening: stack protector,
# _FORTIFY_SOURCE, relro, bindnow), passed explicitly because CMake only
# reads CFLAGS/LDFLAGS from the environment on a first configure and never
# reads CPPFLAGS.
c_flags="" cxx_flags="" ld_flags=""
if command -v dpkg-buildflags >/dev/null; then
  export DEB_BUILD_MAINT_OPTIONS=hardening=+all
  cppflags=$(dpkg-buildflags --get CPPFLAGS)
  c_flags="$(dpkg-buildflags --get CFLAGS) $cppflags"
  cxx_flags="$(dpkg-buildflags --get CXXFLAGS) $cppflags"
  ld_flags=$(dpkg-buildflags --get LDFLAGS)
fi

generator="Unix Makefiles"
command -v ninja >/dev/null && generator=Ninja
if [[ -f $build/CMakeCache.txt ]] &&
  ! grep -qx "CMAKE_GENERATOR:INTERNAL=$generator" "$build/CMakeCache.txt"; then
  rm -rf "$build" # a cache made by another generator cannot be reused
fi

# /usr and lib/: the host has /usr/lib/sluice/plugins compiled in, and one
# layout serves both Debian and RPM distributions.
cmake -S "$root" -B "$build" -G "$generator" \
  -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_INSTALL_PREFIX=/usr \
  -DCMAKE_INSTALL_LIBDIR=lib \
  -DCMAKE_C_FLAGS="$c_flags" \
  -DCMAKE_CXX_FLAGS="$cxx_flags" \
  -DCMAKE_EXE_LINKER_FLAGS="$ld_flags" \
  -DCMAKE_MODULE_LINKER_FLAGS="$ld_flags" \
  -DCMAKE_SHARED_LINKER_FLAGS="$ld_flags" \
  -DSLUICE_SANITIZE=OFF \
  -DSLUICE_BUILD_TESTS=OFF \
  -DSLUICE_BUILD_BENCH=OFF \
  -DSLUICE_PACKAGING=ON \
  "$@"
cmake --build "$build" -j "$jobs"

rm -rf "$build/packages"
(cd "$build" && cpack -G DEB && cpack -G RPM)

# Only this build's packages: a stale package of a plugin that was since
# removed would otherwise be installed by the package tests.
mkdir -p "$out"
rm -f "$out"/sluice*.deb "$out"/sluice*.rpm
cp "$build"/packages/*.deb "$build"/packages/*.rpm "$out"/
echo "packages in $out:"
ls -1 "$out"
