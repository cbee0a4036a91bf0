"""The Twilio webhook's per-phone rate limits (WEBHOOK_RATE_LIMIT, e.g. "60 per minute;600 per
hour") in one round trip to Redis: a Lua script increments each window's counter in turn and
stops at the first one over its limit, as Flask-Limiter's fixed windows do, which cost one
round trip per window. The limits are parsed by the `limits` library; its in-memory fixed
window is used when the app's storage is `memory://` and while Redis is unreachable (a webhook
is never refused because Redis is down: the message and its job are in PostgreSQL).

`admit` is the webhook's one round trip to Redis: the same script counts the windows and, when
all have room, runs the RQ commands that enqueue the message's job (recorded by
workers.dispatch.enqueue_commands), so a refused message is never enqueued. The webhook stores
the message before (its id names the job) and deletes it again when refused. A phone refused
here is refused by this process without storing anything until its window ends
(`refused_recently`): a flood costs one insert and one delete per process and window.
The script touches the queue's keys without declaring them: one Redis server, not a cluster.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from functools import lru_cache

from flask import Flask
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

PREFIX = "sinac-webhook-limit"
REDIS_RETRY_SECONDS = 5.0  # after a Redis error, count in memory this long before trying again

# KEYS: one counter per window; ARGV: limit and window length (s) per key, in the same order.
# Returns {0, 0} when every window has room (after running the commands that follow the pairs, if
# any), else {index (1-based), seconds left in that window} and runs none of them.
_SCRIPT = """
for i, key in ipairs(KEYS) do
  local n = redis.call('INCR', key)
  local window = tonumber(ARGV[2 * i])
  if n == 1 then redis.call('EXPIRE', key, window) end
  if n > tonumber(ARGV[2 * i - 1]) then
    local ttl = redis.call('TTL', key)
    if ttl < 0 then ttl = window end
    return {i, ttl}
  end
end
-- then, optionally, commands packed in one argument: per command "<argument count>:", then per
-- argument "<length>:<bytes>" (one argument instead of ~70: redis-py's packing of each argument
-- cost more CPU than anything else the webhook did)
local blob = ARGV[2 * #KEYS + 1]
if blob then
  local at = 1
  local function field()
    local colon = string.find(blob, ":", at, true)
    local n = tonumber(string.sub(blob, at, colon - 1))
    at = colon + 1
    return n
  end
  while at <= #blob do
    local args = {}
    for i = 1, field() do
      local n = field()
      args[i] = string.sub(blob, at, at + n - 1)
      at = at + n
    end
    redis.call(unpack(args))
  end
end
return {0, 0}
"""
REFUSED_MEMORY = 10_000  # phones remembered as refused per process (the expired are dropped first)


@dataclass(frozen=True)
class Refusal:
    """The window that is full: its limit and the seconds until it starts again."""

    limit: RateLimitItem
    retry_after: int


@lru_cache(maxsize=8)
def _items(spec: str) -> tuple[RateLimitItem, ...]:
    return tuple(parse_many(spec))


class WebhookLimits:
    """Per-app state: the Redis script, the in-memory fallback and when Redis last failed."""

    def __init__(self, app: Flask):
        self.app = app
        uri = app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
        self.redis_url = None if uri.startswith("memory://") else uri
        self.memory = FixedWindowRateLimiter(MemoryStorage())
        self._script = None
        self._redis_down_until = 0.0
        self._refused: dict[str, tuple[float, Refusal]] = {}  # key -> (monotonic end, refusal)

    def check(self, key: str) -> Refusal | None:
        """Count one request for `key` in every window; the first full window, or None."""
        if not self.app.config.get("RATELIMIT_ENABLED", True):
            return None
        items = _items(self.app.config["SINAC"].webhook_rate_limit)
        if self.redis_url and time.monotonic() >= self._redis_down_until:
            try:
                return self._remember(key, self._check_redis(items, key))
            except RedisError as exc:
                self._redis_down(exc)
        return self._remember(key, self._check_memory(items, key))

    def admit(self, key: str, jobs: list, settings) -> Refusal | None:
        """`check`, then the jobs handed to RQ unless refused. When the limits and the queues
        share one Redis, one script does both (one round trip); otherwise, or while Redis
        fails, `check` and then workers.dispatch.enqueue_jobs (which leaves to the relay what
        Redis did not take)."""
        from workers import dispatch

        if (jobs and self.redis_url and self.redis_url == settings.redis_url and settings.jobs_mode != "inline"
                and self.app.config.get("RATELIMIT_ENABLED", True) and time.monotonic() >= self._redis_down_until):
            items = _items(self.app.config["SINAC"].webhook_rate_limit)
            try:
                commands = pack_commands(dispatch.enqueue_commands(jobs, settings))
            except Exception:  # never expected: RQ changed what it sends; the two round trips below
                log.exception("enqueue commands not recorded; limits and enqueue sent apart")
                commands = None
        else:
            commands = None
        if commands is not None:
            try:
                return self._remember(key, self._check_redis(items, key, commands))
            except RedisError as exc:  # counted in memory below; the relay enqueues the jobs
                self._redis_down(exc)
                refusal = self._remember(key, self._check_memory(items, key))
                if refusal is None:
                    dispatch.enqueue_jobs(jobs, settings)  # Redis is likely still down: logged, left to the relay
                return refusal
        refusal = self.check(key)
        if refusal is None and jobs:
            dispatch.enqueue_jobs(jobs, settings)
        return refusal

    def refused_recently(self, key: str) -> Refusal | None:
        """The refusal this process met for `key` while its window has not ended (nothing is
        counted: the window is full until then anyway), else None."""
        remembered = self._refused.get(key)
        if remembered is None:
            return None
        until, refusal = remembered
        left = until - time.monotonic()
        if left <= 0:
            self._refused.pop(key, None)
            return None
        return Refusal(refusal.limit, max(int(left + 0.999), 1))

    def _remember(self, key: str, refusal: Refusal | None) -> Refusal | None:
        if refusal is not None:
            now = time.monotonic()
            if len(self._refused) >= REFUSED_MEMORY:
                self._refused = {k: v for k, v in list(self._refused.items()) if v[0] > now}
                if len(self._refused) >= REFUSED_MEMORY:
                    self._refused.clear()
            self._refused[key] = (now + refusal.retry_after, refusal)
        return refusal

    def _redis_down(self, exc: Exception) -> None:
        self._redis_down_until = time.monotonic() + REDIS_RETRY_SECONDS
        log.warning("webhook rate limits counted in memory: Redis failed", extra={"error": str(exc)})

    def _check_redis(self, items, key: str, commands: bytes = b"") -> Refusal | None:
        if self._script is None:
            from workers.connections import redis_for

            self._script = redis_for(self.redis_url).register_script(_SCRIPT)
        args = []
        for item in items:
            args += [item.amount, item.get_expiry()]
        if commands:
            args.append(commands)
        index, ttl = self._script(keys=[f"{PREFIX}:{item.key_for(key)}" for item in items], args=args)
        return Refusal(items[int(index) - 1], max(int(ttl), 1)) if int(index) else None

    def _check_memory(self, items, key: str) -> Refusal | None:
        for item in items:
            if not self.memory.hit(item, key):
                reset = self.memory.get_window_stats(item, key).reset_time
                return Refusal(item, max(int(reset - time.time()), 1))
        return None


def pack_commands(commands) -> bytes:
    """Redis commands as one argument for the script: b"<count>:" then b"<length>:<bytes>" per
    argument, each argument encoded as redis-py encodes it (bytes as they are, str in UTF-8,
    int and float as their text)."""
    parts = []
    for command in commands:
        parts.append(b"%d:" % len(command))
        for value in command:
            if isinstance(value, bytes):
                data = value
            elif isinstance(value, str):  # str subclasses (RQ's status enum) by their value, as redis-py
                data = value.encode()
            elif isinstance(value, int) and not isinstance(value, bool):
                data = b"%d" % value
            elif isinstance(value, float):
                data = repr(value).encode()
            else:
                raise TypeError(f"cannot send {type(value).__name__} to Redis")
            parts.append(b"%d:%s" % (len(data), data))
    return b"".join(parts)


def limits_for(app: Flask) -> WebhookLimits:
    state = app.extensions.get("sinac_webhook_limits")
    if state is None:
        state = app.extensions["sinac_webhook_limits"] = WebhookLimits(app)
    return state
