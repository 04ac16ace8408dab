-- wrk script: every request takes the next access token (so the load spreads over all users'
-- sessions) and the next target from a file of "path<TAB>body" lines (body optional).
-- Arguments after "--": tokens file, method, targets file, server pid, and optionally a
-- comma-separated list of further pids whose CPU counters are read too (a database server's
-- processes; "" for none) and where in the token and target lists to start (0), so that two wrk
-- processes sharing one load do not send the same requests in step.
--
-- It also brackets wrk's own window with the server's CPU counters: init() runs just before
-- the thread opens its connections and done() right after the thread has stopped, so the CPU
-- time read from /proc covers the requests wrk counts and nothing else of note. Run with -t1.

local tokens = {}
local targets = {}
local method = "GET"
local nextToken = 0
local nextTarget = 0
local threads = {}

local function firstLine(path)
  local file = assert(io.open(path, "r"))
  local line = file:read("*l")
  file:close()
  return line
end

-- The raw lines; bench/cpu-time.ts parses them.
local function snapshot(pid)
  return { process = firstLine("/proc/" .. pid .. "/stat"), machine = firstLine("/proc/stat") }
end

-- A process that has gone reads as "": cpu-time.ts counts it as missing, not as zero.
local function statOrEmpty(pid)
  local file = io.open("/proc/" .. pid .. "/stat", "r")
  if not file then return "" end
  local line = file:read("*l") or ""
  file:close()
  return line
end

local function otherLines(list)
  local lines = {}
  for pid in string.gmatch(list or "", "%d+") do lines[#lines + 1] = statOrEmpty(pid) end
  return lines
end

local function quote(text)
  return '"' .. text:gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end) .. '"'
end

local function quoteAll(lines)
  local quoted = {}
  for i, line in ipairs(lines) do quoted[i] = quote(line) end
  return "[" .. table.concat(quoted, ",") .. "]"
end

-- Runs in wrk's main Lua state, which done() shares; init() runs in the thread's own state.
function setup(thread)
  threads[#threads + 1] = thread
end

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
  server_pid = args[4]
  other_pids = args[5] or ""
  local offset = tonumber(args[6] or "0") or 0
  nextToken = offset % #tokens
  nextTarget = offset % #targets
  local start = snapshot(server_pid)
  window_start_process = start.process
  window_start_machine = start.machine
  window_start_others = quoteAll(otherLines(other_pids))
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
  local thread = threads[1]
  local finish = snapshot(thread:get("server_pid"))
  local finishOthers = quoteAll(otherLines(thread:get("other_pids")))
  local errors = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,' ..
      '"non2xx":%d,"socket_errors":%d,"start":{"process":%s,"machine":%s,"others":%s},' ..
      '"end":{"process":%s,"machine":%s,"others":%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, errors.status, errors.connect + errors.read + errors.write + errors.timeout,
    quote(thread:get("window_start_process")), quote(thread:get("window_start_machine")),
    thread:get("window_start_others"), quote(finish.process), quote(finish.machine),
    finishOthers))
end
