-- wrk script: the Touchpoint Registry workloads R1, R2, W1 as partner EDITOR tokens.
--   wrk -t T -c C -d 15s -s registry.lua http://127.0.0.1:18080 -- \
--       <R1|R2|W1> <queries dir> <tokens file> <T> [round base] [touchpoints per partner]
--       [text|apq|apq-get] [sha256 of the query text]
-- The mode sends the query as its text (default), as an automatic persisted query's hash only
-- by POST (`apq`), or by GET with the hash and the variables in the URL (`apq-get`).
-- Same load shape as the PostGraphile peer's bench/gql.lua: thread t of T rotates the caller
-- over its own slice of the 40 partner orgs (so two concurrent W1 batches rarely touch the
-- same org), R1 picks a random phase, R2 one of the caller's own touchpoints, W1 syncs a window
-- of 100 of the caller's existing externalIds with new values.
-- Every response body is checked: HTTP 200, no top-level GraphQL error (our error objects always
-- carry "message"), the expected payload, and for W1 an empty per-item `errors` list. Failures
-- are counted and the first one is printed, never hidden.
-- Ids follow `seed-bench`: <kind as 8 hex>-0000-4000-8000-<n as 12 hex>.

local function uuid(kind, n) return string.format("%08x-0000-4000-8000-%012x", kind, n) end
local BRAND = uuid(1, 0)
local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

local function readfile(p)
  local f = assert(io.open(p, "r")); local s = f:read("*a"); f:close(); return s
end
local function jstr(s)
  s = s:gsub("\\", "\\\\"):gsub('"', '\\"'):gsub("\n", "\\n")
  return '"' .. s .. '"'
end

function init(args)
  workload = args[1]
  local qdir, tokfile = args[2], args[3]
  nthreads = tonumber(args[4] or "1")
  -- W1 names carry "r<round>": a distinct base per wrk run makes every batch a real change,
  -- also when a later run sends the same window again.
  round_base = tonumber(args[5] or "0")
  per_org = math.min(500, tonumber(args[6] or "500"))
  mode = args[7] or "text"
  hash = args[8] or ""
  assert(mode == "text" or hash:match("^%x+$"), "a persisted mode needs the query's sha256")
  QUERY = jstr(readfile(qdir .. "/" .. workload .. ".graphql"))
  tokens = {}
  for line in io.lines(tokfile) do
    local n, tok = line:match("^(%d+) (%S+)$")
    if n then tokens[tonumber(n)] = tok end
  end
  for org = 1, 40 do assert(tokens[org], "no token for partner " .. org) end
  expect = ({ R1 = '"nodes":[{', R2 = '"touchpoint":{"id"', W1 = '"updated":100' })[workload]
  assert(expect, "workload must be R1, R2 or W1")
  math.randomseed(1000 + tid + round_base)
  counter, errs, bad = 0, 0, 0
  first_err = ""
  -- this thread's slice of the 40 partner orgs
  slice = math.floor(40 / nthreads); first_org = tid * slice + 1
end

local function urlencode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local EXPR = { "PERSONAL", "PHYSICAL", "DIGITAL" }
local OWN = { "OWN", "PARTNER", "THIRD_PARTY" }
-- the peer's lowercase channels (web app store phone email event print social), in our enum
local CHAN = { "WEBSITE", "APP", "STORE", "PHONE", "EMAIL", "EVENT", "PRINT", "SOCIAL" }

local function w1_items(local_round)
  -- 100 existing external ids of the org (a window of its 500), new attribute values
  local w = (local_round % math.floor(per_org / 100)) * 100
  local r = round_base + local_round
  local parts = {}
  for k = w, w + 99 do
    parts[#parts + 1] = string.format(
      '{"externalId":"tp-%04d","name":"Touchpoint %d synced r%d","description":"Synced by partner job round %d",' ..
      '"expressions":["%s"],"channel":"%s","phaseId":"%s","ownership":"%s","visibility":"%s",' ..
      '"importance":%d,"urgency":%d,"maturity":%d,"effort":%d,"benefit":%d,"status":"ACTIVE"}',
      k, k, r, r, EXPR[1 + k % 3], CHAN[1 + k % 8], uuid(2, 1 + k % 6),
      OWN[1 + k % 3], (k % 2 == 0) and "NETWORK" or "PRIVATE",
      math.random(1, 5), math.random(1, 5), math.random(1, 5), math.random(1, 5), math.random(1, 5))
  end
  return "[" .. table.concat(parts, ",") .. "]"
end

function request()
  counter = counter + 1
  local org = first_org + (counter % slice)            -- partner org 1..40
  local vars
  if workload == "R1" then
    vars = string.format('{"brandId":"%s","phaseId":"%s"}', BRAND, uuid(2, math.random(1, 6)))
  elseif workload == "R2" then
    -- one of the caller's own touchpoints (always visible): n = 40k + org
    vars = string.format('{"id":"%s"}', uuid(4, 40 * math.random(0, per_org - 1) + org))
  else
    vars = string.format('{"brandId":"%s","items":%s}', BRAND, w1_items(math.floor(counter / slice)))
  end
  local auth = "Bearer " .. tokens[org]
  local persisted = '{"persistedQuery":{"version":1,"sha256Hash":"' .. hash .. '"}}'
  if mode == "apq-get" then
    return wrk.format("GET", "/graphql?variables=" .. urlencode(vars) .. "&extensions=" .. urlencode(persisted),
      { ["Authorization"] = auth })
  end
  local body
  if mode == "apq" then
    body = '{"extensions":' .. persisted .. ',"variables":' .. vars .. '}'
  else
    body = '{"query":' .. QUERY .. ',"variables":' .. vars .. '}'
  end
  return wrk.format("POST", "/graphql",
    { ["Content-Type"] = "application/json", ["Authorization"] = auth }, body)
end

local function note(status, body)
  if first_err == "" then first_err = "status=" .. status .. " body=" .. string.sub(body or "", 1, 400) end
end

function response(status, headers, body)
  if status ~= 200 then
    bad = bad + 1; note(status, body)
  elseif body:find('"message"', 1, true) or not body:find(expect, 1, true)
      or (workload == "W1" and not body:find('"errors":[]', 1, true))
      or (workload ~= "W1" and body:find('"errors"', 1, true)) then
    errs = errs + 1; note(status, body)
  end
end

function done(summary, latency, requests)
  local e, b, first = 0, 0, ""
  for _, t in ipairs(threads) do
    e = e + t:get("errs"); b = b + t:get("bad")
    local f = t:get("first_err")
    if first == "" and f and f ~= "" then first = f end
  end
  local s = summary.errors
  if first ~= "" then io.write("FIRST_ERROR " .. first:gsub("\n", " ") .. "\n") end
  io.write(string.format(
    "RESULT rps=%.1f p50_ms=%.2f p99_ms=%.2f requests=%d gql_errors=%d non200=%d socket_errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.requests, e, b,
    s.connect + s.read + s.write + s.timeout))
end
