#!/usr/bin/env bash
# The crash harness at scale: every chaos scenario of the integration tests
# (file -> file, a broker -> file, a file -> a broker; see
# tests/support/chaos.hpp) with many kill -9s of sluice instead of ctest's
# few, then a table of lost, duplicated and corrupt outputs per scenario.
#
#   scripts/chaos.sh [KILLS] [WORD]    default 50 kills, every scenario; WORD keeps
#                                      the scenarios whose test name holds it (e.g. Rabbit)
#
# SLUICE_CHAOS_SEED repeats a run's kill moments (each scenario prints its
# seed). Uses the sanitized build of scripts/test.sh (build/, or
# SLUICE_TEST_BUILD_DIR) and the test brokers (started here if needed).
# Exit status: non-zero if any scenario lost or corrupted anything.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
kills="${1:-50}"
word="${2:-}"
gtest_filter="*Chaos*"
[[ -n $word ]] && gtest_filter="*${word}*Chaos*:*Chaos*${word}*"
[[ $kills =~ ^[0-9]+$ ]] || {
  echo "chaos: KILLS must be a number (see --help in the header of $0)" >&2
  exit 2
}
build="${SLUICE_TEST_BUILD_DIR:-$repo/build}"

export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$repo}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSLUICE_SANITIZE=ON >/dev/null
cmake --build "$build" -j"$(nproc)"
eval "$(./scripts/brokers.sh start)"

export SLUICE_CHAOS_KILLS="$kills"
export SLUICE_BIN="$build/bin/sluice" SLUICE_PLUGIN_DIR="$build/plugins"
export SLUICE_TEST_PLUGIN_DIR="$build/test-plugins" SLUICE_SOURCE_DIR="$repo"
export SLUICE_BUILD_DIR="$build"
# intercept_tls_get_addr=0: GCC 12's sanitizer runtime can mistake a
# plugin's dynamic TLS block for glibc 2.19's layout and crash LeakSanitizer's
# tracer at exit ("Tracer caught signal 11"; google/sanitizers#1322). It
# depends on where malloc puts the block, so it comes and goes with the build.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:intercept_tls_get_addr=0}"

status=0
results=()
for binary in "$build"/tests/integration_*; do
  [[ -x $binary ]] || continue
  log="$build/chaos-$(basename "$binary").log"
  if "$binary" --gtest_filter="$gtest_filter" --gtest_brief=1 >"$log" 2>&1; then :; else
    status=1
    echo "chaos: $(basename "$binary") FAILED; log: $log" >&2
    grep -E 'Failure|Expected|Which is|failed' "$log" | head -20 >&2 || true
  fi
  while IFS= read -r line; do results+=("${line#chaos: }"); done < <(grep '^chaos: ' "$log" || true)
done

echo "chaos: $kills kills per scenario"
printf '  %s\n' "${results[@]}"
exit "$status"
