-- Benchmark (b): the same filter as native-where-null.yaml, as a Lua handler.
sluice.on("tracking", function(msg)
  if msg:get("data.SPEED") ~= "0.00" then sluice.publish("discard", msg) end
end)
