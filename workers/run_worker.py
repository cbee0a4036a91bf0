"""`python -m workers.run_worker [rq worker options] QUEUE...` (Procfile `worker:`): `rq worker`
that waits for Redis instead of exiting when Redis is away at start-up.

RQ's command reads Redis before its worker exists (suspension flag, registration) and exits with
status 1 when it cannot: under honcho that ended the whole stack, under systemd it was a restart
loop. Here Redis is pinged with capped backoff first, and a start that still failed on Redis is
tried again. Once running, SinacWorker (workers/worker.py) rides out later outages itself.
Production on development secrets is refused before any wait: a worker waiting for Redis
must not hide, for as long as Redis is away, that it would never be allowed to run.
"""

from __future__ import annotations

import logging
import os
import sys
import time

from redis import Redis
from redis.exceptions import RedisError

from workers.worker import BACKOFF_FIRST, BACKOFF_MAX

log = logging.getLogger("sinac.worker")


def redis_url(args: list[str]) -> str:
    for index, arg in enumerate(args):
        if arg in ("--url", "-u") and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith("--url="):
            return arg.split("=", 1)[1]
    return os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


def reachable(url: str) -> bool:
    try:
        return bool(Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5).ping())
    except (RedisError, OSError):
        return False


def wait_for_redis(url: str, *, sleep=time.sleep) -> None:
    delay, attempts = BACKOFF_FIRST, 0
    while not reachable(url):
        attempts += 1
        log.error("Redis unavailable; the worker starts when it answers (attempt %d, next in %.0f s)",
                  attempts, delay)
        sleep(delay)
        delay = min(delay * 2, BACKOFF_MAX)
    if attempts:
        log.warning("Redis answers after %d failed attempt(s); starting the worker", attempts)


def main(args: list[str] | None = None) -> None:
    from rq.cli import main as rq_main

    from core.config import Settings
    from core.logs import configure_logging
    from workers.worker import refuse_unsafe

    args = list(sys.argv[1:] if args is None else args)
    configure_logging(os.environ.get("LOG_FORMAT", "text"))
    refuse_unsafe(Settings.from_env())
    url = redis_url(args)
    while True:
        wait_for_redis(url)
        try:
            rq_main(["worker", *args], prog_name="rq")
        except SystemExit as done:
            if done.code in (0, None) or reachable(url):
                raise  # stopped, or failed for another reason than Redis
            log.error("the worker could not start: Redis went away again")


if __name__ == "__main__":
    main()
