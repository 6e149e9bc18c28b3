-- wrk script: prints requests/s, p95 and error counts as key=value lines.
-- For the sign-up run, BENCH_SIGNUPS names a file of "slot_id token" lines; every request signs a
-- different person up for a slot, so no request is a repeat.
-- For the sync run, BENCH_SYNC is "slot_id token" and BENCH_SYNC_BATCH a number: every request
-- sends that many new notes (fresh client ids) for the slot.
local pairs_file = os.getenv("BENCH_SIGNUPS")
local sync = os.getenv("BENCH_SYNC")
local batch = tonumber(os.getenv("BENCH_SYNC_BATCH") or "50")
local threads = {}
local counter = 0

setup = function(thread)
  thread:set("tid", #threads)
  thread:set("nthreads", tonumber(os.getenv("BENCH_THREADS") or "2"))
  table.insert(threads, thread)
end

init = function(args)
  math.randomseed(os.time() * 1000 + tid)
  lines = {}
  if pairs_file then
    for line in io.lines(pairs_file) do table.insert(lines, line) end
  end
  statuses = {}
end

local function sync_request()
  local slot, token = sync:match("(%d+) (%S+)")
  local items = {}
  for i = 1, batch do
    local id = string.format("%08x-%04x-4%03x-8%03x-%012x",
                             math.random(0, 0x7fffffff), tid, counter % 4096, i, math.random(0, 0x7fffffff))
    items[i] = string.format(
      '{"client_id":"%s","type":"observation","activity_id":%s,' ..
      '"fields":{"customer":"shopper","did":"Compared two packs","tags":["price"]},' ..
      '"updated_at":"2030-01-01T10:00:00+00:00"}', id, slot)
  end
  counter = counter + 1
  return wrk.format("POST", "/api/v1/sync",
                    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"},
                    '{"items":[' .. table.concat(items, ",") .. ']}')
end

request = function()
  if sync then return sync_request() end
  if #lines == 0 then return wrk.format() end
  local k = counter * nthreads + tid
  counter = counter + 1
  local slot, token = lines[(k % #lines) + 1]:match("(%d+) (%S+)")
  return wrk.format("POST", "/api/v1/activities/" .. slot .. "/signups",
                    {["Authorization"] = "Bearer " .. token})
end

response = function(status)
  statuses[status] = (statuses[status] or 0) + 1
end

done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format("rps=%.1f\n", summary.requests / seconds))
  io.write(string.format("p95_ms=%.2f\n", latency:percentile(95) / 1000))
  io.write(string.format("p50_ms=%.2f\n", latency:percentile(50) / 1000))
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read
            + summary.errors.write + summary.errors.timeout
  io.write(string.format("errors=%d\n", bad))
  io.write(string.format("timeouts=%d\n", summary.errors.timeout))
  local seen = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses") or {}) do
      if status >= 400 then seen[status] = (seen[status] or 0) + n end
    end
  end
  for status, n in pairs(seen) do io.write(string.format("status_%d=%d\n", status, n)) end
end
