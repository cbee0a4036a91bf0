"""The pace at which each sender hands messages to Twilio, shared by every worker through Redis.

A sender (a WhatsApp or SMS number) has a rate Twilio allows it (messages per second, per
channel in the settings). Each worker asks this module for a turn before every call to
Twilio's Messages API; the turn is granted by one Redis script (GCRA, the token bucket kept as
one timestamp per sender), so all workers together never exceed the rate. A 429 from Twilio
pauses the sender for everybody, not only for the worker that received it.

Why a script of our own: RQ has no rate limits, and the `limits` library (under Flask-Limiter)
answers only yes or no with each worker's own clock; here a refused worker learns how long to
wait, the clock is Redis's, and a pause can be imposed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import lru_cache

from redis import Redis
from redis.exceptions import RedisError

from core.config import Settings

log = logging.getLogger(__name__)

# The bucket holds this many seconds' worth of turns: a sender idle for a while may send a short
# burst (never more than max(1, rate × BURST_SECONDS) at once), then the steady rate.
BURST_SECONDS = 0.1
KEY_PREFIX = "sinac:pace:"

# KEYS[1] the sender's key. ARGV: seconds per message, burst (messages), pause (seconds; > 0
# pauses the sender instead of taking a turn). Returns "0" when the turn is granted, else the
# seconds to wait (as a string: Lua numbers come back truncated to integers).
# The key holds the theoretical arrival time (TAT) of the next message.
_GCRA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local pause = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local tolerance = (burst - 1) * interval
if pause > 0 then
  if now + pause + tolerance > tat then tat = now + pause + tolerance end
else
  local allowed_at = tat - tolerance
  if allowed_at > now then return string.format('%.6f', allowed_at - now) end
  tat = tat + interval
end
redis.call('SET', KEYS[1], string.format('%.6f', tat), 'PX', math.ceil((tat - now) * 1000) + 1000)
return '0'
"""


class Pacer:
    """Turns for senders at `rates[channel]` messages per second (0 or missing: unpaced)."""

    def __init__(self, redis: Redis, rates: dict[str, float], burst_seconds: float = BURST_SECONDS):
        self.redis = redis
        self.rates = rates
        self.burst_seconds = burst_seconds
        self._script = redis.register_script(_GCRA)

    def _args(self, channel: str) -> tuple[float, float]:
        """(seconds per message, burst); an unpaced channel (rate 0) still honours a pause."""
        rate = self.rates.get(channel) or 0.0
        if rate <= 0:
            return 0.0, 1.0
        return 1.0 / rate, max(1.0, rate * self.burst_seconds)

    def wait_turn(self, sender: str, channel: str, sleep: Callable[[float], None] = time.sleep) -> float:
        """Block until this sender may send one message; returns the seconds waited. Redis
        unreachable: the turn is granted (logged) — a worker cut off from Redis gets no new
        jobs either, and Twilio's own 429s are still backed off."""
        args = self._args(channel)
        waited = 0.0
        while True:
            try:
                wait = float(self._script(keys=[KEY_PREFIX + sender], args=[args[0], args[1], 0]))
            except RedisError as exc:
                log.warning("pacing unavailable, sending unpaced", extra={"error": str(exc)})
                return waited
            if wait <= 0:
                return waited
            sleep(wait)
            waited += wait

    def pause(self, sender: str, channel: str, seconds: float) -> None:
        """Nobody sends from this sender for `seconds` (Twilio answered 429)."""
        args = self._args(channel)
        try:
            self._script(keys=[KEY_PREFIX + sender], args=[args[0], args[1], max(seconds, 0.001)])
        except RedisError as exc:
            log.warning("pacing unavailable, pause not shared", extra={"error": str(exc)})


class NoPacing:
    """Inline jobs (one process, tests): nothing to share a pace with."""

    def wait_turn(self, sender: str, channel: str, sleep: Callable[[float], None] = time.sleep) -> float:
        return 0.0

    def pause(self, sender: str, channel: str, seconds: float) -> None:
        return None


def rates_from(settings: Settings) -> dict[str, float]:
    return {"sms": settings.outbound_sms_per_second, "whatsapp": settings.outbound_whatsapp_per_second}


def pacer_for(settings: Settings) -> Pacer | NoPacing:
    if settings.jobs_mode == "inline":
        return NoPacing()
    return _pacer(settings.redis_url, tuple(sorted(rates_from(settings).items())))


@lru_cache(maxsize=8)
def _pacer(redis_url: str, rates: tuple) -> Pacer:
    return Pacer(Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=5), dict(rates))
