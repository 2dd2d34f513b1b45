-- Keep-latest throttling: at most one position per device per second; when
-- a device reports faster, only its newest pending position is kept and sent
-- when the next token frees (older ones are coalesced: acked and counted).
-- A native route: no Lua runs per message.
-- Run: sluice run -c config/examples/keep-latest.yaml

sluice.route {
  name = "latest-position",
  from = "tracking",
  to = "out",
  throttle = { key = "data.DEVICE_ID", rate = 1, burst = 1, keep_latest = true },
}
