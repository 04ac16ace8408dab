-- wrk script: every request takes the next access token (so the load spreads over all users'
-- sessions) and the next target from a file of "path<TAB>body" lines (body optional).
-- Arguments after "--": tokens file, method, targets file.

local tokens = {}
local targets = {}
local method = "GET"
local nextToken = 0
local nextTarget = 0

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then tokens[#tokens + 1] = line end
  end
  method = args[2]
  for line in io.lines(args[3]) do
    if #line > 0 then
      local path, body = line:match("^([^\t]*)\t?(.*)$")
      if body == "" then body = nil end
      targets[#targets + 1] = { path = path, body = body }
    end
  end
end

function request()
  nextToken = nextToken % #tokens + 1
  nextTarget = nextTarget % #targets + 1
  local target = targets[nextTarget]
  local headers = { ["Authorization"] = "Bearer " .. tokens[nextToken] }
  if target.body then headers["Content-Type"] = "application/json" end
  return wrk.format(method, target.path, headers, target.body)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,' ..
      '"non2xx":%d,"socket_errors":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
