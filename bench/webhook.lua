-- Pre-signed Twilio webhooks, each with its own MessageSid: args = <file> <offset>
local lines = {}
local counter = 0
local thread_id = 0
local threads = 1

function setup(thread)
  thread:set("thread_id", thread_id)
  thread_id = thread_id + 1
end

function init(args)
  local file = args[1]
  local offset = tonumber(args[2] or "0")
  for line in io.lines(file) do
    lines[#lines + 1] = line
  end
  counter = offset + (thread_id or 0)
  threads = tonumber(args[3] or "1")
  delay_ms = tonumber(args[4] or "0")
end

function request()
  local index = (counter % #lines) + 1
  counter = counter + threads
  local line = lines[index]
  local tab = string.find(line, "\t")
  local signature = string.sub(line, 1, tab - 1)
  local body = string.sub(line, tab + 1)
  return wrk.format("POST", "/webhooks/twilio", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Twilio-Signature"] = signature,
  }, body)
end

function delay()
  return delay_ms
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    "RESULT {\"requests\": %d, \"duration_us\": %d, \"errors\": %d, \"status_errors\": %d, \"p50_us\": %d, \"p90_us\": %d, \"p99_us\": %d, \"max_us\": %d}\n",
    summary.requests, summary.duration, errors, summary.errors.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
