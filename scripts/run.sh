#!/usr/bin/env bash
# Builds a Release sluice with its plugins (build-release/) and runs it on
# config/sluice.yaml (the live vehicle-tracking demo). Extra arguments go to `sluice run`, e.g. --log-level debug.
# SLUICE_RUN_BUILD_DIR overrides the build directory.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

./scripts/bootstrap.sh --for run --check >/dev/null || ./scripts/bootstrap.sh --for run

build="${SLUICE_RUN_BUILD_DIR:-$repo/build-release}"
# Tests and benchmarks off: running needs neither GoogleTest nor Benchmark.
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSLUICE_SANITIZE=OFF \
  -DSLUICE_BUILD_TESTS=OFF -DSLUICE_BUILD_BENCH=OFF >/dev/null
# The host and every plugin; tests are not needed to run it.
mapfile -t plugins < <(ninja -C "$build" -t targets all |
  sed -n 's/^\(sluice-plugin-[A-Za-z0-9_-]*\): .*/\1/p' | sort -u)
cmake --build "$build" -j"$(nproc)" --target sluice "${plugins[@]}"

export SLUICE_PLUGIN_PATH="$build/plugins"
ws="${SLUICE_WS_LISTEN:-127.0.0.1:8080}"
echo "sluice: open http://$ws/ for the live viewer (status: http://${SLUICE_ADMIN_LISTEN:-127.0.0.1:9600}/)"
exec "$build/bin/sluice" run -c config/sluice.yaml "$@"
