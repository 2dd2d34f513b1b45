#!/usr/bin/env bash
# Builds a Release sluice with its plugins (build-release/) and runs it on
# config/sluice.yaml. Extra arguments go to `sluice run`, e.g. --log-level debug.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

./scripts/bootstrap.sh --check >/dev/null || ./scripts/bootstrap.sh

cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
# The host and every plugin; tests are not needed to run it.
mapfile -t plugins < <(ninja -C build-release -t targets all |
  sed -n 's/^\(sluice-plugin-[A-Za-z0-9_-]*\): .*/\1/p' | sort -u)
cmake --build build-release -j"$(nproc)" --target sluice "${plugins[@]}"

export SLUICE_PLUGIN_PATH="$repo/build-release/plugins"
exec "$repo/build-release/bin/sluice" run -c config/sluice.yaml "$@"
