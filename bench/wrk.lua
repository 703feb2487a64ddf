-- wrk script for bench/wrk_load.py (issue 19): each request is the next line of a plan file,
-- "<path>\t<cookie header>" (the cookie may be empty), taken in turn, so the signed-in
-- scenarios (officer queue, form step) send every officer's or citizen's own session cookie.
-- GET requests need no CSRF token; sign-in and draft creation (which do) happen in Python
-- before wrk starts, and the session cookies they leave are what the plan carries.
--
--     PLAN=/tmp/plan.tsv wrk -t2 -c32 -d15s -s bench/wrk.lua http://127.0.0.1:8000
--
-- At the end one line "WRK_JSON {...}" carries the figures wrk_load.py reads back.

local plan = {}
local file = assert(io.open(os.getenv("PLAN"), "r"))
for line in file:lines() do
  local path, cookie = line:match("^([^\t]*)\t?(.*)$")
  if path and path ~= "" then
    plan[#plan + 1] = { path = path, cookie = cookie }
  end
end
file:close()

local counter = 0
local thread_count = 0
-- THINK_MS (optional): each connection waits 0.5–1.5 × this many milliseconds before each
-- request, as a person reading the page does; 0 or unset sends the next request at once.
local think_ms = tonumber(os.getenv("THINK_MS") or "0") or 0

function delay()
  if think_ms <= 0 then
    return 0
  end
  return math.floor(think_ms * (0.5 + math.random()))
end

function setup(thread)
  thread:set("offset", thread_count * 7919)
  math.randomseed(os.time() + thread_count)
  thread_count = thread_count + 1
end

function request()
  counter = counter + 1
  local item = plan[((counter + (offset or 0)) % #plan) + 1]
  local headers = {}
  if item.cookie ~= "" then
    headers["Cookie"] = item.cookie
  end
  return wrk.format("GET", item.path, headers)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "non_2xx": %d, "socket_errors": %d, '
      .. '"timeouts": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, errors.status, errors.connect + errors.read + errors.write,
    errors.timeout, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, latency.mean))
end
