#!/usr/bin/env bash
# Installs every Debian 12 package that building, testing, benchmarking and
# packaging sluice needs. Idempotent: packages already present are skipped and
# `apt-get update` only runs when something is missing.
#
#   scripts/bootstrap.sh           install what is missing
#   scripts/bootstrap.sh --check   only report what is missing (exit 1 if anything is)
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config git file ccache
  libboost1.81-dev libboost-json1.81-dev libboost-filesystem1.81-dev
  libboost-program-options1.81-dev libyaml-cpp-dev liblua5.4-dev lua5.4 libssl-dev
  libjemalloc-dev
  # broker client libraries (plugins)
  librdkafka-dev librabbitmq-dev libnats-dev libhiredis-dev libpaho-mqttpp-dev libpaho-mqtt-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev clang-format python3 time procps iproute2
  # fuzzing (scripts/fuzz.sh): clang with libFuzzer
  clang libclang-rt-14-dev
  # test brokers and their command-line clients (scripts/brokers.sh)
  redis-server redis-tools nats-server mosquitto mosquitto-clients rabbitmq-server kcat
  netcat-openbsd openssl
  # browser tests of the admin page and the websocket viewer
  nodejs npm chromium
  # packaging
  rpm lintian dpkg-dev fakeroot
)

check_only=0
case "${1:-}" in
  --check) check_only=1 ;;
  "") ;;
  -h | --help)
    sed -n '2,8p' "$0"
    exit 0
    ;;
  *)
    echo "usage: $0 [--check]" >&2
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
  echo "bootstrap: all ${#packages[@]} packages are installed"
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
