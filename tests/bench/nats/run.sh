#!/usr/bin/env bash
# NATS benchmark: request/reply and pub/sub pass-through, sluice against a
# direct cnats baseline, on a private nats-server (never the shared one).
#
#   scripts/bench.sh nats                               (contract: scripts/bench.sh)
#   tests/bench/nats/run.sh [--seconds N] [--count N]   (standalone)
#
#  1. requests answered by a minimal cnats responder (baseline) and by sluice
#     (the built-in control subject's "version" command), each at K=1 and
#     K=64 requests in flight: req/s, p50/p99/p999 latency, ratio to baseline;
#  2. pub/sub: N messages published to a subject and counted by a direct
#     subscriber (baseline), then routed subject -> sluice -> subject.
#
# Environment (scripts/bench.sh sets it; defaults for a standalone run):
# SLUICE_BIN, SLUICE_PLUGIN_PATH, SLUICE_BUILD_DIR (<repo>/build), BENCH_TOOLS
# (nats_loadgen, nats_responder; else compiled into a temp dir), BENCH_OUT,
# BENCH_RESULTS. Use a build without sanitizers.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
here="$repo/tests/bench/nats"
build="${SLUICE_BUILD_DIR:-$repo/build}"
sluice_bin="${SLUICE_BIN:-$build/bin/sluice}"
plugin_path="${SLUICE_PLUGIN_PATH:-$build/plugins}"
seconds="${BENCH_NATS_SECONDS:-5}"
count="${BENCH_NATS_COUNT:-200000}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --count) count="$2"; shift 2 ;;
    *) echo "usage: $0 [--seconds N] [--count N]" >&2; exit 2 ;;
  esac
done
# shellcheck source=../common/bench_lib.sh
source "$repo/tests/bench/common/bench_lib.sh"
say() { echo "bench-nats: $*" >&2; }

if [[ -n ${BENCH_OUT:-} ]]; then
  work="$BENCH_OUT"
  keep=1
else
  work="$(mktemp -d /tmp/sluice-bench-nats.XXXXXX)"
  keep=0
fi
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  ((keep)) || rm -rf "$work"
}
trap cleanup EXIT

[[ -x $sluice_bin ]] || { say "no sluice binary at $sluice_bin (set SLUICE_BIN)"; exit 1; }
command -v nats-server >/dev/null || { say "nats-server is not installed"; exit 1; }

tool() {
  local name="$1" dir
  for dir in "${BENCH_TOOLS:-}" "$build/bin"; do
    if [[ -n $dir && -x "$dir/$name" ]]; then
      echo "$dir/$name"
      return
    fi
  done
  c++ -std=c++20 -O2 "$here/$name.cpp" -lnats -lpthread -o "$work/$name" >&2
  echo "$work/$name"
}
loadgen="$(tool nats_loadgen)"
responder="$(tool nats_responder)"

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
url="nats://127.0.0.1:$port"
nats-server -a 127.0.0.1 -p "$port" >"$work/nats-server.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done
say "nats-server on $url"

results="$work/results.jsonl"
: >"$results"
# Peak resident set (kB) of a running process.
peak_rss() { awk '/^VmHWM/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
measure() { # measure LABEL PID-OF-THE-ANSWERING-SIDE loadgen-args...
  local label="$1" pid="$2" line
  shift 2
  line="$("$loadgen" "$@")"
  echo "{\"label\":\"$label\",\"rss_kb\":$(peak_rss "$pid"),${line#\{}" >>"$results"
  say "$label: $line"
}

# --- 1. baseline responder ------------------------------------------------
"$responder" --url "$url" --subject bench.direct >"$work/responder.log" 2>&1 &
responder_pid=$!
pids+=($responder_pid)
for _ in $(seq 50); do
  grep -q ready "$work/responder.log" && break
  sleep 0.1
done
for k in 1 64; do
  measure "direct_k$k" "$responder_pid" request --url "$url" --subject bench.direct --k "$k" \
    --seconds "$seconds"
done
kill "$responder_pid"
wait "$responder_pid" 2>/dev/null || true

# --- 2. sluice --------------------------------------------------------------
# The built-in control command (bench.sluice, no Lua) and a Lua on_request
# handler (bench.lua) that reads the request and answers with a table.
cat >"$work/bench.lua" <<'EOF'
sluice.on_request("rr:bench.lua", function(req)
  return { ok = true, node = sluice.node_id, command = req:get("command") }
end)
EOF
cat >"$work/sluice.yaml" <<EOF
node_id: bench
workers: 2
admin: {enabled: false}
script: $work/bench.lua
control_subject: rr:bench.sluice
connectors:
  # Request/reply: each reply is written at once (latency).
  rr:
    plugin: nats
    url: $url
    send_asap: true
  # Pass-through: cnats batches writes (throughput), the default.
  bus:
    plugin: nats
    url: $url
    pending_limit_msgs: 1000000
routes:
  - from: bus:bench.ps.in
    to: bus:bench.ps.out
EOF
SLUICE_PLUGIN_PATH="$plugin_path" "$sluice_bin" run -c "$work/sluice.yaml" --log-level info \
  >"$work/sluice.log" 2>&1 &
sluice_pid=$!
pids+=($sluice_pid)
for _ in $(seq 200); do
  (($(grep -c "NATS connector ready" "$work/sluice.log") >= 2)) && break
  sleep 0.1
done
grep -q "NATS connector ready" "$work/sluice.log" || { cat "$work/sluice.log" >&2; exit 1; }
for k in 1 64; do
  measure "sluice_k$k" "$sluice_pid" request --url "$url" --subject bench.sluice --k "$k" \
    --seconds "$seconds"
  measure "lua_k$k" "$sluice_pid" request --url "$url" --subject bench.lua --k "$k" \
    --seconds "$seconds"
done

# --- 3. pub/sub pass-through -----------------------------------------------
payload='{"device":"d-1","speed":42,"engine":"ON"}'
measure pubsub_direct "$$" pubsub --url "$url" --in bench.ps.direct --out bench.ps.direct \
  --count "$count" --payload "$payload"
measure pubsub_sluice "$sluice_pid" pubsub --url "$url" --in bench.ps.in --out bench.ps.out \
  --count "$count" --payload "$payload"
kill "$sluice_pid"
wait "$sluice_pid" 2>/dev/null || true

# Result rows (scripts/bench.sh): messages = requests answered or messages
# received, bytes = their payload bytes, RSS = peak of the answering process.
python3 "$here/summarize.py" rows "$results" >"$work/rows.tsv"
while IFS=$'\t' read -r label messages bytes secs rss note; do
  bench_report "$label" "$messages" "$bytes" "$secs" "$rss" "$note"
done <"$work/rows.tsv"
echo
python3 "$here/summarize.py" table "$results"
