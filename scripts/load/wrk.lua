-- The wrk script of the benchmark.
--
-- The harness writes the scenario's requests to the file named by BENCH_REQUEST_FILE: for
-- each, the method and path on one line, one "Name: value" header a line, an empty line, the
-- body's length in bytes on a line of its own, then the body and a newline. wrk builds each
-- request once; a thread sends them in turn, in the file's order (one request but for routing).
-- At the end, the run's figures are printed as one JSON line, counting non-2xx answers
-- (wrk itself only counts statuses above 399).

local file = assert(io.open(os.getenv("BENCH_REQUEST_FILE"), "rb"))
local text = file:read("*a")
file:close()

local specs = {}
local at = 1
while at <= #text do
  local split = text:find("\n\n", at, true)
  local head = text:sub(at, split - 1)
  local size_end = text:find("\n", split + 2, true)
  local size = tonumber(text:sub(split + 2, size_end - 1))
  local body = text:sub(size_end + 1, size_end + size)
  at = size_end + size + 2
  local lines = {}
  for line in head:gmatch("[^\n]+") do
    table.insert(lines, line)
  end
  local method, path = lines[1]:match("^(%S+) (%S+)$")
  local headers = {}
  for index = 2, #lines do
    local name, value = lines[index]:match("^([^:]+):%s*(.*)$")
    headers[name] = value
  end
  table.insert(specs, {method = method, path = path, headers = headers, body = size > 0 and body or nil})
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non_2xx = 0
  prepared = {}
  for index, spec in ipairs(specs) do
    prepared[index] = wrk.format(spec.method, spec.path, spec.headers, spec.body)
  end
  turn = 0
end

if #specs == 1 then
  -- One request: wrk's own path, which builds it once and sends the same bytes every time.
  wrk.method, wrk.path, wrk.headers, wrk.body = specs[1].method, specs[1].path, specs[1].headers, specs[1].body
else
  function request()
    turn = turn % #prepared + 1
    return prepared[turn]
  end
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non_2xx = non_2xx + 1
  end
end

function done(summary, latency, requests)
  local non = 0
  for _, thread in ipairs(threads) do
    non = non + thread:get("non_2xx")
  end
  local errors = summary.errors
  io.write(string.format(
    '{"duration_us": %d, "requests": %d, "non_2xx": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, ' ..
    '"latency_us": {"p50": %d, "p75": %d, "p90": %d, "p99": %d, "max": %d, "mean": %.3f}}\n',
    summary.duration, summary.requests, non,
    errors.connect, errors.read, errors.write, errors.timeout,
    latency:percentile(50), latency:percentile(75), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
