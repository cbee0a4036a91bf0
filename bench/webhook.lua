-- Pre-signed Twilio webhooks, each with its own MessageSid: args = <file> <offset> <threads> <delay ms>
-- Thread t sends lines offset+t, offset+t+threads, ...; done() reports the next unused line
-- (`next_offset`, from every thread's own counter) so the next run never re-sends a MessageSid.
-- Threads do not advance evenly, so the total request count is not a safe next offset.
local lines = {}
counter = 0  -- globals: done() reads them with thread:get
local threads = 1
local all_threads = {}
local next_thread_id = 0  -- main state only

-- thread:set() writes a GLOBAL of the thread's state: a `local thread_id` declared in this chunk
-- would shadow it in init(), so every thread started at the same line and sent the same
-- MessageSids (the duplicates were answered 200 but stored once).
function setup(thread)
  thread:set("thread_id", next_thread_id)
  next_thread_id = next_thread_id + 1
  table.insert(all_threads, thread)
end

function init(args)
  local file = args[1]
  local offset = tonumber(args[2] or "0")
  for line in io.lines(file) do
    lines[#lines + 1] = line
  end
  counter = offset + (thread_id or 0)  -- the global set by setup()
  threads = tonumber(args[3] or "1")
  delay_ms = tonumber(args[4] or "0")
  ok_responses = 0
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

function response(status, headers, body)
  if status == 200 then
    ok_responses = ok_responses + 1
  end
end

function delay()
  return delay_ms
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  local next_offset = 0
  local ok = 0
  for _, thread in ipairs(all_threads) do
    local c = thread:get("counter")
    if c > next_offset then
      next_offset = c
    end
    ok = ok + thread:get("ok_responses")
  end
  io.write(string.format(
    "RESULT {\"requests\": %d, \"duration_us\": %d, \"errors\": %d, \"status_errors\": %d, \"timeouts\": %d, \"ok\": %d, \"next_offset\": %d, \"p50_us\": %d, \"p90_us\": %d, \"p99_us\": %d, \"max_us\": %d}\n",
    summary.requests, summary.duration, errors, summary.errors.status, summary.errors.timeout, ok, next_offset,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
