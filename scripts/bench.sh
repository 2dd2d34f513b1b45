#!/usr/bin/env bash
# Runs the benchmarks on a Release build (build-release/).
#
#   scripts/bench.sh [SCENARIO...]    default: every tests/bench/<name>/run.sh
#
# What it does: builds the host, every plugin and the `sluice-bench` target
# (tests/bench: gen-tracking and the scenarios' helper programs), generates the
# data set once into build-release/bench-data/tracking-1m.jsonl (1,000,000
# vehicle-tracking JSON lines, ~250 bytes each, byte-identical every run),
# starts the brokers the scenarios ask for, runs each scenario, prints a table.
#
# Scenario contract (tests/bench/<name>/run.sh, run with bash from the repo root):
#   - It may declare brokers it needs with a comment line `# brokers: kafka nats`
#     (names as in scripts/brokers.sh); bench.sh starts them first, exports their
#     SLUICE_TEST_* variables, and stops at the end the ones it started.
#   - Environment it gets:
#       SLUICE_BIN          the Release sluice executable
#       SLUICE_PLUGIN_PATH  build-release/plugins
#       SLUICE_SOURCE_DIR   the repo;  SLUICE_BUILD_DIR  build-release
#       BENCH_TOOLS         build-release/bin (gen-tracking, kafka-mock-cluster, ...)
#       BENCH_DATA          the data file;  BENCH_LINES, BENCH_BYTES  its size
#       BENCH_SCENARIO      the scenario's name
#       BENCH_OUT           an empty directory for its configs, outputs and logs
#                           (build-release/bench-out/<name>, kept for inspection)
#       BENCH_RESULTS       the TSV file that collects result rows
#       BENCH_TIMEOUT       seconds one measured command may take (default 900)
#   - It reports results by sourcing tests/bench/common/bench_lib.sh and calling
#     `bench_report CASE MESSAGES BYTES SECONDS PEAK_RSS_KB [NOTE]` once per
#     measured case (bench_time / bench_sluice measure a command for it). Rows
#     are printed as they come and again, all together, at the end. Anything
#     else it prints is shown as is.
#   - Exit status non-zero = the scenario failed (bench.sh goes on with the next
#     and exits non-zero at the end).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

scenarios=("$@")
if ((${#scenarios[@]} == 0)); then
  for run in tests/bench/*/run.sh; do
    [[ -f $run ]] && scenarios+=("$(basename "$(dirname "$run")")")
  done
fi
for name in "${scenarios[@]}"; do
  [[ -f tests/bench/$name/run.sh ]] || {
    echo "bench: no scenario '$name' (tests/bench/$name/run.sh)" >&2
    exit 2
  }
done
((${#scenarios[@]} > 0)) || {
  echo "bench: no scenarios found" >&2
  exit 2
}

./scripts/bootstrap.sh --for bench --check >/dev/null || ./scripts/bootstrap.sh --for bench

build="${SLUICE_BENCH_BUILD_DIR:-$repo/build-release}"
echo "bench: building Release in $build"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSLUICE_SANITIZE=OFF \
  -DSLUICE_BUILD_TESTS=OFF -DSLUICE_BUILD_BENCH=ON >/dev/null
mapfile -t plugins < <(ninja -C "$build" -t targets all |
  sed -n 's/^\(sluice-plugin-[A-Za-z0-9_-]*\): .*/\1/p' | sort -u)
cmake --build "$build" -j"$(nproc)" --target sluice sluice-bench "${plugins[@]}"

data_dir="$build/bench-data"
data="$data_dir/tracking-1m.jsonl"
mkdir -p "$data_dir"
# The file is a function of the generator only: regenerate when it changed.
if [[ ! -s $data || $build/bin/gen-tracking -nt $data ]]; then
  echo "bench: generating $data"
  "$build/bin/gen-tracking" -n 1000000 -o "$data.tmp"
  mv "$data.tmp" "$data"
fi

export SLUICE_BIN="$build/bin/sluice"
export SLUICE_PLUGIN_PATH="$build/plugins"
export SLUICE_SOURCE_DIR="$repo"
export SLUICE_BUILD_DIR="$build"
export BENCH_TOOLS="$build/bin"
export BENCH_DATA="$data"
BENCH_LINES="$(wc -l <"$data")"
BENCH_BYTES="$(stat -c %s "$data")"
export BENCH_LINES BENCH_BYTES
export BENCH_TIMEOUT="${BENCH_TIMEOUT:-900}"
out_root="$build/bench-out"
mkdir -p "$out_root"
export BENCH_RESULTS="$out_root/results.tsv"
: >"$BENCH_RESULTS"

# Brokers the scenarios declare; only the ones started here are stopped.
needed=()
for name in "${scenarios[@]}"; do
  read -ra want <<<"$(sed -n 's/^# brokers:\(.*\)/\1/p' "tests/bench/$name/run.sh" | head -1)"
  needed+=("${want[@]}")
done
if ((${#needed[@]} > 0)); then
  mapfile -t needed < <(printf '%s\n' "${needed[@]}" | sort -u)
  to_stop=()
  for broker in "${needed[@]}"; do
    ./scripts/brokers.sh status "$broker" >/dev/null 2>&1 || to_stop+=("$broker")
  done
  if ((${#to_stop[@]} > 0)); then
    trap './scripts/brokers.sh stop "${to_stop[@]}" || true' EXIT
  fi
  eval "$(./scripts/brokers.sh start "${needed[@]}")"
fi

status=0
for name in "${scenarios[@]}"; do
  export BENCH_SCENARIO="$name" BENCH_OUT="$out_root/$name"
  rm -rf "$BENCH_OUT"
  mkdir -p "$BENCH_OUT"
  echo
  echo "== scenario $name"
  if ! bash "tests/bench/$name/run.sh"; then
    echo "bench: scenario $name FAILED" >&2
    status=1
  fi
done

echo
echo "== results ($BENCH_LINES lines, $((BENCH_BYTES / 1000000)) MB; $(nproc) cores, load average" \
  "$(cut -d' ' -f1-3 /proc/loadavg); MB = 10^6 bytes)"
# shellcheck source=../tests/bench/common/bench_lib.sh
source tests/bench/common/bench_lib.sh
bench_table "$BENCH_RESULTS"
exit "$status"
