-- POST /cases with a valid intake.
local f = assert(io.open(os.getenv("INTAKE_FILE")))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.headers["Content-Type"] = "application/json"
function response(status)
  if status ~= 201 then io.stderr:write("status " .. status .. "\n") end
end
