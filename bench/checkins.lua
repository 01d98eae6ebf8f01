-- wrk script for bench/checkin_load.py: POST /api/v1/checkins with a fresh body per request,
-- as bench/loadgen.py makes them (a random worker's bearer token, a random site's signed code,
-- a fix within ~25 m of the site, a new client_id, captured now), so that check-ins are driven
-- by the same generator as the bare /ping they are compared with.
--
--   wrk -t2 -c64 -d10s -s bench/checkins.lua http://127.0.0.1:PORT -- PLAN_FILE
--
-- PLAN_FILE (written by bench/checkin_load.py): one line per site, "site TOKEN LAT LNG", and one
-- per worker, "bearer TOKEN".

local sites, bearers = {}, {}
local thread_number = 0

function setup(thread)
  thread_number = thread_number + 1
  thread:set("thread_number", thread_number)
end

function init(args)
  for line in io.lines(args[1]) do
    local kind, a, b, c = line:match("^(%S+) (%S+) ?(%S*) ?(%S*)$")
    if kind == "site" then
      sites[#sites + 1] = { token = a, lat = tonumber(b), lng = tonumber(c) }
    elseif kind == "bearer" then
      bearers[#bearers + 1] = a
    end
  end
  -- each thread its own sequence: two threads must never draw the same client_id
  math.randomseed(os.time() * 1000 + (thread_number or 0) * 7919 + math.floor(os.clock() * 1e6))
end

local function uuid4()
  local r = math.random
  return string.format("%08x-%04x-4%03x-%04x-%06x%06x",
    r(0, 0xffffffff), r(0, 0xffff), r(0, 0xfff), 0x8000 + r(0, 0x3fff), r(0, 0xffffff), r(0, 0xffffff))
end

function request()
  local site = sites[math.random(#sites)]
  local body = string.format(
    '{"token":"%s","lat":%.7f,"lng":%.7f,"accuracy_m":%d,"client_id":"%s","captured_at":"%s"}',
    site.token, site.lat + (math.random() - 0.5) * 0.0004, site.lng + (math.random() - 0.5) * 0.0004,
    math.random(5, 40), uuid4(), os.date("!%Y-%m-%dT%H:%M:%S+00:00"))
  return wrk.format("POST", "/api/v1/checkins", {
    ["Authorization"] = "Bearer " .. bearers[math.random(#bearers)],
    ["Content-Type"] = "application/json",
  }, body)
end

-- the same WRKJSON line as bench/healthz.lua (its done())
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "healthz.lua")
