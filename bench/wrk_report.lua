-- wrk script for bench/catalog.py.
--   wrk ... -s bench/wrk_report.lua URL                       requests URL's path
--   wrk ... -s bench/wrk_report.lua URL -- IDS_FILE PREFIX    requests PREFIX .. <random id> .. "/"
-- At the end it prints one line "BENCH_JSON {...}" with exact counts and latency percentiles (µs).

local ids = {}
local prefix = ""
local threads_made = 0

function setup(thread)
  threads_made = threads_made + 1
  thread:set("thread_number", threads_made)  -- a global in that thread's Lua state
end

function init(args)
  if args[1] then
    for line in io.lines(args[1]) do
      if line ~= "" then ids[#ids + 1] = line end
    end
    prefix = args[2] or "/api/v1/listings/"
  end
  -- A different sequence per thread, so two threads do not walk the same ids in step.
  math.randomseed(os.time() * 1000 + (thread_number or 0) * 7919)
end

-- Defined for every endpoint, so each one pays the same client-side cost per request.
function request()
  if #ids > 0 then
    return wrk.format("GET", prefix .. ids[math.random(#ids)] .. "/")
  end
  return wrk.format()
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"mean": %.1f, "max": %d, "p50": %d, "p90": %d, "p99": %d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency.max, latency:percentile(50), latency:percentile(90), latency:percentile(99)))
end
