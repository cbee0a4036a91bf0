"""«También lo está viendo …»: who else has a case page open, kept in Redis with a TTL.

Each view of a case page, and a heartbeat from the open page every HEARTBEAT seconds
(static/js/presence.js), stamps the user in a sorted set per case; stamps older than TTL are
dropped. Redis being down only hides the notice (and stops asking for RETRY_AFTER seconds).
"""

from __future__ import annotations

import logging
import time

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import select

from core.models import User

log = logging.getLogger("sinac.presence")

TTL = 45  # seconds without a heartbeat after which a viewer is gone
HEARTBEAT = 15
RETRY_AFTER = 30.0
_down_until = 0.0


def _key(case_id: int) -> str:
    return f"sinac:presence:case:{case_id}"


def _redis():
    from workers.connections import redis_for

    return redis_for(current_app.config["SINAC"].redis_url)


def touch(session, case_id: int, user_id: int) -> list[str]:
    """Stamp `user_id` on the case and return the names of the others viewing it."""
    global _down_until
    if time.monotonic() < _down_until:
        return []
    stamp = time.time()
    try:
        pipe = _redis().pipeline()
        pipe.zadd(_key(case_id), {str(user_id): stamp})
        pipe.zremrangebyscore(_key(case_id), "-inf", stamp - TTL)
        pipe.zrange(_key(case_id), 0, -1)
        pipe.expire(_key(case_id), TTL * 2)
        _, _, members, _ = pipe.execute()
    except (RedisError, OSError) as exc:
        _down_until = time.monotonic() + RETRY_AFTER
        log.warning("presence unavailable", extra={"error": str(exc)})
        return []
    others = [int(m) for m in members if m.decode() != str(user_id) and m.decode().isdigit()]
    if not others:
        return []
    return list(session.scalars(select(User.nombre).where(User.id.in_(others)).order_by(User.nombre)))


def leave(case_id: int, user_id: int) -> None:
    try:
        _redis().zrem(_key(case_id), str(user_id))
    except (RedisError, OSError):
        pass


def sentence(names: list[str]) -> str:
    """'También lo está viendo Ana.' / 'También lo están viendo Ana y Beto.'"""
    if not names:
        return ""
    if len(names) == 1:
        return f"También lo está viendo {names[0]}."
    return f"También lo están viendo {', '.join(names[:-1])} y {names[-1]}."
