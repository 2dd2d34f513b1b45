#!/usr/bin/env bash
# The whole test suite, from a fresh clone on Debian 12: installs what is
# missing, builds build/ with sanitizers, starts the test brokers, runs ctest
# (and scripts/package-test.sh when it exists), stops the brokers.
#
#   scripts/test.sh [CTEST_ARGS...]    e.g. scripts/test.sh -R nats
#
# SLUICE_TEST_BUILD_DIR overrides the build directory (default build/);
# SLUICE_TEST_SKIP_PACKAGES=1 skips scripts/package-test.sh (which installs
# and purges the packages on this machine); SLUICE_TEST_SKIP_FUZZ=1 skips the
# fuzzing smoke run (scripts/fuzz.sh --smoke: every fuzz target for 5 s, in
# its own clang build, build-fuzz/). Both run only without CTEST_ARGS.
#
# At the end it prints where the time went: each phase, then ctest's time per
# label (one label per test executable).
#
# Exit status: non-zero if the build or any test failed.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

# Phase timings, printed at exit whatever happened.
phases=()
phase_started=$SECONDS
test_started=$SECONDS
phase_done() {
  phases+=("$(printf '%-24s %5d s' "$1" $((SECONDS - phase_started)))")
  phase_started=$SECONDS
}
print_phases() {
  echo "test: time per phase"
  local line
  for line in "${phases[@]}"; do echo "  $line"; done
  printf '  %-24s %5d s\n' total $((SECONDS - test_started))
}

./scripts/bootstrap.sh --for test
phase_done bootstrap

# Object files are cached by content: paths are hashed relative to the
# checkout, so another clone (CI's) reuses what this machine compiled before.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$repo}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-8G}"

build="${SLUICE_TEST_BUILD_DIR:-$repo/build}"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSLUICE_SANITIZE=ON
cmake --build "$build" -j"$(nproc)"
phase_done "build (sanitized)"

# Brokers that were already up when we came (a developer's own session) are
# left running; the ones started here are stopped on any exit.
export SLUICE_BUILD_DIR="$build"
to_stop=()
for broker in redis nats mqtt rabbitmq kafka; do
  ./scripts/brokers.sh status "$broker" >/dev/null 2>&1 || to_stop+=("$broker")
done
if ((${#to_stop[@]} > 0)); then
  trap './scripts/brokers.sh stop "${to_stop[@]}" || true; print_phases' EXIT
else
  trap print_phases EXIT
fi
brokers_env="$(./scripts/brokers.sh start)"
eval "$brokers_env"
phase_done "start brokers"

# intercept_tls_get_addr=0: GCC 12's sanitizer runtime can mistake a
# plugin's dynamic TLS block for glibc 2.19's layout and crash LeakSanitizer's
# tracer at exit ("Tracer caught signal 11"; google/sanitizers#1322). It
# depends on where malloc puts the block, so it comes and goes with the build.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:intercept_tls_get_addr=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

status=0
# No retries: a test that passes only on a second run is a bug to fix (make
# it wait for a condition, or inject a clock), not noise to hide. The output
# is also kept in build/ctest-last.log.
set +e
ctest --test-dir "$build" --output-on-failure -j2 --timeout 600 "$@" 2>&1 |
  tee "$build/ctest-last.log"
ctest_status=${PIPESTATUS[0]}
set -e
((ctest_status == 0)) || status=1
phase_done "ctest"

if (($# == 0)) && [[ ${SLUICE_TEST_SKIP_FUZZ:-0} != 1 ]]; then
  echo "test: scripts/fuzz.sh --smoke"
  bash scripts/fuzz.sh --smoke || status=1
  phase_done "fuzz smoke"
fi

if (($# == 0)) && [[ -f scripts/package-test.sh && ${SLUICE_TEST_SKIP_PACKAGES:-0} != 1 ]]; then
  echo "test: scripts/package-test.sh"
  bash scripts/package-test.sh || status=1
  phase_done "package tests"
fi

if ((status == 0)); then
  echo "test: all passed"
else
  echo "test: FAILED" >&2
fi
exit "$status"
