-- Spreads wrk's threads over several servers: thread i goes to the i-th port of PORTS
-- (space-separated, on 127.0.0.1), round robin, and runs the step script STEP_SCRIPT
-- (register.lua, auth.lua, mixed.lua) unchanged. With -t2 -c16 each of two servers gets
-- 8 connections.
dofile(os.getenv("STEP_SCRIPT"))
local step_setup = setup
local ports = {}
for p in string.gmatch(os.getenv("PORTS"), "%d+") do table.insert(ports, p) end
local started = 0
function setup(thread)
  thread.addr = wrk.lookup("127.0.0.1", ports[started % #ports + 1])[1]
  started = started + 1
  if step_setup then step_setup(thread) end
end
