-- Benchmark (c): keep only devices 0848086000-0848086099 and add a field
-- routed = "yes" to the payload (a full decode and re-encode per kept message).
local wanted = {}
for i = 0, 99 do wanted[string.format("0848086%03d", i)] = true end

sluice.on("tracking", function(msg)
  if not wanted[msg:get("data.DEVICE_ID")] then return end
  local doc = msg:json()
  doc.routed = "yes"
  sluice.publish("discard", doc)
end)
