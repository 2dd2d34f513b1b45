#!/usr/bin/env bash
# Scenario "file": the data file through sluice with no broker involved,
# against the cost of merely reading it.
#   cat > /dev/null, wc -l                  the floor: reading the (cached) file
#   file -> route -> file sink              payloads written back out, checked byte for byte
#   file -> route -> null sink              source + routing + acks, no output cost
#   file -> where ENGINE_STATUS=ON -> null  the same plus a JSON field match per message
# brokers:
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../common/bench_lib.sh
source "$here/../common/bench_lib.sh"

lines=$BENCH_LINES
bytes=$BENCH_BYTES

cat "$BENCH_DATA" >/dev/null # warm the page cache: every case reads from memory
bench_time cat "$BENCH_DATA" >/dev/null
bench_report "cat > /dev/null" "$lines" "$bytes" "$BENCH_SECONDS" "$BENCH_RSS_KB" baseline
bench_time wc -l "$BENCH_DATA" >/dev/null
bench_report "wc -l" "$lines" "$bytes" "$BENCH_SECONDS" "$BENCH_RSS_KB" baseline

out="$BENCH_OUT/out.jsonl"
bench_sluice "file -> file" "$here/file-to-file.yaml" "$lines" "$bytes"
if cmp -s "$BENCH_DATA" "$out"; then
  echo "file -> file: output is byte-identical to the input"
else
  written="$(wc -l <"$out" 2>/dev/null || echo 0)"
  if [[ $written -eq $lines ]] && cmp -s <(sort "$BENCH_DATA") <(sort "$out"); then
    echo "file -> file: all $lines lines written, in another order"
  else
    echo "file -> file: FAILED: $written of $lines lines in $out, or different content" >&2
    exit 1
  fi
fi
rm -f "$out" # 250 MB nobody needs to keep

# expect_discarded LOG COUNT: the null sink's final tally must be COUNT messages.
expect_discarded() {
  local got
  got="$(sed -n 's/.*null sink final: \([0-9]*\) messages.*/\1/p' "$1" | tail -n 1)"
  if [[ $got != "$2" ]]; then
    echo "file: FAILED: the null sink completed '${got:-?}' messages, expected $2 (see $1)" >&2
    exit 1
  fi
}

bench_sluice "file -> null" "$here/file-to-null.yaml" "$lines" "$bytes"
expect_discarded "$BENCH_OUT/file-null.log" "$lines"

engine_on="$(grep -c '"ENGINE_STATUS":"ON"' "$BENCH_DATA")"
bench_sluice "file -> where ENGINE=ON -> null" "$here/file-where-null.yaml" "$lines" "$bytes" \
  "rate counts input lines; $engine_on passed"
expect_discarded "$BENCH_OUT/file-where-ENGINE-ON-null.log" "$engine_on"
