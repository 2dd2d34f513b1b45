#!/usr/bin/env bash
# RabbitMQ benchmark against the shared local rabbitmq-server, in one run:
# a minimal rabbitmq-c publisher (confirms, pipelined) and consumer (manual
# acks, same prefetch) as the baseline, then sluice generate -> rabbitmq
# (confirms), rabbitmq -> where -> null, rabbitmq -> rabbitmq, and
# request/reply (a minimal rabbitmq-c responder vs sluice's built-in
# control command) at 1 and 64 requests in flight.
# brokers: rabbitmq
#
#   scripts/bench.sh rabbitmq                         (contract: scripts/bench.sh)
#   tests/bench/rabbitmq/run.sh [--count N] [--seconds S]  (standalone; needs
#       SLUICE_TEST_AMQP_URL from scripts/brokers.sh)
#
# Environment: SLUICE_BIN, SLUICE_PLUGIN_PATH, SLUICE_BUILD_DIR, BENCH_TOOLS
# (amqp_bench; else compiled into a temp dir), BENCH_OUT, BENCH_RESULTS.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
here="$repo/tests/bench/rabbitmq"
build="${SLUICE_BUILD_DIR:-$repo/build}"
export SLUICE_BIN="${SLUICE_BIN:-$build/bin/sluice}"
export SLUICE_PLUGIN_PATH="${SLUICE_PLUGIN_PATH:-$build/plugins}"
count="${BENCH_RABBITMQ_COUNT:-100000}"
seconds="${BENCH_RABBITMQ_SECONDS:-5}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --count) count="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    *) echo "usage: $0 [--count N] [--seconds S]" >&2; exit 2 ;;
  esac
done
# shellcheck source=../common/bench_lib.sh
source "$repo/tests/bench/common/bench_lib.sh"
export BENCH_SCENARIO="${BENCH_SCENARIO:-rabbitmq}"
say() { echo "bench-rabbitmq: $*" >&2; }

url="${SLUICE_TEST_AMQP_URL:-}"
[[ -n $url ]] || { say "SLUICE_TEST_AMQP_URL is not set (scripts/brokers.sh start rabbitmq)"; exit 1; }
[[ -x $SLUICE_BIN ]] || { say "no sluice binary at $SLUICE_BIN"; exit 1; }

if [[ -n ${BENCH_OUT:-} ]]; then
  work="$BENCH_OUT"
  keep=1
else
  work="$(mktemp -d /tmp/sluice-bench-rabbitmq.XXXXXX)"
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

tool="${BENCH_TOOLS:-$build/bin}/amqp_bench"
if [[ ! -x $tool ]]; then
  c++ -std=c++20 -O2 "$here/amqp_bench.cpp" -lrabbitmq -lpthread -o "$work/amqp_bench"
  tool="$work/amqp_bench"
fi
run_id="$$"
q() { echo "bench-$1-$run_id"; }
payload='{"device":"d-1","speed":42,"engine":"ON"}'
bytes=$((count * ${#payload}))
prefetch=100

report_json() { # report_json CASE JSON [NOTE]
  local case=$1 json=$2 note=${3:-}
  local m b s
  m="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["messages"])' "$json")"
  b="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["bytes"])' "$json")"
  s="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["seconds"])' "$json")"
  bench_report "$case" "$m" "$b" "$s" 0 "$note"
}

# Starts sluice on $work/$1.yaml in the background; sets sluice_pid.
start_sluice() {
  "$SLUICE_BIN" run -c "$work/$1.yaml" >"$work/$1.log" 2>&1 &
  sluice_pid=$!
  pids+=("$sluice_pid")
}
stop_sluice() {
  kill "$sluice_pid" 2>/dev/null || true
  wait "$sluice_pid" 2>/dev/null || true
}
peak_rss() { awk '/^VmHWM/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
now_ns() { date +%s%N; }
elapsed() { awk -v ns=$(($(now_ns) - $1)) 'BEGIN { printf "%.3f", ns / 1e9 }'; }
# Waits until the sluice started on $1.yaml said its RabbitMQ connector is ready.
wait_ready() {
  until grep -q "RabbitMQ connector ready" "$work/$1.log"; do
    kill -0 "$sluice_pid" 2>/dev/null || { tail "$work/$1.log" >&2; exit 1; }
    sleep 0.005
  done
}
startup() { awk -v ns=$(($2 - $1)) 'BEGIN { printf "%.2f", ns / 1e9 }'; }
metric() { # metric PORT NAME: the value of a connector metric
  curl -s "http://127.0.0.1:$1/metrics" | awk -v n="$2" '$1 ~ "^"n"\\{" { print $2 }' | head -1
}

# --- 1. baseline: raw rabbitmq-c ---------------------------------------------
raw="$(q raw)"
json="$("$tool" publish --url "$url" --queue "$raw" --count "$count" --window 1000 --payload "$payload")"
report_json raw_publish_confirms "$json" "rabbitmq-c, 1000 unconfirmed in flight"
json="$("$tool" consume --url "$url" --queue "$raw" --count "$count" --prefetch "$prefetch")"
report_json raw_consume_manual_ack "$json" "rabbitmq-c, prefetch $prefetch"

# --- 2. sluice generate -> rabbitmq (confirms) ---------------------------------
gen_q="$(q gen)"
cat >"$work/gen.yaml" <<EOF
node_id: bench
admin: {enabled: false}
connectors:
  gen:
    plugin: generate
    count: $count
    payload: '$payload'
  bus:
    plugin: rabbitmq
    url: "$url"
    queues: [{name: $gen_q}]
    node_id_header: ""
routes:
  - from: gen
    to: "bus:$gen_q"
EOF
bench_sluice sluice_generate_to_rabbitmq "$work/gen.yaml" "$count" "$bytes" "confirms on"

# --- 3. rabbitmq -> where -> null ----------------------------------------------
in_q="$(q in)"
"$tool" publish --url "$url" --queue "$in_q" --count "$count" --window 1000 --payload "$payload" >/dev/null
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
cat >"$work/null.yaml" <<EOF
node_id: bench
admin: {enabled: true, listen: 127.0.0.1:$port}
connectors:
  bus:
    plugin: rabbitmq
    url: "$url"
    consume: [$in_q]
    prefetch: $prefetch
  sink:
    plugin: "null"
routes:
  - from: bus
    where: { engine: "ON" }
    to: sink
EOF
launched=$(now_ns)
start_sluice null
wait_ready null
start=$(now_ns)
# Prometheus text may write 100000 as 1e+05: compare as numbers.
until awk -v v="$(metric "$port" sluice_rabbitmq_acked_total)" -v c="$count" \
  'BEGIN { exit !(v != "" && v + 0 >= c) }'; do
  kill -0 "$sluice_pid" 2>/dev/null || { tail "$work/null.log" >&2; exit 1; }
  sleep 0.01
done
secs="$(elapsed "$start")"
bench_report sluice_rabbitmq_where_null "$count" "$bytes" "$secs" "$(peak_rss "$sluice_pid")" \
  "prefetch $prefetch, manual acks; timed from connector ready ($(startup "$launched" "$start") s startup)"
stop_sluice

# --- 4. rabbitmq -> rabbitmq ------------------------------------------------------
in2="$(q in2)"
out2="$(q out2)"
"$tool" publish --url "$url" --queue "$in2" --count "$count" --window 1000 --payload "$payload" >/dev/null
cat >"$work/pass.yaml" <<EOF
node_id: bench
admin: {enabled: false}
connectors:
  bus:
    plugin: rabbitmq
    url: "$url"
    queues: [{name: $out2}]
    consume: [$in2]
    prefetch: $prefetch
    node_id_header: ""
routes:
  - from: bus
    to: "bus:$out2"
EOF
launched=$(now_ns)
start_sluice pass
wait_ready pass
start=$(now_ns)
"$tool" wait --url "$url" --queue "$out2" --count "$count" >/dev/null
secs="$(elapsed "$start")"
bench_report sluice_rabbitmq_to_rabbitmq "$count" "$bytes" "$secs" "$(peak_rss "$sluice_pid")" \
  "consume + publish with confirms; timed from connector ready ($(startup "$launched" "$start") s startup)"
stop_sluice

# --- 5. request/reply ---------------------------------------------------------------
latency() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print("p50 %sus p99 %sus" % (d["p50_us"], d["p99_us"]))' "$1"; }
rpc_q="$(q rpc)"
"$tool" respond --url "$url" --queue "$rpc_q" >"$work/respond.log" 2>&1 &
responder=$!
pids+=("$responder")
for _ in $(seq 100); do grep -q ready "$work/respond.log" && break; sleep 0.05; done
for k in 1 64; do
  json="$("$tool" request --url "$url" --queue "$rpc_q" --k "$k" --seconds "$seconds")"
  report_json "raw_rpc_k$k" "$json" "rabbitmq-c responder; $(latency "$json")"
done
kill "$responder"
wait "$responder" 2>/dev/null || true
ctl_q="$(q ctl)"
cat >"$work/rpc.yaml" <<EOF
node_id: bench
admin: {enabled: false}
control_subject: "bus:$ctl_q"
connectors:
  bus:
    plugin: rabbitmq
    url: "$url"
    queues: [{name: $ctl_q, durable: false, auto_delete: true}]
    consume: [$ctl_q]
EOF
start_sluice rpc
wait_ready rpc
for k in 1 64; do
  json="$("$tool" request --url "$url" --queue "$ctl_q" --k "$k" --seconds "$seconds")"
  report_json "sluice_rpc_k$k" "$json" "built-in control command; $(latency "$json")"
done
stop_sluice
"$tool" delete --url "$url" --queue "$raw,$gen_q,$in_q,$in2,$out2"
