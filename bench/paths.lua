-- wrk script for bench/load.sh: each request is a random path from the file named after `--`,
-- and the run ends with one machine-readable RESULT line (latencies in microseconds).
--   wrk ... -s bench/paths.lua http://127.0.0.1:18080 -- FILE [SEED]
local paths = {}

function init(args)
  local file = args[1]
  if file == nil then error("paths.lua: give the paths file after --") end
  for line in io.lines(file) do
    if #line > 0 then paths[#paths + 1] = line end
  end
  if #paths == 0 then error("paths.lua: no paths in " .. file) end
  math.randomseed(tonumber(args[2]) or 1)
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
