#!/usr/bin/env bash
# MQTT benchmark against one local mosquitto, in one run and at QoS 0 and
# QoS 1: a minimal paho.mqtt.c publisher and subscriber as the baseline,
# then sluice generate -> mqtt, mqtt -> where -> null and mqtt -> mqtt.
# Messages/s and, where the payload carries a send timestamp, end-to-end
# latency percentiles (p50/p99, measured by the subscriber).
# It starts its own mosquitto (a free loopback port) with
# max_queued_messages unlimited: with mosquitto's default (1000) a saturated
# run drops QoS 1 messages for the slower subscriber, baseline and sluice
# alike, and the rates would measure the drops. BENCH_MQTT_SHARED=1 uses the
# shared broker of scripts/brokers.sh (SLUICE_TEST_MQTT_ADDR) instead.
#
#   scripts/bench.sh mqtt                         (contract: scripts/bench.sh)
#   tests/bench/mqtt/run.sh [--count N]           (standalone; needs
#       SLUICE_TEST_MQTT_ADDR from scripts/brokers.sh)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
here="$repo/tests/bench/mqtt"
build="${SLUICE_BUILD_DIR:-$repo/build}"
export SLUICE_BIN="${SLUICE_BIN:-$build/bin/sluice}"
export SLUICE_PLUGIN_PATH="${SLUICE_PLUGIN_PATH:-$build/plugins}"
count="${BENCH_MQTT_COUNT:-100000}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --count) count="$2"; shift 2 ;;
    *) echo "usage: $0 [--count N]" >&2; exit 2 ;;
  esac
done
# shellcheck source=../common/bench_lib.sh
source "$repo/tests/bench/common/bench_lib.sh"
export BENCH_SCENARIO="${BENCH_SCENARIO:-mqtt}"
say() { echo "bench-mqtt: $*" >&2; }

[[ -x $SLUICE_BIN ]] || { say "no sluice binary at $SLUICE_BIN"; exit 1; }

if [[ -n ${BENCH_OUT:-} ]]; then
  work="$BENCH_OUT"
  keep=1
else
  work="$(mktemp -d /tmp/sluice-bench-mqtt.XXXXXX)"
  keep=0
fi
export BENCH_OUT="$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  ((keep)) || rm -rf "$work"
}
trap cleanup EXIT

if [[ ${BENCH_MQTT_SHARED:-0} == 1 ]]; then
  addr="${SLUICE_TEST_MQTT_ADDR:-}"
  [[ -n $addr ]] || { say "SLUICE_TEST_MQTT_ADDR is not set (scripts/brokers.sh start mqtt)"; exit 1; }
else
  mport="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  cat >"$work/mosquitto.conf" <<CONF
listener $mport 127.0.0.1
allow_anonymous true
persistence false
max_queued_messages 0
user $(id -un)
CONF
  mosquitto -c "$work/mosquitto.conf" >"$work/mosquitto.log" 2>&1 &
  pids+=("$!")
  for _ in $(seq 200); do (echo >"/dev/tcp/127.0.0.1/$mport") 2>/dev/null && break; sleep 0.05; done
  addr="127.0.0.1:$mport"
fi
url="tcp://$addr"

tool="${BENCH_TOOLS:-$build/bin}/mqtt_bench"
if [[ ! -x $tool ]]; then
  c++ -std=c++20 -O2 "$here/mqtt_bench.cpp" -lpaho-mqtt3a -lpthread -o "$work/mqtt_bench"
  tool="$work/mqtt_bench"
fi
run_id="$$"
topic() { echo "bench/$run_id/$1"; }
payload='{"device":"d-1","engine":"ON","speed":42}'
window=1000

field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1]).get(sys.argv[2], 0))' "$1" "$2"; }
report_json() { # report_json CASE JSON NOTE: throughput as the subscriber saw it
  local json=$2
  local lat=""
  [[ $(field "$json" p50_us) != 0 ]] && lat="; p50 $(field "$json" p50_us)us p99 $(field "$json" p99_us)us"
  bench_report "$1" "$(field "$json" messages)" "$(field "$json" bytes)" "$(field "$json" seconds)" 0 "$3$lat"
}
# Starts a subscriber on $1 (QoS $2) in the background; waits for its SUBACK.
start_consumer() {
  rm -f "$work/consume.json" "$work/consume.err"
  "$tool" consume --url "$url" --topic "$1" --count "$count" --qos "$2" \
    >"$work/consume.json" 2>"$work/consume.err" &
  consumer=$!
  pids+=("$consumer")
  wait_ready "$consumer" "$work/consume.err"
}
wait_ready() { # wait_ready PID STDERR-FILE: until the tool says "ready"
  until grep -qs ready "$2"; do
    kill -0 "$1" 2>/dev/null || { cat "$2" >&2; exit 1; }
    sleep 0.01
  done
}
# Waits for the subscriber (in this shell: not in $(...), which cannot wait).
finish_consumer() { wait "$consumer" || say "subscriber got fewer than $count"; }
start_sluice() {
  "$SLUICE_BIN" run -c "$work/$1.yaml" >"$work/$1.log" 2>&1 &
  sluice_pid=$!
  pids+=("$sluice_pid")
  until grep -q "MQTT connector ready" "$work/$1.log"; do
    kill -0 "$sluice_pid" 2>/dev/null || { tail "$work/$1.log" >&2; exit 1; }
    sleep 0.005
  done
}
stop_sluice() {
  kill "$sluice_pid" 2>/dev/null || true
  wait "$sluice_pid" 2>/dev/null || true
}
peak_rss() { awk '/^VmHWM/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
now_ns() { date +%s%N; }
elapsed() { awk -v ns=$(($(now_ns) - $1)) 'BEGIN { printf "%.3f", ns / 1e9 }'; }
metric() { curl -s "http://127.0.0.1:$1/metrics" | awk -v n="$2" '$1 ~ "^"n"\\{" { print $2 }' | head -1; }

for qos in 0 1; do
  # --- 1. baseline: raw paho.mqtt.c ------------------------------------------------
  t="$(topic raw$qos)"
  start_consumer "$t" "$qos"
  pub="$("$tool" publish --url "$url" --topic "$t" --count "$count" --qos "$qos" --window "$window")"
  report_json "raw_publish_qos$qos" "$pub" "paho MQTTAsync, $window in flight"
  finish_consumer
  report_json "raw_pub_to_sub_qos$qos" "$(cat "$work/consume.json")" "paho publisher -> mosquitto -> paho subscriber"

  # --- 2. sluice generate -> mqtt -------------------------------------------------
  t="$(topic gen$qos)"
  cat >"$work/gen$qos.yaml" <<YAML
node_id: bench
admin: {enabled: false}
connectors:
  gen:
    plugin: generate
    count: $count
    payload: '$payload'
  m:
    plugin: mqtt
    url: "$url"
    qos: $qos
    client_id: "bench-gen-$run_id"
    clean_session: true
routes:
  - from: gen
    to: "m:$t"
YAML
  start_consumer "$t" "$qos"
  bench_sluice "sluice_generate_to_mqtt_qos$qos" "$work/gen$qos.yaml" "$count" \
    "$((count * ${#payload}))" "completes on PUBACK at QoS 1"
  finish_consumer
  report_json "  (subscriber side)" "$(cat "$work/consume.json")" "what the paho subscriber received"

  # --- 3. mqtt -> where -> null ---------------------------------------------------
  t="$(topic in$qos)"
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  cat >"$work/null$qos.yaml" <<YAML
node_id: bench
admin: {enabled: true, listen: 127.0.0.1:$port}
connectors:
  m:
    plugin: mqtt
    url: "$url"
    qos: $qos
    client_id: "bench-null-$run_id"
    clean_session: true
  sink:
    plugin: "null"
routes:
  - from: "m:$t"
    where: { engine: "ON" }
    to: sink
YAML
  start_sluice "null$qos"
  start=$(now_ns)
  "$tool" publish --url "$url" --topic "$t" --count "$count" --qos "$qos" --window "$window" >/dev/null
  deadline=$(($(date +%s) + 60))
  until awk -v v="$(metric "$port" "sluice_mqtt_received_qos${qos}_total")" -v c="$count" \
    'BEGIN { exit !(v != "" && v + 0 >= c) }'; do
    kill -0 "$sluice_pid" 2>/dev/null || { tail "$work/null$qos.log" >&2; exit 1; }
    (($(date +%s) < deadline)) || { say "mqtt -> null: only $(metric "$port" "sluice_mqtt_received_qos${qos}_total") of $count arrived"; break; }
    sleep 0.01
  done
  got="$(metric "$port" "sluice_mqtt_received_qos${qos}_total")"
  secs="$(elapsed "$start")"
  bench_report "sluice_mqtt_where_null_qos$qos" "$(awk -v v="$got" 'BEGIN{printf "%d", v}')" \
    "$((count * 70))" "$secs" "$(peak_rss "$sluice_pid")" "publisher start to last message counted"
  stop_sluice

  # --- 4. mqtt -> mqtt ------------------------------------------------------------
  tin="$(topic relay_in$qos)"
  tout="$(topic relay_out$qos)"
  cat >"$work/relay$qos.yaml" <<YAML
node_id: bench
admin: {enabled: false}
connectors:
  m:
    plugin: mqtt
    url: "$url"
    qos: $qos
    client_id: "bench-relay-$run_id"
    clean_session: true
routes:
  - from: "m:$tin"
    to: "m:$tout"
YAML
  # The raw client doing the same: subscribe, publish each message on.
  start_consumer "$tout-raw" "$qos"
  "$tool" relay --url "$url" --topic "$tin-raw" --to "$tout-raw" --count "$count" --qos "$qos" \
    --window "$window" 2>"$work/relay.err" &
  relay=$!
  pids+=("$relay")
  wait_ready "$relay" "$work/relay.err"
  "$tool" publish --url "$url" --topic "$tin-raw" --count "$count" --qos "$qos" --window "$window" >/dev/null
  finish_consumer
  wait "$relay" || say "the raw relay did not finish"
  report_json "raw_relay_qos$qos" "$(cat "$work/consume.json")" "paho -> paho relay (subscribe, publish on) -> paho"

  start_sluice "relay$qos"
  start_consumer "$tout" "$qos"
  "$tool" publish --url "$url" --topic "$tin" --count "$count" --qos "$qos" --window "$window" >/dev/null
  finish_consumer
  report_json "sluice_mqtt_to_mqtt_qos$qos" "$(cat "$work/consume.json")" "paho -> sluice -> paho, same mosquitto"
  stop_sluice
done
