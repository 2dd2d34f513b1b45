#!/usr/bin/env python3
"""Summarizes the NATS benchmark's JSON lines (one per measurement, written by
run.sh from nats_loadgen's output).

  summarize.py rows RESULTS    TSV rows for bench_report: case, messages,
                               bytes, seconds, peak RSS kB, note
  summarize.py table RESULTS   the human table: req/s, latency, ratio to direct

Request labels: direct_kK (a minimal cnats responder), sluice_kK (sluice's
built-in control command) and lua_kK (a Lua on_request handler in sluice).
"""
import json
import sys

REQUEST_BYTES = len('{"command":"version"}')
PUBSUB_BYTES = len('{"device":"d-1","speed":42,"engine":"ON"}')


def load(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    return rows, {r["label"]: r for r in rows}


def ratio(value, base):
    return f"{value / base * 100:.0f}%" if base else "-"


def rows(path):
    items, by = load(path)
    for r in items:
        label = r["label"]
        if r["mode"] == "request":
            base = by.get("direct_k" + label.split("_k")[1])
            vs = ""
            if not label.startswith("direct") and base:
                vs = f", {ratio(r['rps'], base['rps'])} of direct"
            note = (f"p50={r['p50_us']:.0f}us p99={r['p99_us']:.0f}us "
                    f"p999={r['p999_us']:.0f}us lost={r['lost']}{vs}")
            n = r["requests"]
            print(f"request-{label}\t{n}\t{n * REQUEST_BYTES}\t{r['seconds']:.3f}\t"
                  f"{r['rss_kb']}\t{note}")
        else:
            base = by.get("pubsub_direct")
            vs = ""
            if label != "pubsub_direct" and base:
                vs = f", {ratio(r['msgs_per_s'], base['msgs_per_s'])} of direct"
            n = r["received"]
            print(f"{label}\t{n}\t{n * PUBSUB_BYTES}\t{r['seconds']:.3f}\t{r['rss_kb']}\t"
                  f"received {n}/{r['sent']}{vs}")


def table(path):
    _, by = load(path)
    print("NATS request/reply (req/s; latency in microseconds)")
    print(f"{'':12} {'req/s':>10} {'p50':>8} {'p99':>8} {'p999':>8} {'lost':>6} {'vs direct':>10}")
    for k in (1, 64):
        base = by.get(f"direct_k{k}")
        for who, name in (("direct", "direct"), ("sluice", "built-in"), ("lua", "lua")):
            r = by.get(f"{who}_k{k}")
            if not r:
                continue
            vs = ratio(r["rps"], base["rps"]) if base else "-"
            print(f"{name + ' K=' + str(k):12} {r['rps']:>10.0f} {r['p50_us']:>8.0f} "
                  f"{r['p99_us']:>8.0f} {r['p999_us']:>8.0f} {r['lost']:>6} {vs:>10}")
    print()
    print("NATS pub/sub pass-through (msgs/s)")
    base = by.get("pubsub_direct")
    for who in ("direct", "sluice"):
        r = by.get(f"pubsub_{who}")
        if not r:
            continue
        vs = ratio(r["msgs_per_s"], base["msgs_per_s"]) if base else "-"
        print(f"{who:12} {r['msgs_per_s']:>10.0f} msgs/s  received {r['received']}/{r['sent']}"
              f"  {vs:>6}")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("rows", "table"):
        sys.exit(__doc__)
    (rows if sys.argv[1] == "rows" else table)(sys.argv[2])
