-- A request/reply command agent (the FreeSWITCH-over-NATS use): every
-- request on bus:freeswitch.api gets a JSON reply through the source's
-- reply path. Commands: {"command":"ping"}, {"command":"echo","text":...}.
-- (`status` and `version` need no script: see control_subject.)
-- Run with a NATS server: sluice run -c config/examples/command-agent.yaml
-- then: nats req freeswitch.api '{"command":"ping"}'

local started = os.time()

local commands = {
  ping = function(req)
    return { pong = true, uptime_s = os.time() - started }
  end,
  echo = function(req)
    return { text = req:get("text") }
  end,
}

sluice.on_request("bus:freeswitch.api", function(req)
  local name = req:get("command")
  local command = commands[name]
  if not command then
    return { node = sluice.node_id, error = "unknown command '" .. tostring(name or req.payload) .. "'" }
  end
  local reply = command(req)
  reply.node = sluice.node_id
  reply.command = name
  return reply  -- a table is sent as JSON; a string as is
end, { name = "command-agent" })
