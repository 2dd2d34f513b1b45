#!/usr/bin/env bash
# HTTP benchmark, both halves, each against a minimal Beast baseline in the
# same run:
#   webhook ingest: sluice's http source (mode server) routing into the null
#     sink, vs a Beast server that answers 200 without routing
#     (http_bench serve), loaded by the same keep-alive clients (http_bench load);
#   client sink: sluice generate -> http client sink, vs a minimal Beast
#     client (http_bench load) posting the same ~120-byte bodies, both into
#     the same server (http_bench serve --seconds), which counts and times
#     the requests.
#
#   tests/bench/http/run.sh [--connections 64] [--seconds 10]
#
# Webhook cases: --connections keep-alive clients POST ~120-byte JSON bodies
# one after another for --seconds; a sluice answer means the null sink
# confirmed the message. Reported: requests/s, p50 and p99 latency as the
# clients see them, and the server's peak RSS.
# Sink cases: --connections connections (the sink's max_connections, the
# Beast client's threads) post as fast as the server answers; after a 1 s
# warm-up the server counts requests for --seconds and times each
# connection's request cycle (one request's arrival to the next's on the
# same connection). Reported: requests/s, cycle p50 and p99, and the
# client's peak RSS.
#
# Environment (set by scripts/bench.sh, or defaults for a run on its own):
# SLUICE_BIN, SLUICE_PLUGIN_PATH, SLUICE_BUILD_DIR (default <repo>/build-release),
# BENCH_OUT (a work directory), BENCH_TOOLS (where http_bench is).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
build="${SLUICE_BUILD_DIR:-$repo/build-release}"
export SLUICE_BIN="${SLUICE_BIN:-$build/bin/sluice}"
export SLUICE_PLUGIN_PATH="${SLUICE_PLUGIN_PATH:-$build/plugins}"
export BENCH_SCENARIO="${BENCH_SCENARIO:-http}"
out="${BENCH_OUT:-$(mktemp -d /tmp/sluice-bench-http.XXXXXX)}"
mkdir -p "$out"
# shellcheck source=../common/bench_lib.sh
source "$repo/tests/bench/common/bench_lib.sh"

connections=64
seconds=10
while [[ $# -gt 0 ]]; do
  case "$1" in
    --connections) connections="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    *) echo "usage: $0 [--connections N] [--seconds N]" >&2; exit 2 ;;
  esac
done

http_bench="${BENCH_TOOLS:-$build/bin}/http_bench"
if [[ ! -x $http_bench ]]; then
  echo "http bench: building http_bench" >&2
  cmake --build "$build" --target http_bench >/dev/null
fi
[[ -x $SLUICE_BIN ]] || { echo "http bench: no sluice binary at $SLUICE_BIN" >&2; exit 1; }

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
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

# sample_peak PID NAME: records PID's peak RSS in $out/NAME.peak while it runs
# (in the background; its pid is added to pids).
sample_peak() {
  local pid=$1 name=$2
  (peak=0; while kill -0 "$pid" 2>/dev/null; do
     r="$(rss_kb "$pid")"; ((r > peak)) && peak=$r; echo "$peak" >"$out/$name.peak"
     sleep 0.2; done) &
  pids+=("$!")
}
peak_of() { cat "$out/$1.peak" 2>/dev/null || echo 0; }

# run_case NAME: starts server NAME (sluice | beast), loads it, reports a row.
run_case() {
  local name=$1 port server_pid
  port="$(free_port)"
  case "$name" in
    sluice)
      cat >"$out/sluice.yaml" <<YAML
node_id: bench
admin: { enabled: false }
state_dir: $out/state
connectors:
  hook: { plugin: http, listen: "127.0.0.1:$port", max_connections: 1024, io_threads: 2 }
  sink: { plugin: "null" }
routes:
  - { from: hook, to: sink }
YAML
      "$SLUICE_BIN" run -c "$out/sluice.yaml" >"$out/sluice.log" 2>&1 &
      ;;
    beast)
      "$http_bench" serve --port "$port" >"$out/beast.log" 2>&1 &
      ;;
  esac
  server_pid=$!
  pids+=("$server_pid")
  wait_port "$port" || { echo "http bench: $name did not listen on $port" >&2; return 1; }
  sample_peak "$server_pid" "$name"
  "$http_bench" load --port "$port" --connections "$connections" --seconds "$seconds" \
    >"$out/$name.json"
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true

  local result="$out/$name.json" requests ok rate p50 p99
  requests="$(json_field "$result" requests)"
  ok="$(json_field "$result" ok)"
  rate="$(json_field "$result" rate)"
  p50="$(json_field "$result" p50_ms)"
  p99="$(json_field "$result" p99_ms)"
  bench_report "$name webhook $connections conns" "${requests:-0}" "$(( ${requests:-0} * 120 ))" \
    "$seconds" "$(peak_of "$name")" "200s $ok, p50 ${p50} ms, p99 ${p99} ms"
  echo "$name $rate $p50 $p99" >>"$out/summary.txt"
}

# run_sink_case NAME: the measuring server, and client NAME (sluice | beast)
# posting to it until the server has measured; reports a row.
run_sink_case() {
  local name=$1 port serve_pid client_pid
  port="$(free_port)"
  "$http_bench" serve --port "$port" --seconds "$seconds" --warmup-ms 1000 \
    >"$out/sink-$name.json" 2>"$out/sink-$name-serve.log" &
  serve_pid=$!
  pids+=("$serve_pid")
  wait_port "$port" || { echo "http bench: the server did not listen on $port" >&2; return 1; }
  case "$name" in
    sluice)
      # The same body as http_bench load's: device, sequence, ~120 bytes.
      cat >"$out/sink.yaml" <<YAML
node_id: bench
admin: { enabled: false }
logging: { level: warn }
state_dir: $out/state-sink
connectors:
  gen:
    plugin: generate
    payload: '{"DEVICE_ID":"dev-\${cycle:$connections}","seq":\$\${counter},"data":{"SPEED":"42.00","ENGINE_STATUS":"ON","LAT":52.5,"LON":13.4}}'
  svc:
    plugin: http
    mode: client
    url: "http://127.0.0.1:$port/ingest/bench"
    max_connections: $connections
    max_in_flight: $connections      # host-reserved: it waits for a slot instead of retrying BUSY
    io_threads: 2
routes:
  - { from: gen, to: svc }
YAML
      "$SLUICE_BIN" run -c "$out/sink.yaml" >"$out/sink-sluice.log" 2>&1 &
      ;;
    beast)
      "$http_bench" load --port "$port" --connections "$connections" \
        --seconds "$((seconds + 3))" >"$out/sink-beast-load.json" 2>&1 &
      ;;
  esac
  client_pid=$!
  pids+=("$client_pid")
  sample_peak "$client_pid" "sink-$name"
  wait "$serve_pid" || { echo "http bench: the measuring server failed" >&2; return 1; }
  # The server is gone: the client has nothing left to do well.
  kill -9 "$client_pid" 2>/dev/null || true
  wait "$client_pid" 2>/dev/null || true

  local result="$out/sink-$name.json" requests rate p50 p99
  requests="$(json_field "$result" requests)"
  rate="$(json_field "$result" rate)"
  p50="$(json_field "$result" p50_ms)"
  p99="$(json_field "$result" p99_ms)"
  local what="sluice http sink"
  [[ $name == beast ]] && what="beast client"
  bench_report "$what $connections conns" "${requests:-0}" "$(( ${requests:-0} * 120 ))" \
    "$seconds" "$(peak_of "sink-$name")" "cycle p50 ${p50} ms, p99 ${p99} ms"
  echo "$name $rate $p50 $p99" >>"$out/sink-summary.txt"
}

# compare FILE WHAT BASELINE: the sluice/beast line of a summary file.
compare() {
  awk -v what="$2" -v baseline="$3" '{ rate[$1] = $2; p50[$1] = $3; p99[$1] = $4 }
     END { if (rate["beast"] > 0)
             printf "  sluice %s %.0f req/s (p50 %s ms, p99 %s ms) = %.0f%% of the %s %.0f req/s (p50 %s ms, p99 %s ms)\n",
                    what, rate["sluice"], p50["sluice"], p99["sluice"], 100 * rate["sluice"] / rate["beast"],
                    baseline, rate["beast"], p50["beast"], p99["beast"] }' "$1"
}

rm -f "$out/summary.txt" "$out/sink-summary.txt"
run_case sluice
run_case beast
run_sink_case sluice
run_sink_case beast

echo
echo "http: webhook ingest, $connections keep-alive clients, ${seconds}s each"
compare "$out/summary.txt" "webhook" "Beast server baseline"
echo "http: client sink, $connections connections, ${seconds}s each (latency: request cycle per connection)"
compare "$out/sink-summary.txt" "sink" "Beast client baseline"
