-- wrk script: devices send events with their own keys (BENCH_KEYS: a file, one key per
-- line), each event with a fresh id; BENCH_BATCH events per request (1: the single-event
-- door, more: the batch door). Heartbeats only, so the figure is the pipeline's, not alarms'.
local batch = tonumber(os.getenv("BENCH_BATCH") or "1")
local keys = {}
local counter = 0
local thread_id = 0
accepted = 0

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
end

function init(args)
  for line in io.lines(os.getenv("BENCH_KEYS")) do table.insert(keys, line) end
  math.randomseed(os.time() + (tid or 0) * 7919)
end

local function event(n)
  return string.format('{"id":"b%d-%d-%d","kind":"heartbeat","battery":%d}', tid or 0, counter, n, 50 + n % 50)
end

request = function()
  counter = counter + 1
  local key = keys[(counter * 7 + (tid or 0)) % #keys + 1]
  local body, path
  if batch <= 1 then
    body = event(0)
    path = "/api/v1/ingest/events"
  else
    local parts = {}
    for i = 1, batch do parts[i] = event(i) end
    body = '{"events":[' .. table.concat(parts, ",") .. ']}'
    path = "/api/v1/ingest/batch"
  end
  return wrk.format("POST", path, { ["Content-Type"] = "application/json", ["X-Device-Key"] = key }, body)
end

response = function(status, headers, body)
  if status == 200 then
    local n = body:match('"accepted":(%d+)')
    if n then accepted = accepted + tonumber(n) end
  end
end

done = function(summary, latency, requests)
  io.write(string.format("p95: %.2fms\n", latency:percentile(95) / 1000))
end
