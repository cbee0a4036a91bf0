"""The Twilio webhook's per-phone rate limits (WEBHOOK_RATE_LIMIT, e.g. "60 per minute;600 per
hour") in one round trip to Redis: a Lua script increments each window's counter in turn and
stops at the first one over its limit, as Flask-Limiter's fixed windows do, which cost one
round trip per window. The limits are parsed by the `limits` library; its in-memory fixed
window is used when the app's storage is `memory://` and while Redis is unreachable (a webhook
is never refused because Redis is down: the message and its job are in PostgreSQL).
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
# Returns {0, 0} when every window has room, else {index (1-based), seconds left in that window}.
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
return {0, 0}
"""


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

    def check(self, key: str) -> Refusal | None:
        """Count one request for `key` in every window; the first full window, or None."""
        if not self.app.config.get("RATELIMIT_ENABLED", True):
            return None
        items = _items(self.app.config["SINAC"].webhook_rate_limit)
        if self.redis_url and time.monotonic() >= self._redis_down_until:
            try:
                return self._check_redis(items, key)
            except RedisError as exc:
                self._redis_down_until = time.monotonic() + REDIS_RETRY_SECONDS
                log.warning("webhook rate limits counted in memory: Redis failed", extra={"error": str(exc)})
        return self._check_memory(items, key)

    def _check_redis(self, items, key: str) -> Refusal | None:
        if self._script is None:
            from workers.connections import redis_for

            self._script = redis_for(self.redis_url).register_script(_SCRIPT)
        args = []
        for item in items:
            args += [item.amount, item.get_expiry()]
        index, ttl = self._script(keys=[f"{PREFIX}:{item.key_for(key)}" for item in items], args=args)
        return Refusal(items[int(index) - 1], max(int(ttl), 1)) if int(index) else None

    def _check_memory(self, items, key: str) -> Refusal | None:
        for item in items:
            if not self.memory.hit(item, key):
                reset = self.memory.get_window_stats(item, key).reset_time
                return Refusal(item, max(int(reset - time.time()), 1))
        return None


def limits_for(app: Flask) -> WebhookLimits:
    state = app.extensions.get("sinac_webhook_limits")
    if state is None:
        state = app.extensions["sinac_webhook_limits"] = WebhookLimits(app)
    return state
