-- The mixed load of issue 34: each request is a read of the case CASE_ID (GET /cases/{id}) with
-- probability 0.8, else a registration (POST /cases with the intake of INTAKE_FILE). Prints at the
-- end how many of each were answered (200 a read, 201 a registration) and any other status.
local f = assert(io.open(os.getenv("INTAKE_FILE")))
local intake = f:read("*a")
f:close()
local token = "Bearer " .. os.getenv("TOKEN")
local case_path = "/api/v1/cases/" .. os.getenv("CASE_ID")
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
function init()
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)"), 16) % 100000)
  reads, registrations, others = 0, 0, 0
end
function request()
  if math.random() < 0.8 then
    return wrk.format("GET", case_path, { ["Authorization"] = token })
  end
  return wrk.format("POST", "/api/v1/cases",
    { ["Authorization"] = token, ["Content-Type"] = "application/json" }, intake)
end
function response(status)
  if status == 200 then reads = reads + 1
  elseif status == 201 then registrations = registrations + 1
  else others = others + 1 end
end
function done(summary)
  local r, w, o = 0, 0, 0
  for _, t in ipairs(threads) do
    r, w, o = r + t:get("reads"), w + t:get("registrations"), o + t:get("others")
  end
  local secs = summary.duration / 1e6
  io.write(string.format("mixed: reads %d (%.0f/s), registrations %d (%.0f/s), other statuses %d\n",
    r, r / secs, w, w / secs, o))
end
