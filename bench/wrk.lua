-- wrk script: prints requests/s, p95 and error counts as key=value lines.
-- For the sign-up run, BENCH_SIGNUPS names a file of "slot_id token" lines; every request signs a
-- different person up for a slot, so no request is a repeat.
local pairs_file = os.getenv("BENCH_SIGNUPS")
local threads = {}
local counter = 0

setup = function(thread)
  thread:set("tid", #threads)
  thread:set("nthreads", tonumber(os.getenv("BENCH_THREADS") or "2"))
  table.insert(threads, thread)
end

init = function(args)
  lines = {}
  if pairs_file then
    for line in io.lines(pairs_file) do table.insert(lines, line) end
  end
  statuses = {}
end

request = function()
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
end
