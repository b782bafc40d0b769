-- wrk script for bench/lrs.sh: POST /xapi/statements, each request the next batch of the
-- file named after `--` (one JSON array of statements a line, every statement id unique, so
-- nothing is a repeat), with the LRS credential given as the second argument (Basic, already
-- base64); the run ends with one machine-readable RESULT line (latencies in microseconds).
--   wrk ... -s bench/statements.lua http://127.0.0.1:18082 -- BATCHES AUTH
local requests = {}
local next_one = 1

function init(args)
  local file, auth = args[1], args[2]
  if file == nil or auth == nil then error("statements.lua: give the batches file and the credential after --") end
  for line in io.lines(file) do
    if #line > 0 then
      requests[#requests + 1] = wrk.format("POST", "/xapi/statements", {
        ["Content-Type"] = "application/json",
        ["X-Experience-API-Version"] = "2.0.0",
        ["Authorization"] = "Basic " .. auth,
      }, line)
    end
  end
  if #requests == 0 then error("statements.lua: no batches in " .. file) end
end

function request()
  local r = requests[next_one]
  -- Past the end a batch would be a repeat (kept already): stop sending new work.
  next_one = math.min(next_one + 1, #requests)
  return r
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
