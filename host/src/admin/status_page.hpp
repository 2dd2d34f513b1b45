// The self-contained status page served at / by the admin server: no
// external assets; it polls /stats, /readyz and /graph, computes rates
// itself, draws the topology as inline SVG, and its tap panel reads the
// live lines of /tap.
#pragma once

namespace sluice::admin {

inline constexpr const char* kStatusPage = R"HTML(<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sluice status</title>
<style>
 body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
 header{background:#1d2330;color:#fff;padding:12px 20px;display:flex;gap:24px;align-items:baseline;flex-wrap:wrap}
 header h1{font-size:18px;margin:0} header span{opacity:.8}
 main{padding:16px 20px;max-width:1200px}
 h2{font-size:15px;margin:20px 0 8px}
 table{border-collapse:collapse;width:100%;background:#fff;box-shadow:0 1px 2px #0001}
 th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #e6e8ec;white-space:nowrap}
 th{background:#eef0f4;font-weight:600} td.num{text-align:right;font-variant-numeric:tabular-nums}
 .ok{color:#137333;font-weight:600} .bad{color:#b3261e;font-weight:600}
 #error{color:#b3261e;padding:8px 0}
 #tapform{display:flex;gap:8px;flex-wrap:wrap} #tapform input{flex:1;min-width:220px;padding:4px 6px}
 #taplines{background:#fff;box-shadow:0 1px 2px #0001;padding:8px 10px;max-height:320px;overflow:auto;font:12px/1.4 ui-monospace,monospace;white-space:pre-wrap;margin:8px 0}
 #graph{background:#fff;box-shadow:0 1px 2px #0001;overflow-x:auto}
 #graph svg{display:block;font:12px system-ui,sans-serif}
 #graph rect{fill:#eef0f4;stroke:#8a93a6} #graph rect.route{fill:#fff7e0;stroke:#c79a2b}
 #graph line{stroke:#8a93a6;stroke-width:1.5} #graph line.dead{stroke-dasharray:5 4;stroke:#b3261e}
 #graph text.count{fill:#137333;font-size:11px}
</style></head>
<body>
<header><h1>sluice</h1><span id="node">node …</span><span id="version"></span>
<span id="uptime"></span><span id="ready"></span></header>
<main>
<div id="error"></div>
<h2>Connectors</h2>
<table id="connectors"><thead><tr><th>connector</th><th>plugin</th><th>health</th>
<th>in/s</th><th>out/s</th><th>in</th><th>out</th><th>acked</th><th>nacked</th><th>failed</th></tr></thead><tbody></tbody></table>
<h2>Routes</h2>
<table id="routes"><thead><tr><th>route</th><th>taking from</th><th>matched/s</th><th>matched</th><th>filtered</th>
<th>throttled</th><th>coalesced</th><th>dropped</th><th>dead-lettered</th><th>failed</th></tr></thead><tbody></tbody></table>
<h2>Topology</h2>
<div id="graph"></div>
<h2>Workers</h2>
<table id="workers"><thead><tr><th>worker</th><th>queue depth</th><th>capacity</th></tr></thead><tbody></tbody></table>
<p id="summary"></p>
<h2>Tap</h2>
<form id="tapform"><input id="taptarget" placeholder="connector, connector:subject-pattern or route (empty: every message)">
<input id="tapwhere" placeholder='where (JSON), e.g. {"temp":{"gt":30}}'>
<button id="tapbutton" type="submit">Start</button></form>
<pre id="taplines"></pre>
</main>
<script>
"use strict";
let previous = null;
const fmt = n => (Math.round(n * 10) / 10).toLocaleString();
function cell(row, text, cls) { const td = row.insertCell(); td.textContent = text; if (cls) td.className = cls; return td; }
function series(stats, name) { return (stats.metrics[name] || []); }
function byLabel(stats, name, label) {
  const out = {};
  for (const s of series(stats, name)) out[s.labels[label]] = (out[s.labels[label]] || 0) + s.value;
  return out;
}
function rate(now, before, key, elapsed) {
  if (!before || elapsed <= 0) return 0;
  return Math.max(0, ((now[key] || 0) - (before[key] || 0)) / elapsed);
}
async function refresh() {
  try {
    const [statsRes, readyRes] = await Promise.all([fetch("stats"), fetch("readyz")]);
    const stats = await statsRes.json();
    const ready = await readyRes.json();
    const t = performance.now() / 1000;
    const cur = {
      t, in: byLabel(stats, "sluice_messages_in_total", "connector"),
      out: byLabel(stats, "sluice_messages_out_total", "connector"),
      matched: byLabel(stats, "sluice_route_matched_total", "route")
    };
    const elapsed = previous ? t - previous.t : 0;
    document.getElementById("node").textContent = "node " + stats.node_id;
    document.getElementById("version").textContent = "v" + stats.version;
    document.getElementById("uptime").textContent = "up " + stats.uptime_s + " s";
    const r = document.getElementById("ready");
    r.textContent = ready.ready ? "ready" : "not ready"; r.className = ready.ready ? "ok" : "bad";
    const ctb = document.querySelector("#connectors tbody"); ctb.replaceChildren();
    for (const c of stats.connectors) {
      const row = ctb.insertRow(); row.dataset.connector = c.name;
      cell(row, c.name); cell(row, c.plugin);
      cell(row, c.healthy ? "healthy" : "unhealthy" + (c.message ? ": " + c.message : ""), c.healthy ? "ok" : "bad");
      cell(row, fmt(rate(cur.in, previous && previous.in, c.name, elapsed)), "num");
      cell(row, fmt(rate(cur.out, previous && previous.out, c.name, elapsed)), "num");
      for (const k of ["messages_in", "messages_out", "acked", "nacked", "failed"]) cell(row, c[k].toLocaleString(), "num");
    }
    const routes = {};
    const kinds = ["matched", "filtered", "throttled", "coalesced", "dropped", "dead_lettered", "failed"];
    for (const k of kinds) for (const s of series(stats, "sluice_route_" + k + "_total")) {
      (routes[s.labels.route] = routes[s.labels.route] || {})[k] = s.value;
    }
    // Routes with a source policy: the source in use and how often it changed.
    const active = {};
    for (const s of series(stats, "sluice_route_active_source")) if (s.value === 1) active[s.labels.route] = s.labels.connector;
    const switches = byLabel(stats, "sluice_route_source_switches_total", "route");
    const standby = byLabel(stats, "sluice_route_standby_dropped_total", "route");
    const rtb = document.querySelector("#routes tbody"); rtb.replaceChildren();
    for (const [name, v] of Object.entries(routes)) {
      const row = rtb.insertRow(); row.dataset.route = name; cell(row, name);
      cell(row, name in active ? active[name] + " · " + (switches[name] || 0) + " switches · " +
        (standby[name] || 0) + " standby dropped" : "every source", "source");
      cell(row, fmt(rate(cur.matched, previous && previous.matched, name, elapsed)), "num");
      for (const k of kinds) cell(row, (v[k] || 0).toLocaleString(), "num");
    }
    const wtb = document.querySelector("#workers tbody"); wtb.replaceChildren();
    for (const w of stats.workers) {
      const row = wtb.insertRow(); cell(row, w.index); cell(row, w.queue_depth, "num"); cell(row, w.queue_capacity, "num");
    }
    document.getElementById("summary").textContent =
      "in flight: " + stats.in_flight + " · routing time (EWMA): " + fmt(stats.routing_time_ewma_us) + " µs";
    document.getElementById("error").textContent = "";
    previous = cur;
  } catch (e) {
    document.getElementById("error").textContent = "cannot reach sluice: " + e;
  }
}
// The topology from /graph in three columns: connectors read from, routes
// and handlers, connectors written to; counters on the nodes and edges.
const SVG = "http://www.w3.org/2000/svg";
function svgEl(parent, name, attrs, text) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  parent.appendChild(e); return e;
}
function count(counters, key) { return ((counters || {})[key] || 0).toLocaleString(); }
function drawGraph(g) {
  const steps = g.routes.map(r => ({kind: "route", name: r.name, from: r.from, to: r.to, dead: r.dead_letter,
    label: "route " + r.name, sub: "matched " + count(r.counters, "route_matched")}))
    .concat(g.handlers.map(h => ({kind: "handler", name: h.name, from: h.from, to: h.kind === "on_request" ? h.from : [],
    dead: h.dead_letter, label: (h.kind === "on_request" ? "on_request " : "on ") + h.name,
    sub: "matched " + count(h.counters, "route_matched")})));
  const plugin = {}; const counters = {};
  for (const c of g.connectors) { plugin[c.name] = c.plugin; counters[c.name] = c.counters; }
  const uniq = list => [...new Set(list)];
  const left = uniq(steps.flatMap(s => s.from.map(e => e.connector)));
  const right = uniq(steps.flatMap(s => s.to.concat(s.dead).map(e => e.connector)));
  const W = 190, H = 40, GAP = 14, X = [10, 330, 650];
  const rows = Math.max(left.length, steps.length, right.length, 1);
  const box = document.getElementById("graph"); box.replaceChildren();
  const svg = svgEl(box, "svg", {width: X[2] + W + 10, height: rows * (H + GAP) + 10});
  const y = i => 10 + i * (H + GAP);
  const edges = svgEl(svg, "g", {});
  function node(x, i, cls, title, sub) {
    svgEl(svg, "rect", {x, y: y(i), width: W, height: H, rx: 6, class: cls});
    svgEl(svg, "text", {x: x + 8, y: y(i) + 16}, title);
    svgEl(svg, "text", {x: x + 8, y: y(i) + 32, class: "count"}, sub);
  }
  left.forEach((c, i) => node(X[0], i, "connector", c + " (" + (plugin[c] || "?") + ")", "in " + count(counters[c], "messages_in")));
  right.forEach((c, i) => node(X[2], i, "connector", c + " (" + (plugin[c] || "?") + ")", "out " + count(counters[c], "messages_out")));
  steps.forEach((s, i) => {
    node(X[1], i, "route", s.label, s.sub);
    for (const e of s.from) {
      const j = left.indexOf(e.connector);
      svgEl(edges, "line", {x1: X[0] + W, y1: y(j) + H / 2, x2: X[1], y2: y(i) + H / 2});
    }
    for (const [list, cls] of [[s.to, ""], [s.dead, "dead"]]) for (const e of list) {
      const j = right.indexOf(e.connector);
      svgEl(edges, "line", {x1: X[1] + W, y1: y(i) + H / 2, x2: X[2], y2: y(j) + H / 2, class: cls});
    }
  });
}
async function refreshGraph() {
  try { const res = await fetch("graph"); if (res.ok) drawGraph(await res.json()); } catch (e) {}
}
refresh(); setInterval(refresh, 1000);
refreshGraph(); setInterval(refreshGraph, 2000);

// The tap panel: the last 200 lines of GET /tap, until Stop.
let tapAbort = null;
document.getElementById("tapform").addEventListener("submit", async event => {
  event.preventDefault();
  if (tapAbort) { tapAbort.abort(); return; }
  const button = document.getElementById("tapbutton"), out = document.getElementById("taplines");
  const query = new URLSearchParams({target: document.getElementById("taptarget").value.trim()});
  const where = document.getElementById("tapwhere").value.trim();
  if (where) query.set("where", where);
  tapAbort = new AbortController();
  button.textContent = "Stop";
  out.textContent = "";
  try {
    const res = await fetch("tap?" + query, {signal: tapAbort.signal});
    if (!res.ok) throw new Error((await res.json()).error);
    const reader = res.body.getReader(), decoder = new TextDecoder();
    let lines = [], partial = "";
    for (;;) {
      const {value, done} = await reader.read();
      if (done) break;
      const parts = (partial + decoder.decode(value, {stream: true})).split("\n");
      partial = parts.pop();
      lines = lines.concat(parts).slice(-200);
      out.textContent = lines.join("\n");
      out.scrollTop = out.scrollHeight;
    }
  } catch (e) {
    if (e.name !== "AbortError") out.textContent = "tap: " + e.message;
  }
  tapAbort = null;
  button.textContent = "Start";
});
</script>
</body></html>
)HTML";

}  // namespace sluice::admin
