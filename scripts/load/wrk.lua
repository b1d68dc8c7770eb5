-- The wrk script of the benchmark.
--
-- The harness writes the scenario's request to the file named by BENCH_REQUEST_FILE:
-- the method on the first line, then one "Name: value" header a line, an empty line,
-- and the body. wrk builds that request once and sends it on every connection.
-- At the end, the run's figures are printed as one JSON line, counting non-2xx answers
-- (wrk itself only counts statuses above 399).

local file = assert(io.open(os.getenv("BENCH_REQUEST_FILE"), "rb"))
local text = file:read("*a")
file:close()

local split = text:find("\n\n", 1, true)
local head, body = text:sub(1, split - 1), text:sub(split + 2)
local lines = {}
for line in head:gmatch("[^\n]+") do
  table.insert(lines, line)
end
wrk.method = lines[1]
wrk.headers = {}
for index = 2, #lines do
  local name, value = lines[index]:match("^([^:]+):%s*(.*)$")
  wrk.headers[name] = value
end
if #body > 0 then
  wrk.body = body
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non_2xx = 0
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
