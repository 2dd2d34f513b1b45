-- Fallback output group: each event goes to the first output in the list
-- that reports itself healthy. The primary here is a file on a disk that is
-- always full (/dev/full): its first writes fail, are retried and then go
-- to the route's dead letter (the spare, with the error in a sluice-error
-- header); from then on the primary reports itself unhealthy and events go
-- straight to the spare. Nothing is lost either way. A broker output that
-- reconnects is used again as soon as it is healthy.
-- A native route: no Lua runs per message.
-- Run: sluice run -c config/examples/fallback.yaml

sluice.route {
  name = "with-spare",
  from = "tracking",
  to = sluice.fallback { "primary", "spare" },
  dead_letter = "spare",
}
