#!/usr/bin/env bash
# Redis benchmark against the shared local redis-server, in one run:
# redis-benchmark and a minimal pipelined hiredis client (redis_bench) as
# the baselines, then sluice generate -> XADD, XREADGROUP -> where -> null,
# pub/sub pass-through (SUBSCRIBE -> PUBLISH, against a raw hiredis relay
# doing the same), and request/reply over
# pub/sub (a minimal hiredis responder vs sluice's built-in control command)
# at 1 and 64 requests in flight.
# brokers: redis
#
#   scripts/bench.sh redis                             (contract: scripts/bench.sh)
#   tests/bench/redis/run.sh [--count N]               (standalone; needs
#       SLUICE_TEST_REDIS_ADDR from scripts/brokers.sh)
#
# Environment: SLUICE_BIN, SLUICE_PLUGIN_PATH, SLUICE_BUILD_DIR, BENCH_TOOLS
# (redis_bench; else compiled into a temp dir), BENCH_OUT, BENCH_RESULTS.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
here="$repo/tests/bench/redis"
build="${SLUICE_BUILD_DIR:-$repo/build}"
export SLUICE_BIN="${SLUICE_BIN:-$build/bin/sluice}"
export SLUICE_PLUGIN_PATH="${SLUICE_PLUGIN_PATH:-$build/plugins}"
count="${BENCH_REDIS_COUNT:-100000}"
rpc_count="${BENCH_REDIS_RPC_COUNT:-20000}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --count) count="$2"; shift 2 ;;
    *) echo "usage: $0 [--count N]" >&2; exit 2 ;;
  esac
done
# shellcheck source=../common/bench_lib.sh
source "$repo/tests/bench/common/bench_lib.sh"
export BENCH_SCENARIO="${BENCH_SCENARIO:-redis}"
say() { echo "bench-redis: $*" >&2; }

addr="${SLUICE_TEST_REDIS_ADDR:-}"
[[ -n $addr ]] || { say "SLUICE_TEST_REDIS_ADDR is not set (scripts/brokers.sh start redis)"; exit 1; }
[[ -x $SLUICE_BIN ]] || { say "no sluice binary at $SLUICE_BIN"; exit 1; }
port="${addr##*:}"
url="redis://$addr/0"

if [[ -n ${BENCH_OUT:-} ]]; then
  work="$BENCH_OUT"
  keep=1
else
  work="$(mktemp -d /tmp/sluice-bench-redis.XXXXXX)"
  keep=0
fi
export BENCH_OUT="$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  # Every key of this run (k() runs in command substitutions, so the names
  # are found again by their suffix rather than remembered).
  redis-cli -p "$port" --scan --pattern "bench-*-$run_id" | while read -r key; do
    redis-cli -p "$port" DEL "$key" >/dev/null
  done || true
  ((keep)) || rm -rf "$work"
}
trap cleanup EXIT

tool="${BENCH_TOOLS:-$build/bin}/redis_bench"
if [[ ! -x $tool ]]; then
  c++ -std=c++20 -O2 "$here/redis_bench.cpp" -lhiredis -o "$work/redis_bench"
  tool="$work/redis_bench"
fi
run_id="$$"
k() { echo "bench-$1-$run_id"; }
payload='{"device":"d-1","speed":42,"engine":"ON"}'
bytes=$((count * ${#payload}))

report_json() { # report_json CASE JSON [NOTE]
  local case=$1 json=$2 note=${3:-}
  local m b s
  m="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["messages"])' "$json")"
  b="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["bytes"])' "$json")"
  s="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["seconds"])' "$json")"
  bench_report "$case" "$m" "$b" "$s" 0 "$note"
}
latency() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print("p50 %sus p99 %sus" % (d["p50_us"], d["p99_us"]))' "$1"; }
start_sluice() {
  "$SLUICE_BIN" run -c "$work/$1.yaml" >"$work/$1.log" 2>&1 &
  sluice_pid=$!
  pids+=("$sluice_pid")
}
stop_sluice() {
  kill "$sluice_pid" 2>/dev/null || true
  wait "$sluice_pid" 2>/dev/null || true
}
wait_ready() {
  until grep -q "Redis connector ready" "$work/$1.log"; do
    kill -0 "$sluice_pid" 2>/dev/null || { tail "$work/$1.log" >&2; exit 1; }
    sleep 0.005
  done
}
peak_rss() { awk '/^VmHWM/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
now_ns() { date +%s%N; }
elapsed() { awk -v ns=$(($(now_ns) - $1)) 'BEGIN { printf "%.3f", ns / 1e9 }'; }
metric() { # metric PORT NAME
  curl -s "http://127.0.0.1:$1/metrics" | awk -v n="$2" '$1 ~ "^"n"\\{" { print $2 }' | head -1
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_line() { # wait_line FILE TEXT
  for _ in $(seq 400); do grep -q "$2" "$1" && return 0; sleep 0.01; done
  say "no '$2' in $1"; exit 1
}

# The time between a stream's first and last entry, by the ids Redis gave them
# (milliseconds since the epoch): the same clock for the raw client and for
# sluice, and no process start-up in it.
stream_span() { # stream_span KEY -> seconds
  local first last
  first="$(redis-cli -p "$port" XRANGE "$1" - + COUNT 1 | awk 'NR == 1')"
  last="$(redis-cli -p "$port" XREVRANGE "$1" + - COUNT 1 | awk 'NR == 1')"
  awk -v f="${first%-*}" -v l="${last%-*}" 'BEGIN { d = (l - f) / 1000; printf "%.3f", (d > 0.001 ? d : 0.001) }'
}

# --- 1. baselines -----------------------------------------------------------------
rb="$(redis-benchmark -p "$port" -n "$count" -P 64 -q XADD "$(k rb)" '*' payload "$payload" 2>/dev/null |
  tr '\r' '\n' | awk '/requests per second/ {v=$(NF-5)} END {print v}')"
say "redis-benchmark XADD -P 64: ${rb:-?} req/s"
rbp="$(redis-benchmark -p "$port" -n "$count" -P 64 -q PUBLISH "$(k rbp)" "$payload" 2>/dev/null |
  tr '\r' '\n' | awk '/requests per second/ {v=$(NF-5)} END {print v}')"
say "redis-benchmark PUBLISH -P 64: ${rbp:-?} req/s"
raw="$(k raw)"
json="$("$tool" xadd --port "$port" --key "$raw" --count "$count" --window 1000 --payload "$payload")"
report_json raw_xadd "$json" "hiredis, 1000 in flight (redis-benchmark -P 64: ${rb:-?}/s)"
bench_report raw_xadd_span "$count" "$bytes" "$(stream_span "$raw")" 0 \
  "the same, first to last entry as Redis stamped them"
json="$("$tool" consume --port "$port" --key "$raw" --count "$count")"
report_json raw_xreadgroup_xack "$json" "hiredis, COUNT 500, one XACK per batch"

# --- 2. sluice generate -> XADD -----------------------------------------------------
gen="$(k gen)"
cat >"$work/gen.yaml" <<EOF
node_id: bench
admin: {enabled: false}
connectors:
  gen:
    plugin: generate
    count: $count
    payload: '$payload'
  r:
    plugin: redis
    url: "$url"
    sink: xadd
routes:
  - from: gen
    to: "r:$gen"
EOF
bench_sluice sluice_generate_to_xadd "$work/gen.yaml" "$count" "$bytes" "pipelined, completes on the reply; includes startup"
bench_report sluice_generate_to_xadd_span "$count" "$bytes" "$(stream_span "$gen")" 0 \
  "the same, first to last entry as Redis stamped them"

# --- 3. XREADGROUP -> where -> null ------------------------------------------------
in="$(k in)"
"$tool" xadd --port "$port" --key "$in" --count "$count" --window 1000 --payload "$payload" >/dev/null
aport="$(free_port)"
cat >"$work/null.yaml" <<EOF
node_id: bench
admin: {enabled: true, listen: 127.0.0.1:$aport}
connectors:
  r:
    plugin: redis
    url: "$url"
    streams: [$in]
    group_start_id: "0"
    read_count: 500
    max_in_flight: 10000
  sink:
    plugin: "null"
routes:
  - from: r
    where: { engine: "ON" }
    to: sink
EOF
launched=$(now_ns)
start_sluice null
wait_ready null
start=$(now_ns)
until awk -v v="$(metric "$aport" sluice_redis_acked_total)" -v c="$count" \
  'BEGIN { exit !(v != "" && v + 0 >= c) }'; do
  kill -0 "$sluice_pid" 2>/dev/null || { tail "$work/null.log" >&2; exit 1; }
  sleep 0.01
done
secs="$(elapsed "$start")"
bench_report sluice_xreadgroup_where_null "$count" "$bytes" "$secs" "$(peak_rss "$sluice_pid")" \
  "XACK after the host's ack; timed from connector ready"
stop_sluice

# --- 4. pub/sub pass-through ---------------------------------------------------------
out="$(k out)"
"$tool" listen --port "$port" --key "$out" --count "$count" >"$work/raw-listen.json" 2>"$work/raw-listen.log" &
listener=$!
pids+=("$listener")
wait_line "$work/raw-listen.log" ready
"$tool" publish --port "$port" --key "$out" --count "$count" --window 1000 --payload "$payload" >/dev/null
wait "$listener"
report_json raw_publish_to_subscriber "$(cat "$work/raw-listen.json")" "hiredis publisher -> hiredis subscriber (first to last message)"

# The raw client doing sluice's job: SUBSCRIBE, and PUBLISH each message on.
relay_in="$(k relayin)"
relay_out="$(k relayout)"
"$tool" listen --port "$port" --key "$relay_out" --count "$count" >"$work/relay-listen.json" 2>"$work/relay-listen.log" &
listener=$!
pids+=("$listener")
wait_line "$work/relay-listen.log" ready
"$tool" relay --port "$port" --key "$relay_in" --to "$relay_out" --count "$count" --window 1000 \
  2>"$work/relay.log" &
relay=$!
pids+=("$relay")
wait_line "$work/relay.log" ready
"$tool" publish --port "$port" --key "$relay_in" --count "$count" --window 1000 --payload "$payload" >/dev/null
wait "$listener"
wait "$relay"
report_json raw_relay "$(cat "$work/relay-listen.json")" "publisher -> hiredis SUBSCRIBE+PUBLISH relay -> subscriber (first to last message)"

ch_in="$(k chin)"
ch_out="$(k chout)"
cat >"$work/pass.yaml" <<EOF
node_id: bench
admin: {enabled: false}
connectors:
  r:
    plugin: redis
    url: "$url"
    channels: [$ch_in]
    sink: publish
routes:
  - from: r
    to: "r:$ch_out"
EOF
start_sluice pass
wait_ready pass
until [[ "$(redis-cli -p "$port" PUBSUB NUMSUB "$ch_in" | tail -1)" == 1 ]]; do sleep 0.01; done
"$tool" listen --port "$port" --key "$ch_out" --count "$count" >"$work/pass-listen.json" 2>"$work/pass-listen.log" &
listener=$!
pids+=("$listener")
wait_line "$work/pass-listen.log" ready
"$tool" publish --port "$port" --key "$ch_in" --count "$count" --window 1000 --payload "$payload" >/dev/null
wait "$listener"
report_json sluice_pubsub_pass_through "$(cat "$work/pass-listen.json")" "SUBSCRIBE -> PUBLISH through sluice (first to last message)"
stop_sluice

# --- 5. request/reply ----------------------------------------------------------------
rpc="$(k rpc)"
"$tool" respond --port "$port" --key "$rpc" >/dev/null 2>"$work/respond.log" &
responder=$!
pids+=("$responder")
wait_line "$work/respond.log" ready
for n in 1 64; do
  json="$("$tool" rpc --port "$port" --key "$rpc" --count "$rpc_count" --inflight "$n")"
  report_json "raw_rpc_k$n" "$json" "hiredis responder; $(latency "$json")"
done
kill "$responder"
wait "$responder" 2>/dev/null || true
ctl="$(k ctl)"
cat >"$work/rpc.yaml" <<EOF
node_id: bench
admin: {enabled: false}
control_subject: "r:$ctl"
connectors:
  r:
    plugin: redis
    url: "$url"
    requests: [$ctl]
EOF
start_sluice rpc
wait_ready rpc
until [[ "$(redis-cli -p "$port" PUBSUB NUMSUB "$ctl" | tail -1)" == 1 ]]; do sleep 0.01; done
for n in 1 64; do
  json="$("$tool" rpc --port "$port" --key "$ctl" --count "$rpc_count" --inflight "$n")"
  report_json "sluice_rpc_k$n" "$json" "built-in control command; $(latency "$json")"
done
stop_sluice
