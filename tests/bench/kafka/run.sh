#!/usr/bin/env bash
# Kafka benchmark against the mock cluster (scripts/bench.sh kafka):
#   1. baseline: a plain librdkafka program produces the N tracking lines to a
#      topic (idempotent, acks=all, linger 5 ms, as the connector), then reads
#      them all back;
#   2. sluice generate -> kafka (N messages of ~250 bytes, until flushed);
#   3. sluice kafka -> null with a native filter (where ENGINE_STATUS = ON),
#      timed until the group committed all N;
#   4. sluice kafka -> kafka, topic to topic, timed until the output topic
#      holds N.
# Prints messages/s and MB/s of each, and each case's ratio to its baseline.
#
# It starts its own mock cluster (tests/tools/kafka_mock_cluster.c) with the
# three topics created up front on 64 partitions each: the mock keeps only
# about 5 MB per partition and deletes older messages, so topics that the
# shared test cluster auto-creates (4 partitions) would lose most of the
# 250 MB data set before it is read back.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
# shellcheck source=../common/bench_lib.sh
source "$repo/tests/bench/common/bench_lib.sh"

: "${BENCH_OUT:?run through scripts/bench.sh kafka}"
tool="$BENCH_TOOLS/kafka-bench"
[[ -x $tool ]] || { echo "bench-kafka: no $tool (build the sluice-bench target)" >&2; exit 1; }
n="${BENCH_KAFKA_COUNT:-$BENCH_LINES}"
run_id="$$-$(date +%s)"
raw="bench-raw-$run_id"
generated="bench-gen-$run_id"
copied="bench-copy-$run_id"
say() { echo "bench-kafka: $*" >&2; }

partitions="${BENCH_KAFKA_PARTITIONS:-64}"
mock="$BENCH_OUT/kafka-mock-cluster"
cc -O2 -std=c99 -o "$mock" "$repo/tests/tools/kafka_mock_cluster.c" -lrdkafka -lpthread
"$mock" -b 3 -t "$raw:$partitions" -t "$generated:$partitions" -t "$copied:$partitions" \
  >"$BENCH_OUT/mock.out" 2>"$BENCH_OUT/mock.err" &
mock_pid=$!
trap 'kill "$mock_pid" 2>/dev/null || true; wait "$mock_pid" 2>/dev/null || true' EXIT
brokers=""
for _ in $(seq 100); do
  brokers="$(grep -m1 -E '^127\.0\.0\.1:[0-9]+' "$BENCH_OUT/mock.out" || true)"
  [[ -n $brokers ]] && break
  sleep 0.1
done
[[ -n $brokers ]] || { say "the mock cluster did not start:"; cat "$BENCH_OUT/mock.err" >&2; exit 1; }
say "mock cluster $brokers, topics on $partitions partitions"

# field NAME LINE: the value of NAME=... in a kafka-bench result line.
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$2"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
rate() { awk -v m="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? m / s : 0) }'; }

# sluice_until CASE CONFIG PROBE...: runs sluice in the background, times the
# probe (which waits for the work to be done), stops sluice.
sluice_until() {
  local case=$1 config=$2
  shift 2
  local log="$BENCH_OUT/$case.log"
  "$SLUICE_BIN" run -c "$config" >"$log" 2>&1 &
  local pid=$!
  local line status=0
  line="$(timeout "$BENCH_TIMEOUT" "$@")" || status=$?
  local rss
  rss="$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)"
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if ((status != 0)); then
    say "'$case' failed; last lines of $log:"
    tail -n 20 "$log" >&2
    return 1
  fi
  PROBE_LINE="$line"
  PROBE_RSS="${rss:-0}"
}

# --- 1. baseline -------------------------------------------------------------
say "baseline: producing $n lines to $raw"
line="$("$tool" produce -b "$brokers" -t "$raw" -f "$BENCH_DATA" -n "$n")"
base_produce_s="$(field seconds "$line")"
bytes="$(field bytes "$line")"
bench_report "librdkafka produce (baseline)" "$n" "$bytes" "$base_produce_s" 0
line="$("$tool" consume -b "$brokers" -t "$raw" -n "$n")"
base_consume_s="$(field seconds "$line")"
bench_report "librdkafka consume (baseline)" "$n" "$(field bytes "$line")" "$base_consume_s" 0
base_produce_rate="$(rate "$n" "$base_produce_s")"
base_consume_rate="$(rate "$n" "$base_consume_s")"

# --- 2. generate -> kafka ------------------------------------------------------
cat >"$BENCH_OUT/generate-kafka.yaml" <<YAML
node_id: bench
admin: { enabled: false }
logging: { level: warn }
connectors:
  gen:
    plugin: generate
    count: $n
    vars: { device: "0848086\${randint:0:999:3}" }
    key: "\$\${device}"
    subject: tracking.data
    payload: >-
      {"data":{"DEVICE_ID":"\$\${device}","LATITUD":"+20.\${randint:600000:700000}",
      "LONGITUD":"-100.\${randint:350000:450000}","SPEED":"\${randfloat:0:120:2}",
      "GPS_DATETIME":"\$\${now_iso}","ENGINE_STATUS":"\${random:ON|ON|OFF}","SATELLITES":"\${randint:4:12}",
      "HEADING":"\${randint:0:359}"},"metadata":{"source":"gw-1","seq":\$\${counter}},"ts":\$\${now_ms}}
  out:
    plugin: kafka
    brokers: "$brokers"
routes:
  - from: gen
    to: out:$generated
YAML
say "sluice generate -> kafka ($n messages)"
bench_time "$SLUICE_BIN" run -c "$BENCH_OUT/generate-kafka.yaml" --exit-when-done \
  >"$BENCH_OUT/generate-kafka.log" 2>&1
if ((BENCH_STATUS != 0)); then
  tail -n 20 "$BENCH_OUT/generate-kafka.log" >&2
  exit 1
fi
gen_s="$BENCH_SECONDS"
gen_rss="$BENCH_RSS_KB"
# Read it back: every message must be there (and this gives the byte count).
line="$("$tool" consume -b "$brokers" -t "$generated" -n "$n")"
[[ "$(field messages "$line")" == "$n" ]] || { say "generate -> kafka lost messages: $line"; exit 1; }
bench_report "sluice generate -> kafka" "$n" "$(field bytes "$line")" "$gen_s" "$gen_rss" \
  "x$(ratio "$(rate "$n" "$gen_s")" "$base_produce_rate") of baseline produce"

# --- 3. kafka -> null with a native filter --------------------------------------
group="bench-null-$run_id"
cat >"$BENCH_OUT/kafka-null.yaml" <<YAML
node_id: bench
admin: { enabled: false }
logging: { level: warn }
connectors:
  in:
    plugin: kafka
    brokers: "$brokers"
    group: $group
    topics: [$raw]
    commit_interval_ms: 100
  sink:
    plugin: "null"
routes:
  - from: in
    where: { data.ENGINE_STATUS: "ON" }
    to: sink
YAML
say "sluice kafka -> null (where ENGINE_STATUS = ON)"
sluice_until kafka-null "$BENCH_OUT/kafka-null.yaml" \
  "$tool" committed -b "$brokers" -t "$raw" -g "$group" -n "$n"
m="$(field messages "$PROBE_LINE")"
s="$(field seconds "$PROBE_LINE")"
bench_report "sluice kafka -> null (where)" "$m" "$(awk -v b="$bytes" -v m="$m" -v n="$n" \
  'BEGIN { printf "%.0f", b * m / n }')" "$s" "$PROBE_RSS" \
  "x$(ratio "$(rate "$m" "$s")" "$base_consume_rate") of baseline consume"

# --- 4. kafka -> kafka -----------------------------------------------------------
cat >"$BENCH_OUT/kafka-kafka.yaml" <<YAML
node_id: bench
admin: { enabled: false }
logging: { level: warn }
connectors:
  in:
    plugin: kafka
    brokers: "$brokers"
    group: bench-copy-$run_id
    topics: [$raw]
  out:
    plugin: kafka
    brokers: "$brokers"
routes:
  - from: in
    to: out:$copied
YAML
say "sluice kafka -> kafka"
sluice_until kafka-kafka "$BENCH_OUT/kafka-kafka.yaml" \
  "$tool" watermarks -b "$brokers" -t "$copied" -n "$n"
m="$(field messages "$PROBE_LINE")"
s="$(field seconds "$PROBE_LINE")"
bench_report "sluice kafka -> kafka" "$m" "$(awk -v b="$bytes" -v m="$m" -v n="$n" \
  'BEGIN { printf "%.0f", b * m / n }')" "$s" "$PROBE_RSS" \
  "x$(ratio "$(rate "$m" "$s")" "$(awk -v a="$base_produce_rate" -v b="$base_consume_rate" \
  'BEGIN { print (a < b ? a : b) }')") of the slower baseline half"
