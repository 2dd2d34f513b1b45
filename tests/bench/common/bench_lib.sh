# Shell helpers for benchmark scenarios (sourced by tests/bench/<name>/run.sh
# and scripts/bench.sh): measure a command, report a result row, print the table.

# bench_time CMD...: runs CMD (stdout/stderr as given by the caller) and sets
# BENCH_SECONDS (wall clock, ns resolution), BENCH_RSS_KB (peak resident set
# of CMD and its children, from GNU time) and BENCH_STATUS (its exit status).
# CMD is killed after BENCH_TIMEOUT seconds.
bench_time() {
  local rusage start end
  rusage="$(mktemp)"
  start="$(date +%s%N)"
  BENCH_STATUS=0
  /usr/bin/time -f '%M' -o "$rusage" \
    timeout --kill-after=30 "${BENCH_TIMEOUT:-900}" "$@" || BENCH_STATUS=$?
  end="$(date +%s%N)"
  BENCH_SECONDS="$(awk -v ns=$((end - start)) 'BEGIN { printf "%.3f", ns / 1e9 }')"
  BENCH_RSS_KB="$(tail -n 1 "$rusage")"
  rm -f "$rusage"
}

# bench_report CASE MESSAGES BYTES SECONDS PEAK_RSS_KB [NOTE]: one result row.
bench_report() {
  local case=$1 messages=$2 bytes=$3 seconds=$4 rss_kb=$5 note=${6:-}
  local row
  row="$(awk -v s="${BENCH_SCENARIO:-?}" -v c="$case" -v m="$messages" -v b="$bytes" \
    -v t="$seconds" -v r="$rss_kb" -v n="$note" 'BEGIN {
      rate = t > 0 ? m / t : 0; mbs = t > 0 ? b / t / 1e6 : 0
      printf "%s\t%s\t%d\t%d\t%.3f\t%.0f\t%.1f\t%.1f\t%s\n", s, c, m, b, t, rate, mbs, r / 1024, n
    }')"
  printf '%s\n' "$row" >>"${BENCH_RESULTS:-/dev/null}"
  printf '%s\n' "$row" | bench_format
}

# Formats TSV rows (scenario case messages bytes seconds msg/s MB/s rss_mb note).
bench_format() {
  awk -F'\t' '{ printf "%-10s %-32s %10d %9.3f %12.0f %9.1f %10.1f  %s\n", $1, $2, $3, $5, $6, $7, $8, $9 }'
}

# bench_table FILE: the header and every row of a results file.
bench_table() {
  printf '%-10s %-32s %10s %9s %12s %9s %10s  %s\n' scenario case messages seconds msg/s MB/s \
    peak_RSS_MB note
  bench_format <"$1"
}

# bench_sluice CASE CONFIG MESSAGES BYTES [NOTE]: runs
# `sluice run -c CONFIG --exit-when-done` (log in $BENCH_OUT/CASE.log), reports
# its row, and fails with the log tail if sluice failed.
bench_sluice() {
  local case=$1 config=$2 messages=$3 bytes=$4 note=${5:-}
  local log
  log="$BENCH_OUT/$(printf '%s' "$case" | tr -cs 'A-Za-z0-9' '-').log"
  bench_time "$SLUICE_BIN" run -c "$config" --exit-when-done >"$log" 2>&1
  if ((BENCH_STATUS != 0)); then
    echo "bench: '$case' failed (exit $BENCH_STATUS); last lines of $log:" >&2
    tail -n 20 "$log" >&2
    return 1
  fi
  bench_report "$case" "$messages" "$bytes" "$BENCH_SECONDS" "$BENCH_RSS_KB" "$note"
}
