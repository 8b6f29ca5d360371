-- add_note commands, each thread on its own case, tracking the version from the ETag.
local ids = {}
for id in string.gmatch(os.getenv("CASE_IDS"), "%S+") do table.insert(ids, id) end
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("case_id", ids[counter])
end
function init()
  version = nil
end
function request()
  local headers = {
    ["Authorization"] = "Bearer " .. os.getenv("TOKEN"),
    ["Content-Type"] = "application/json",
    ["If-Match"] = '"' .. (version or "0") .. '"',
  }
  return wrk.format("POST", "/api/v1/cases/" .. case_id .. "/commands", headers,
    '{"command": "add_note", "text": "Seguimiento telefónico."}')
end
function response(status, headers, body)
  local tag = headers["ETag"] or headers["etag"]
  if tag then version = string.gsub(tag, '"', "") end
  local current = string.match(body, '"current":(%d+)')
  if current then version = current end
end
