-- wrk script for bench/heartbeats.sh: POST /heartbeat, each request the next ticket of the file
-- named after `--` (round robin, so every simulated learner beats in turn), text/plain, no
-- cookie; the run ends with one machine-readable RESULT line (latencies in microseconds).
--   wrk ... -s bench/beats.lua http://127.0.0.1:18081 -- TICKETS [START]
-- START (default 1) is where in the list this run begins, so runs do not repeat each other.
local requests = {}
local next_one = 1

function init(args)
  local file = args[1]
  if file == nil then error("beats.lua: give the tickets file after --") end
  for line in io.lines(file) do
    if #line > 0 then
      requests[#requests + 1] = wrk.format("POST", "/heartbeat",
        { ["Content-Type"] = "text/plain" }, line)
    end
  end
  if #requests == 0 then error("beats.lua: no tickets in " .. file) end
  next_one = ((tonumber(args[2]) or 1) - 1) % #requests + 1
end

function request()
  local r = requests[next_one]
  next_one = next_one % #requests + 1
  return r
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
