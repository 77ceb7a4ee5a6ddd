-- wrk script for bench/webhooks.py: POST one signed Stripe event per request, never the same
-- one twice (each thread takes every Nth line of the file).
--   wrk ... -s bench/wrk_webhooks.lua URL -- EVENTS_FILE THREADS
-- Each line of EVENTS_FILE is "<Stripe-Signature>\t<raw JSON body>".
-- At the end it prints "BENCH_JSON {...}" as bench/wrk_report.lua does.

local events = {}
local position = 0
local threads_made = 0

function setup(thread)
  threads_made = threads_made + 1
  thread:set("thread_number", threads_made)
end

function init(args)
  local stride = tonumber(args[2])
  local n = 0
  for line in io.lines(args[1]) do
    n = n + 1
    if (n - thread_number) % stride == 0 then
      local tab = string.find(line, "\t", 1, true)
      events[#events + 1] = {string.sub(line, 1, tab - 1), string.sub(line, tab + 1)}
    end
  end
end

function request()
  position = position + 1
  local event = events[position]
  if event == nil then
    event = events[#events]  -- out of fresh events: repeats are duplicates (cheap); avoid by sizing
  end
  return wrk.format("POST", "/webhooks/stripe/",
    {["Content-Type"] = "application/json", ["Stripe-Signature"] = event[1]}, event[2])
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
