-- sluice default script (read because sluice.yaml says `script: routes.lua`).
--
-- The YAML route "latest-per-device" already feeds the browsers natively, with
-- no Lua per message. This script adds what YAML cannot say: a handler that
-- keeps a little state across messages and prints a fleet summary to stdout
-- every few seconds. Each worker runs its own copy of the script and sees its
-- own share of the devices (messages are spread over workers by key), so
-- there is one summary line per worker. Edit this file and send SIGHUP to
-- reload it in place (a broken script is refused and the running one stays).
--
-- API tour (see README.md, "Writing routes in Lua"):
--   sluice.route{ from, where, to, throttle, dead_letter, name }  native, no Lua per message
--   sluice.on(pattern, function(msg) ... end, { name, dead_letter })
--   sluice.on_request(pattern, function(req) return reply end)
--   sluice.publish(target, msg | string | table, { key, subject, headers })
--   msg.payload, msg.key, msg.subject, msg.source, msg.headers, msg.timestamp,
--   msg:get("data.SPEED"), msg:json(), sluice.json.encode/decode, sluice.log, sluice.node_id

local EVERY_MS = 3000
local SPEEDING_KMH = 110

local window_start -- timestamp (ms) of the first event of the current window
local events, moving, speeding = 0, 0, 0
local fastest = { device = nil, speed = -1 }

local function reset(now)
  window_start = now
  events, moving, speeding = 0, 0, 0
  fastest = { device = nil, speed = -1 }
end

sluice.on("tracking", function(msg)
  local now = msg.timestamp
  if now == 0 then now = os.time() * 1000 end -- a source that sets no timestamp
  if not window_start then reset(now) end

  events = events + 1
  if msg:get("data.ENGINE_STATUS") == "ON" then moving = moving + 1 end
  local speed = tonumber(msg:get("data.SPEED")) -- reads one field; no full decode
  if speed then
    if speed > SPEEDING_KMH then speeding = speeding + 1 end
    if speed > fastest.speed then
      fastest = { device = msg:get("data.DEVICE_ID"), speed = speed }
    end
  end

  if now - window_start >= EVERY_MS then
    local seconds = (now - window_start) / 1000
    sluice.publish("console", {
      summary = "fleet",
      node = sluice.node_id,
      events_per_s = math.floor(events / seconds + 0.5),
      moving_pct = math.floor(100 * moving / events + 0.5),
      speeding = speeding,
      fastest = fastest,
    })
    reset(now)
  end
  -- Returning without publishing counts the message as filtered by this handler.
end, { name = "fleet-summary" })
