#!/usr/bin/env bash
# Installs the Debian 12 packages sluice needs, for one purpose or all.
# Idempotent: packages already present are skipped and `apt-get update`
# only runs when something is missing.
#
#   scripts/bootstrap.sh [--for run|test|bench|package] [--check]
#
#   --for run       build and run sluice with every plugin (scripts/run.sh)
#   --for bench     run, plus the benchmarks' baselines and brokers (scripts/bench.sh)
#   --for package   run, plus deb/rpm packaging (scripts/package.sh)
#   --for test      everything: tests, fuzzing, brokers, browsers, packaging
#                   (scripts/test.sh); the default
#   --check         only report what is missing (exit 1 if anything is)
set -euo pipefail

# Building and running: the host and every plugin's client library.
run_packages=(
  build-essential cmake ninja-build pkg-config git file ccache
  libboost1.81-dev libboost-json1.81-dev libboost-filesystem1.81-dev
  libboost-program-options1.81-dev libyaml-cpp-dev liblua5.4-dev lua5.4 libssl-dev
  libjemalloc-dev
  librdkafka-dev librabbitmq-dev libnats-dev libhiredis-dev libpaho-mqttpp-dev libpaho-mqtt-dev
)
# Test brokers and their command-line clients (scripts/brokers.sh).
broker_packages=(
  redis-server redis-tools nats-server mosquitto mosquitto-clients rabbitmq-server kcat
  netcat-openbsd openssl
)
# Benchmarks: Google Benchmark, the Node `ws` baseline, process timing.
bench_packages=(libbenchmark-dev nodejs npm python3 time procps iproute2)
# Packaging: deb and rpm builds and their checks.
package_packages=(rpm lintian dpkg-dev fakeroot)
# Tests beyond the above: GoogleTest, formatting, fuzzing (clang with
# libFuzzer), browser tests of the admin page and the websocket viewer,
# graphviz's dot to parse what `sluice graph` prints.
# python3-jsonschema for `sluice schema`'s tests and promtool (Debian's
# prometheus) for the shipped alerting rules.
test_packages=(
  libgtest-dev libgmock-dev clang-format
  clang libclang-rt-14-dev
  chromium
  graphviz
  python3-jsonschema python3-yaml prometheus
)

purpose=test
check_only=0
while (($# > 0)); do
  case "$1" in
    --check) check_only=1 ;;
    --for)
      purpose="${2:-}"
      shift
      ;;
    --for=*) purpose="${1#--for=}" ;;
    -h | --help)
      sed -n '2,14p' "$0"
      exit 0
      ;;
    *)
      echo "usage: $0 [--for run|test|bench|package] [--check]" >&2
      exit 2
      ;;
  esac
  shift
done

case "$purpose" in
  run) packages=("${run_packages[@]}") ;;
  bench) packages=("${run_packages[@]}" "${broker_packages[@]}" "${bench_packages[@]}") ;;
  package) packages=("${run_packages[@]}" "${package_packages[@]}") ;;
  test)
    packages=("${run_packages[@]}" "${broker_packages[@]}" "${bench_packages[@]}"
      "${package_packages[@]}" "${test_packages[@]}")
    ;;
  *)
    echo "bootstrap: --for takes run, test, bench or package, not '$purpose'" >&2
    exit 2
    ;;
esac

# Installed packages plus whatever they provide (nodesource's nodejs provides
# npm, for instance, and conflicts with Debian's npm package).
installed="$(dpkg-query -W -f='${db:Status-Abbrev} ${Package} ${Provides}\n' 2>/dev/null |
  awk '$1 == "ii" { print $2; for (i = 3; i <= NF; i++) { gsub(/[,(].*|\)/, "", $i); if ($i != "") print $i } }' |
  sort -u)"

missing=()
for pkg in "${packages[@]}"; do
  if grep -qxF "$pkg" <<<"$installed"; then
    continue
  fi
  missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  echo "bootstrap: all ${#packages[@]} packages for $purpose are installed"
  exit 0
fi

echo "bootstrap: missing: ${missing[*]}"
if ((check_only)); then
  exit 1
fi

if [[ $(id -u) -eq 0 ]]; then
  as_root=()
elif command -v sudo >/dev/null; then
  as_root=(sudo)
else
  echo "bootstrap: not root and no sudo; as root run: apt-get install ${missing[*]}" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
echo "bootstrap: apt-get update"
"${as_root[@]}" apt-get update -q
echo "bootstrap: installing ${missing[*]}"
"${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "bootstrap: done"
