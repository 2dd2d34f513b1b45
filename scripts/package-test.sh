#!/usr/bin/env bash
# Package tests: builds the .deb/.rpm packages (scripts/package.sh), checks
# their metadata, file lists and lintian, installs the debs on this machine
# and runs sluice from them (as the `sluice` user, plus an out-of-tree plugin
# built against sluice-dev and dropped into /usr/local/lib/sluice/plugins),
# removes and purges them and checks what is left, then installs the rpms
# into a scratch root. Needs root. Always purges what it installed.
#
#   scripts/package-test.sh               build, then test
#   SLUICE_PACKAGE_TEST_BUILD=0 scripts/package-test.sh   test existing packages
#
# Prints PASS/FAIL per check, ends with "N passed, M failed", exits 1 on any
# failure.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SLUICE_PACKAGE_BUILD_DIR:-$root/build-package}
packages=${SLUICE_PACKAGE_OUT_DIR:-$root/build/packages}
export SLUICE_PACKAGE_BUILD_DIR=$build SLUICE_PACKAGE_OUT_DIR=$packages
export DEBIAN_FRONTEND=noninteractive
# The tests must see the installed layout only.
unset SLUICE_PLUGIN_PATH SLUICE_CONFIG

source "$root/packaging/tests/checks.sh"

if [[ $(id -u) -ne 0 ]]; then
  echo "package-test: needs root (it installs and purges the packages)" >&2
  exit 1
fi
if dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' 'sluice*' 2>/dev/null | grep -q '^.[^n]'; then
  echo "package-test: sluice packages are already installed; it would remove them." >&2
  echo "  remove them first: apt-get purge 'sluice*'" >&2
  exit 1
fi

work=$(mktemp -d /tmp/sluice-package-test.XXXXXX)
chmod 755 "$work"
installed=0
dropped_plugin=/usr/local/lib/sluice/plugins/sluice-template.so
trap cleanup EXIT

# --- build -----------------------------------------------------------------
if [[ ${SLUICE_PACKAGE_TEST_BUILD:-1} != 0 ]]; then
  require "packages build (scripts/package.sh)" \
    bash -c '"$0/scripts/package.sh" >"$1/package.log" 2>&1 || { tail -30 "$1/package.log"; exit 1; }' \
    "$root" "$work"
fi

version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
abi_major=$(sed -n 's/^#define SLUICE_ABI_MAJOR \+\([0-9]\+\).*/\1/p' "$root/sdk/include/sluice/plugin.h")
read -r -a builtin <<<"$(sed -n 's/^set(SLUICE_BUILTIN_PLUGINS \(.*\))$/\1/p' "$root/packaging/CMakeLists.txt")"
# Plugins of this build: every plugins/<name>/ whose option was ON.
built_plugins=() broker_plugins=() builtin_plugins=()
for dir in "$root"/plugins/*/; do
  name=$(basename "$dir")
  [[ -f $dir/CMakeLists.txt ]] || continue
  grep -qx "SLUICE_PLUGIN_${name^^}:BOOL=ON" "$build/CMakeCache.txt" || continue
  built_plugins+=("$name")
  if [[ " ${builtin[*]} " == *" $name "* ]]; then builtin_plugins+=("$name"); else broker_plugins+=("$name"); fi
done
echo "version $version, ABI $abi_major; built-in plugins: ${builtin_plugins[*]:-none};" \
  "plugin packages: ${broker_plugins[*]:-none}"

deb() { compgen -G "$packages/$1_*.deb" | head -1; }
rpm_file() { compgen -G "$packages/$1-[0-9]*.rpm" | head -1; }
plugin_debs=() plugin_rpms=()
for p in "${broker_plugins[@]}"; do
  plugin_debs+=("$(deb "sluice-plugin-$p")")
  plugin_rpms+=("$(rpm_file "sluice-plugin-$p")")
done

# --- deb metadata and contents --------------------------------------------
require "deb files exist for sluice, sluice-dev and each plugin package" \
  all_exist "$(deb sluice)" "$(deb sluice-dev)" "${plugin_debs[@]}"

check "sluice.deb: version $version, provides sluice-abi-$abi_major, needs adduser" \
  fields_match "$(deb sluice)" "Version: $version" "Provides: .*sluice-abi-$abi_major" "Depends: .*adduser"
check "sluice.deb: dpkg-shlibdeps found the host's libraries" \
  fields_match "$(deb sluice)" "Depends: .*libc6 .*libstdc++6"
check "sluice.deb: depends on jemalloc, the host's allocator" \
  fields_match "$(deb sluice)" "Depends: .*libjemalloc2"
check "sluice.deb: /etc/sluice files are conffiles" \
  control_has "$(deb sluice)" "conffiles:^/etc/sluice/sluice.yaml$" "conffiles:^/etc/sluice/routes.lua$"
check "sluice.deb: postinst creates the user, prerm stops the service, postrm purges" \
  control_has "$(deb sluice)" "postinst:adduser --system" "prerm:deb-systemd-invoke stop" \
  "postrm:purge)"
sluice_files=(/usr/bin/sluice /usr/lib/systemd/system/sluice.service /etc/sluice/sluice.yaml
  /etc/sluice/routes.lua /usr/share/man/man1/sluice.1.gz /usr/share/doc/sluice/copyright
  /usr/share/doc/sluice/changelog.gz)
for p in "${builtin_plugins[@]}"; do sluice_files+=("/usr/lib/sluice/plugins/sluice-$p.so"); done
check "sluice.deb: contains host, unit, config, man page, docs, built-in plugins" \
  deb_contains "$(deb sluice)" "${sluice_files[@]}"
for p in "${broker_plugins[@]}"; do
  check "sluice-plugin-$p.deb: depends on sluice >= $version and sluice-abi-$abi_major" \
    fields_match "$(deb "sluice-plugin-$p")" "Depends: .*sluice (>= $version)" \
    "Depends: .*sluice-abi-$abi_major"
  check "sluice-plugin-$p.deb: library dependencies computed by dpkg-shlibdeps" \
    fields_match "$(deb "sluice-plugin-$p")" "Depends: .*libc6 "
  check "sluice-plugin-$p.deb: contains the plugin and its docs" \
    deb_contains "$(deb "sluice-plugin-$p")" "/usr/lib/sluice/plugins/sluice-$p.so" \
    "/usr/share/doc/sluice-plugin-$p/copyright" "/usr/share/doc/sluice-plugin-$p/changelog.gz"
done
check "sluice-dev.deb: architecture all, depends on Boost.JSON headers" \
  fields_match "$(deb sluice-dev)" "Architecture: all" "Depends: .*libboost-json"
check "sluice-dev.deb: contains headers, CMake package and the plugin template" \
  deb_contains "$(deb sluice-dev)" /usr/include/sluice/plugin.h /usr/include/sluice/plugin.hpp \
  /usr/lib/cmake/sluice-sdk/sluice-sdk-config.cmake /usr/lib/cmake/sluice-sdk/SluicePlugin.cmake \
  /usr/share/doc/sluice-dev/examples/plugin-template/CMakeLists.txt /usr/share/doc/sluice-dev/copyright
check "every plugin .so is in exactly one package" each_plugin_once "$packages"/*.deb

# --- rpm metadata ------------------------------------------------------------
check "rpm files exist for sluice, sluice-dev and each plugin package" \
  all_exist "$(rpm_file sluice)" "$(rpm_file sluice-dev)" "${plugin_rpms[@]}"
check "sluice.rpm: name, version, license" \
  rpm_query_has "$(rpm_file sluice)" -qpi "Name *: sluice$" "Version *: $version$" "License *: Apache-2.0"
check "sluice.rpm: provides sluice(abi) = $abi_major" \
  rpm_query_has "$(rpm_file sluice)" --provides "sluice(abi) = $abi_major"
check "sluice.rpm: automatic requires found the host's libraries" \
  rpm_query_has "$(rpm_file sluice)" --requires "libc.so.6" "libstdc++.so.6" "libjemalloc.so.2"
check "sluice.rpm: config files are %config(noreplace)" \
  rpm_query_has "$(rpm_file sluice)" --configfiles /etc/sluice/sluice.yaml /etc/sluice/routes.lua
check "sluice.rpm: %pre creates the user, %preun/%postun handle the service" \
  rpm_query_has "$(rpm_file sluice)" --scripts "preinstall" "useradd" "preuninstall" "postuninstall"
anchored=()
for f in "${sluice_files[@]}"; do anchored+=("^$f\$"); done
check "sluice.rpm: file list" rpm_query_has "$(rpm_file sluice)" -qpl "${anchored[@]}"
for p in "${broker_plugins[@]}"; do
  check "sluice-plugin-$p.rpm: requires sluice >= $version, sluice(abi) = $abi_major and libraries" \
    rpm_query_has "$(rpm_file "sluice-plugin-$p")" --requires "sluice >= $version" \
    "sluice(abi) = $abi_major" "libc.so.6"
  check "sluice-plugin-$p.rpm: file list" rpm_query_has "$(rpm_file "sluice-plugin-$p")" -qpl \
    "^/usr/lib/sluice/plugins/sluice-$p.so$"
done
check "sluice-dev.rpm: noarch" rpm_query_has "$(rpm_file sluice-dev)" -qpi "Architecture: noarch"
check "sluice-dev.rpm: requires the Boost headers" \
  rpm_query_has "$(rpm_file sluice-dev)" --requires "boost-devel"
check "sluice-dev.rpm: headers and CMake package" \
  rpm_query_has "$(rpm_file sluice-dev)" -qpl "^/usr/include/sluice/plugin.h$" \
  "^/usr/lib/cmake/sluice-sdk/sluice-sdk-config.cmake$"

# --- lintian -------------------------------------------------------------------
check "lintian: no errors, only the warnings packaging/README.md accepts" \
  lintian_clean "$root/packaging/README.md" "$packages"/*.deb

# --- install the debs ------------------------------------------------------
snapshot_system "$work/before.txt"
installed=1
require "apt-get install ./build/packages/*.deb" \
  bash -c 'apt-get install -y -q "$@" >"'"$work"'/apt-install.log" 2>&1 || { tail -20 "'"$work"'/apt-install.log"; exit 1; }' \
  _ "$packages"/*.deb
check "postinst created the system user sluice (nologin) and its directories" user_and_dirs_ok
check "sluice version prints $version and ABI $abi_major" \
  output_matches "sluice $version (plugin ABI $abi_major\\." sluice version
plugin_files=()
for p in "${built_plugins[@]}"; do plugin_files+=("  /usr/lib/sluice/plugins/sluice-$p.so$"); done
check "sluice plugins lists every packaged plugin from /usr/lib/sluice/plugins" \
  output_matches_all "${plugin_files[@]}" -- sluice plugins
check "sluice check -c /etc/sluice/sluice.yaml" sluice check -c /etc/sluice/sluice.yaml
check "systemd-analyze verify sluice.service: no warnings" unit_verifies
check "default pipeline serves the viewer and runs 6 s as user sluice, stops cleanly on SIGINT" default_pipeline_runs 6

# --- out-of-tree plugin against the installed sluice-dev --------------------
check "examples/plugin-template builds against the installed sluice-dev" build_template
check "template plugin dropped into /usr/local/lib/sluice/plugins is listed" \
  bash -c 'install -m 644 "$0" "$1" && sluice plugins | grep -q "  $1\$"' \
  "$work/template-build/sluice-template.so" "$dropped_plugin"
check "pipeline file -> template (as user sluice) writes upper-cased lines" template_pipeline_runs

# --- remove, then purge ------------------------------------------------------
all_packages=(sluice sluice-dev)
for p in "${broker_plugins[@]}"; do all_packages+=("sluice-plugin-$p"); done
check "apt-get remove keeps config, state, the user and dropped-in plugins" remove_keeps_state
check "dpkg --purge removes config, state, logs, the user and the unit state" purge_cleans
check "after purge only the dropped-in plugin is left (policy: local files stay)" \
  nothing_left_but "$work/before.txt" "$dropped_plugin"
rm -f "$dropped_plugin"
rmdir /usr/local/lib/sluice/plugins /usr/local/lib/sluice 2>/dev/null

# --- rpms into a scratch root -----------------------------------------------
check "rpms install into a scratch root (rpm --root, --nodeps, --noscripts)" rpm_scratch_install
rpm_expected=("${sluice_files[@]}" /usr/include/sluice/plugin.h
  /usr/lib/cmake/sluice-sdk/sluice-sdk-config.cmake)
for p in "${broker_plugins[@]}"; do rpm_expected+=("/usr/lib/sluice/plugins/sluice-$p.so"); done
check "rpm scratch root: files land where the packages say" rpm_scratch_has "${rpm_expected[@]}"
check "rpm scratch root: each plugin is owned by its package" rpm_scratch_owners
check "rpm scripts are valid sh" bash -c 'for f in "$0"/packaging/rpm/*.sh; do sh -n "$f" || exit 1; done' "$root"

summary
