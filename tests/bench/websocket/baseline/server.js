// Baseline for the websocket benchmark: the Kafka -> WebSocket endpoint as a
// team would hand-write it with the `ws` package. Events arrive one JSON per
// line on stdin (instead of from a Kafka consumer); every client that asked
// for the event's device by `?device_ids=a,b` gets the line as is.
//
//   node server.js PORT
"use strict";
const http = require("http");
const readline = require("readline");
const { WebSocketServer, WebSocket } = require("ws");

const port = Number(process.argv[2] || 8080);
const server = http.createServer((req, res) => { res.writeHead(426); res.end(); });
const wss = new WebSocketServer({ server, path: "/api/v1/stream" });
const clients = new Set();

wss.on("connection", (ws, req) => {
  const url = new URL(req.url, "http://localhost");
  ws.deviceIds = new Set((url.searchParams.get("device_ids") || "").split(",").filter(Boolean));
  ws.isAlive = true;
  ws.on("pong", () => { ws.isAlive = true; });
  ws.on("close", () => clients.delete(ws));
  ws.on("error", () => clients.delete(ws));
  clients.add(ws);
});

// Keep-alive every 60 s, dropping clients that did not answer the last ping.
setInterval(() => {
  for (const ws of clients) {
    if (!ws.isAlive) { ws.terminate(); continue; }
    ws.isAlive = false;
    ws.ping();
  }
}, 60000);

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  let event;
  try { event = JSON.parse(line); } catch (e) { return; }
  const device = event.data && event.data.DEVICE_ID;
  for (const ws of clients) {
    if (ws.readyState === WebSocket.OPEN && ws.deviceIds.has(device)) ws.send(line);
  }
});

server.listen(port, "127.0.0.1");
