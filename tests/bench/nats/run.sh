#!/usr/bin/env bash
# NATS benchmark: request/reply and pub/sub pass-through, sluice against a
# direct cnats baseline, on a private nats-server (never the shared one).
#
#   tests/bench/nats/run.sh [--seconds N] [--count N] [--json FILE]
#
#  1. requests answered by a minimal cnats responder (baseline) and by sluice
#     (the built-in control subject's "version" command), each at K=1 and
#     K=64 requests in flight: req/s, p50/p99/p999 latency, ratio to baseline;
#  2. pub/sub: N messages published to a subject and counted by a direct
#     subscriber (baseline), then routed subject -> sluice -> subject.
#
# Environment: SLUICE_BUILD_DIR (default <repo>/build), SLUICE_BIN (default
# $SLUICE_BUILD_DIR/bin/sluice), SLUICE_PLUGIN_DIR (default
# $SLUICE_BUILD_DIR/plugins). Use a build without sanitizers. The tools nats_loadgen and nats_responder
# come from $SLUICE_BUILD_DIR/bench, or are compiled into a temp dir.
# Results: a table on stdout, and one JSON object per measurement in --json.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
here="$repo/tests/bench/nats"
build="${SLUICE_BUILD_DIR:-$repo/build}"
sluice_bin="${SLUICE_BIN:-$build/bin/sluice}"
plugin_dir="${SLUICE_PLUGIN_DIR:-$build/plugins}"
seconds=5
count=200000
json_out=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --count) count="$2"; shift 2 ;;
    --json) json_out="$2"; shift 2 ;;
    *) echo "usage: $0 [--seconds N] [--count N] [--json FILE]" >&2; exit 2 ;;
  esac
done

work="$(mktemp -d /tmp/sluice-bench-nats.XXXXXX)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
say() { echo "bench-nats: $*" >&2; }

[[ -x $sluice_bin ]] || { say "no sluice binary at $sluice_bin (set SLUICE_BIN)"; exit 1; }
command -v nats-server >/dev/null || { say "nats-server is not installed"; exit 1; }

tool() {
  local name="$1"
  if [[ -x "$build/bench/$name" ]]; then
    echo "$build/bench/$name"
  else
    c++ -std=c++20 -O2 "$here/$name.cpp" -lnats -lpthread -o "$work/$name" >&2
    echo "$work/$name"
  fi
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
measure() {  # measure LABEL loadgen-args...
  local label="$1"; shift
  local line
  line="$("$loadgen" "$@")"
  echo "{\"label\":\"$label\",${line#\{}" >>"$results"
  say "$label: $line"
}

# --- 1. baseline responder ------------------------------------------------
"$responder" --url "$url" --subject bench.direct >"$work/responder.log" 2>&1 &
responder_pid=$!
pids+=($responder_pid)
for _ in $(seq 50); do grep -q ready "$work/responder.log" && break; sleep 0.1; done
for k in 1 64; do
  measure "direct_k$k" request --url "$url" --subject bench.direct --k "$k" --seconds "$seconds"
done
kill "$responder_pid"; wait "$responder_pid" 2>/dev/null || true

# --- 2. sluice --------------------------------------------------------------
cat >"$work/sluice.yaml" <<EOF
node_id: bench
workers: 2
admin: {enabled: false}
logging: {level: warn}
control_subject: bus:bench.sluice
connectors:
  bus:
    plugin: nats
    url: $url
    send_asap: true
    pending_limit_msgs: 1000000
routes:
  - from: bus:bench.ps.in
    to: bus:bench.ps.out
EOF
SLUICE_PLUGIN_PATH="$plugin_dir" "$sluice_bin" run -c "$work/sluice.yaml" --log-level info \
  >"$work/sluice.log" 2>&1 &
sluice_pid=$!
pids+=($sluice_pid)
for _ in $(seq 200); do grep -q "NATS connector ready" "$work/sluice.log" && break; sleep 0.1; done
grep -q "NATS connector ready" "$work/sluice.log" || { cat "$work/sluice.log" >&2; exit 1; }
for k in 1 64; do
  measure "sluice_k$k" request --url "$url" --subject bench.sluice --k "$k" --seconds "$seconds"
done

# --- 3. pub/sub pass-through -----------------------------------------------
payload='{"device":"d-1","speed":42,"engine":"ON"}'
measure pubsub_direct pubsub --url "$url" --in bench.ps.direct --out bench.ps.direct \
  --count "$count" --payload "$payload"
measure pubsub_sluice pubsub --url "$url" --in bench.ps.in --out bench.ps.out \
  --count "$count" --payload "$payload"
kill "$sluice_pid"; wait "$sluice_pid" 2>/dev/null || true

[[ -n $json_out ]] && cp "$results" "$json_out"
python3 - "$results" <<'EOF'
import json, sys
rows = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    rows[r["label"]] = r
print("NATS request/reply (req/s, latency in microseconds)")
print(f"{'':12} {'req/s':>10} {'p50':>8} {'p99':>8} {'p999':>8} {'lost':>6} {'vs direct':>10}")
for k in (1, 64):
    d = rows.get(f"direct_k{k}")
    for who in ("direct", "sluice"):
        r = rows.get(f"{who}_k{k}")
        if not r:
            continue
        ratio = f"{r['rps'] / d['rps'] * 100:.0f}%" if d and d["rps"] else "-"
        print(f"{who + ' K=' + str(k):12} {r['rps']:>10.0f} {r['p50_us']:>8.0f} {r['p99_us']:>8.0f} "
              f"{r['p999_us']:>8.0f} {r['lost']:>6} {ratio:>10}")
print()
print("NATS pub/sub pass-through (msgs/s)")
d = rows.get("pubsub_direct")
for who in ("direct", "sluice"):
    r = rows.get(f"pubsub_{who}")
    if not r:
        continue
    ratio = f"{r['msgs_per_s'] / d['msgs_per_s'] * 100:.0f}%" if d and d["msgs_per_s"] else "-"
    print(f"{who:12} {r['msgs_per_s']:>10.0f} msgs/s  received {r['received']}/{r['sent']}  {ratio:>6}")
EOF
