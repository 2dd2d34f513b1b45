#!/usr/bin/env bash
# WebSocket fan-out benchmark: sluice's websocket sink against a hand-written
# Node.js `ws` server (baseline/server.js) doing the same filtered fan-out.
#
#   tests/bench/websocket/run.sh [--clients "1000 10000"] [--seconds 10]
#                                [--rate 2000] [--per-client 10] [--devices 1000]
#
# For each client count C and each server: C WebSocket clients (ws_bench load)
# each subscribe by URL to --per-client random devices of --devices; events
# for random devices are written at --rate per second into the server's stdin
# (ws_bench feed; the stdio source for sluice), each stamped with the wall
# clock. Measured on the client side over --seconds: delivered messages/s,
# p50/p99 delivery latency; on the server: RSS per connected client (after
# the clients connected, before events) and peak RSS.
#
# Environment (set by scripts/bench.sh, or defaults for a run on its own):
# SLUICE_BIN, SLUICE_PLUGIN_PATH, SLUICE_BUILD_DIR (default <repo>/build-release),
# BENCH_OUT (a work directory), BENCH_TOOLS (where ws_bench is).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
here="$repo/tests/bench/websocket"
build="${SLUICE_BUILD_DIR:-$repo/build-release}"
export SLUICE_BIN="${SLUICE_BIN:-$build/bin/sluice}"
export SLUICE_PLUGIN_PATH="${SLUICE_PLUGIN_PATH:-$build/plugins}"
export BENCH_SCENARIO="${BENCH_SCENARIO:-websocket}"
out="${BENCH_OUT:-$(mktemp -d /tmp/sluice-bench-websocket.XXXXXX)}"
mkdir -p "$out"
# shellcheck source=../common/bench_lib.sh
source "$repo/tests/bench/common/bench_lib.sh"

client_counts="1000 10000"
seconds=10
rate=2000
per_client=10
devices=1000
while [[ $# -gt 0 ]]; do
  case "$1" in
    --clients) client_counts="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    --per-client) per_client="$2"; shift 2 ;;
    --devices) devices="$2"; shift 2 ;;
    *) echo "usage: $0 [--clients LIST] [--seconds N] [--rate N] [--per-client N] [--devices N]" >&2
       exit 2 ;;
  esac
done

# 10,000 clients need 10,000 descriptors on each side.
ulimit -n "$(ulimit -Hn)"
if (($(ulimit -n) < 10100)); then
  echo "websocket bench: the file descriptor limit is $(ulimit -n); 10,000 clients need more" >&2
fi

ws_bench="${BENCH_TOOLS:-$build/bin}/ws_bench"
[[ -x $ws_bench ]] || ws_bench="$build/tests/bench/websocket/ws_bench"
if [[ ! -x $ws_bench ]]; then
  echo "websocket bench: building ws_bench" >&2
  cmake --build "$build" --target ws_bench >/dev/null
  ws_bench="$(find "$build" -name ws_bench -type f -perm -u+x | head -n 1)"
fi
[[ -x $SLUICE_BIN ]] || { echo "websocket bench: no sluice binary at $SLUICE_BIN" >&2; exit 1; }

# The baseline's npm packages live in the work directory, not in the repo.
node_dir="$out/node-baseline"
mkdir -p "$node_dir"
cp "$here/baseline/package.json" "$here/baseline/package-lock.json" "$here/baseline/server.js" \
  "$node_dir/"
if [[ ! -d $node_dir/node_modules/ws ]]; then
  (cd "$node_dir" && npm ci --no-audit --no-fund --silent)
fi

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  exec 3>&- 2>/dev/null || true
}
trap cleanup EXIT

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
wait_port() {
  for _ in $(seq 1 300); do
    (exec 9<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}
json_field() { sed -n "s/.*\"$2\":\([0-9.]*\).*/\1/p" "$1"; }

# run_case NAME CLIENTS: starts the server NAME (sluice | node) reading events
# from a FIFO, connects the clients, feeds events, reports one row.
run_case() {
  local name=$1 clients=$2 port fifo server_pid load_pid sampler_pid
  port="$(free_port)"
  fifo="$out/$name-$clients.fifo"
  rm -f "$fifo"
  mkfifo "$fifo"
  exec 3<>"$fifo"
  case "$name" in
    sluice)
      cat >"$out/sluice-$clients.yaml" <<YAML
node_id: bench
connectors:
  events: {plugin: stdio, mode: source, subject: tracking.data}
  ws:
    plugin: websocket
    listen: 127.0.0.1:$port
    index: {device: data.DEVICE_ID}
    query_params: {device_ids: device}
    max_clients: 20000
    send_queue: 4096
routes:
  - {from: events, to: ws}
YAML
      "$SLUICE_BIN" run -c "$out/sluice-$clients.yaml" <"$fifo" >"$out/sluice-$clients.log" 2>&1 &
      ;;
    node)
      node "$node_dir/server.js" "$port" <"$fifo" >"$out/node-$clients.log" 2>&1 &
      ;;
  esac
  server_pid=$!
  pids+=("$server_pid")
  wait_port "$port" || { echo "websocket bench: $name did not listen on $port" >&2; return 1; }
  sleep 0.5
  local rss_idle rss_connected
  rss_idle="$(rss_kb "$server_pid")"

  rm -f "$out/ready"
  "$ws_bench" load --port "$port" --clients "$clients" --per-client "$per_client" \
    --devices "$devices" --seconds "$seconds" --ready "$out/ready" \
    >"$out/$name-$clients.json" 2>"$out/$name-$clients.load.log" &
  load_pid=$!
  pids+=("$load_pid")
  for _ in $(seq 1 1800); do [[ -f $out/ready ]] && break; sleep 0.1; done
  [[ -f $out/ready ]] || { echo "websocket bench: $name: clients did not connect" >&2; return 1; }
  sleep 1
  rss_connected="$(rss_kb "$server_pid")"

  # Peak RSS while events flow, sampled.
  (peak=0; while kill -0 "$server_pid" 2>/dev/null; do
     r="$(rss_kb "$server_pid")"; ((r > peak)) && peak=$r; echo "$peak" >"$out/$name-$clients.peak"
     sleep 0.2; done) &
  sampler_pid=$!
  pids+=("$sampler_pid")

  "$ws_bench" feed --rate "$rate" --seconds "$((seconds + 4))" --devices "$devices" >&3
  wait "$load_pid" || true
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  wait "$sampler_pid" 2>/dev/null || true
  exec 3>&-
  rm -f "$fifo"

  local result="$out/$name-$clients.json" connected messages rate_out p50 p99 peak per_client_b
  connected="$(json_field "$result" connected)"
  messages="$(json_field "$result" messages)"
  rate_out="$(json_field "$result" rate)"
  p50="$(json_field "$result" p50_ms)"
  p99="$(json_field "$result" p99_ms)"
  peak="$(cat "$out/$name-$clients.peak" 2>/dev/null || echo 0)"
  per_client_b=$(( (rss_connected - rss_idle) * 1024 / (connected > 0 ? connected : 1) ))
  local expected=$(( rate * seconds * clients * per_client / devices ))
  bench_report "$name $clients clients" "${messages:-0}" "$(( ${messages:-0} * 260 ))" "$seconds" \
    "$peak" "connected $connected, p50 ${p50} ms, p99 ${p99} ms, ${per_client_b} B RSS/client, ~$expected offered"
  echo "$name $clients $rate_out $p50 $p99 $per_client_b $peak" >>"$out/summary.txt"
}

rm -f "$out/summary.txt"
for clients in $client_counts; do
  run_case sluice "$clients"
  run_case node "$clients"
done

echo
echo "websocket: $rate events/s, $per_client of $devices devices per client, ${seconds}s measured"
awk '{ rate[$1" "$2] = $3; mem[$1" "$2] = $6; lat[$1" "$2] = $5 }
     END { for (k in rate) if (k ~ /^sluice/) { split(k, p, " "); n = "node " p[2];
             if (rate[n] > 0 && mem[n] > 0)
               printf "  %s clients: delivered %.2fx the baseline, RSS/client %.2fx, p99 %s vs %s ms\n",
                      p[2], rate[k] / rate[n], mem[k] / mem[n], lat[k], lat[n] } }' "$out/summary.txt"
