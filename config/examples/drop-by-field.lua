-- Drop by field: forward every tracking event except parked vehicles
-- (SPEED "0.00"), as a Lua handler. The same filter natively, with no Lua
-- per message, would be:
--   sluice.route{ from = "tracking", where = { ["data.SPEED"] = { ne = "0.00" } }, to = "out" }
-- Run: sluice run -c config/examples/drop-by-field.yaml

sluice.on("tracking", function(msg)
  if msg:get("data.SPEED") == "0.00" then
    return  -- dropped: acked to the source and counted as filtered
  end
  sluice.publish("out", msg, { headers = { routed = "yes" } })
end, { name = "drop-parked" })
