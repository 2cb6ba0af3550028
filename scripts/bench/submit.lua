-- wrk script: POST a complaint per request, each with its own Idempotency-Key,
-- at a point inside a demo grid (LAT/LON from the environment), and print p95.
local lat = os.getenv("BENCH_LAT") or "40.142"
local lon = os.getenv("BENCH_LON") or "94.662"
local token = os.getenv("BENCH_TOKEN") or ""
local counter = 0
created = 0  -- a global: done() reads each thread's count with thread:get
local thread_id = 0
local threads = {}

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() + (tid or 0))
end

request = function()
  counter = counter + 1
  local body = string.format('{"categoryCode":"environment.garbage","text":"压测诉求：楼下垃圾没有清运 %d","lat":%s,"lon":%s}', counter, lat, lon)
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
    ["Idempotency-Key"] = string.format("bench-%d-%d-%d", tid or 0, counter, math.random(1, 1000000000)),
  }
  return wrk.format("POST", "/api/v1/complaints", headers, body)
end

-- Counts the 201 answers, so the stored complaints can be checked against them.
response = function(status, headers, body)
  if status == 201 then
    created = created + 1
  end
end

done = function(summary, latency, requests)
  io.write(string.format("p95: %.2fms\n", latency:percentile(95) / 1000))
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + (thread:get("created") or 0)
  end
  io.write(string.format("created: %d\n", total))
end
