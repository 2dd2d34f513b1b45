-- sluice default script (read because sluice.yaml says `script: routes.lua`).
--
-- The YAML route "moving-vehicles" already copies every moving vehicle to
-- stdout natively. This script adds what YAML cannot say: a Lua handler
-- that looks at each event and publishes a small alert for vehicles going
-- faster than 110 km/h. Edit it and send SIGHUP to reload it in place (a
-- broken script is refused and the running one stays).
--
-- API tour (see README.md, "Writing routes in Lua"):
--   sluice.route{ from, where, to, throttle, dead_letter, name }  native, no Lua per message
--   sluice.on(pattern, function(msg) ... end, { name, dead_letter })
--   sluice.on_request(pattern, function(req) return reply end)
--   sluice.publish(target, msg | string | table, { key, subject, headers })
--   msg.payload, msg.key, msg.subject, msg.source, msg.headers, msg.timestamp,
--   msg:get("data.SPEED"), msg:json(), sluice.json.encode/decode, sluice.log, sluice.node_id

local LIMIT_KMH = 110

sluice.on("tracking", function(msg)
  local speed = tonumber(msg:get("data.SPEED"))  -- reads one field; no full decode
  if speed and speed > LIMIT_KMH then
    sluice.publish("console", {
      alert = "speeding",
      device = msg:get("data.DEVICE_ID"),
      speed = speed,
      node = sluice.node_id,
    })
  end
  -- Returning without publishing counts the message as filtered by this handler.
end, { name = "speeding-alerts" })
