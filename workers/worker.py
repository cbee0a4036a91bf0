"""The RQ worker class of the Procfile: warms the NLU model, the coverage index and the twilio
client in the parent process, so each forked work-horse inherits them instead of loading them
for every job (seconds → milliseconds per turn).

After the warm-up the parent's objects are moved to the garbage collector's permanent generation
(`gc.freeze()`): otherwise the first full collection in each work-horse walks the whole warmed heap
(NLU vocabularies, coverage index), writing to every page it shares with the parent. Measured on a
loaded 2-core machine: 1.1-1.6 s per forked job for that collection, 0 ms once frozen."""

from __future__ import annotations

import gc
import logging

from rq.worker import Worker

log = logging.getLogger(__name__)


# Modules the jobs import lazily (inside the task functions): imported here once, otherwise
# every forked work-horse imports them again (and, with PYTHONDONTWRITEBYTECODE, compiles them).
JOB_MODULES = (
    "bot.turns", "bot.outbound", "bot.inbox", "bot.dialogue.router", "bot.dialogue.expiry",
    "core.services.cases", "core.satisfaction", "core.notifications", "core.reports",
    "core.reports.snapshots", "core.retention", "workers.connections", "workers.dispatch",
    "workers.metrics", "workers.notify",
)


def warm_up() -> None:
    """Import every job's code and build the caches once. The database engine is created and
    initialised (dialect, server version) with one connection that is closed again before any
    fork: children inherit a ready engine with an empty pool, never a shared socket."""
    import importlib
    from datetime import date

    import twilio.rest  # noqa: F401  (the client module tree is large)

    import workers.tasks  # noqa: F401  (the dialogue, services, models...)
    from bot.nlu import get_parser
    from bot.twilio_client import build_client
    from core.config import Settings
    from core.coverage import get_engine
    from core.db import engine_for
    from core.plazos import BusinessCalendar

    for name in JOB_MODULES:
        importlib.import_module(name)
    get_parser().parse("hola")
    get_engine().ask("vacuna")
    BusinessCalendar().add(date.today(), 30)  # loads the official holidays of this year and the next
    settings = Settings.from_env()
    build_client(settings).messages  # noqa: B018  (imports the Messages API tree, no request)
    engine = engine_for(settings.database_url)
    with engine.connect():
        pass
    engine.dispose()


def freeze_heap() -> None:
    """Collect once, then keep everything allocated so far out of later collections (the
    work-horses fork from this heap; see the module docstring)."""
    gc.collect()
    gc.freeze()


def refuse_unsafe(settings) -> None:
    """Exit (status 2, reasons logged) instead of running production on public defaults."""
    from core.config import UnsafeConfiguration

    try:
        settings.require_safe()
    except UnsafeConfiguration as exc:
        log.critical("%s", exc)
        raise SystemExit(f"sinac: {exc}") from None


# A running job's entry in RQ's started registry expires HEARTBEAT_SECONDS + HEARTBEAT_GRACE after
# the worker last vouched for it (RQ's default: 30 + 60 s, and its clean-up every 10 minutes). A
# worker killed outright stops vouching: the relay (workers/relay.py) finds the expired entry
# and requeues the job, well within a minute.
HEARTBEAT_SECONDS = 10
HEARTBEAT_GRACE = 15


class SinacWorker(Worker):
    def __init__(self, *args, **kwargs):
        # `rq worker` passes its own default (30 s): the shorter heartbeat wins.
        kwargs["job_monitoring_interval"] = min(kwargs.get("job_monitoring_interval") or HEARTBEAT_SECONDS,
                                                HEARTBEAT_SECONDS)
        super().__init__(*args, **kwargs)

    def get_heartbeat_ttl(self, job, working_time: float = 0.0) -> int:
        return min(super().get_heartbeat_ttl(job, working_time), self.job_monitoring_interval + HEARTBEAT_GRACE)

    def work(self, *args, **kwargs):
        from core.config import Settings
        from core.logs import configure_logging

        settings = Settings.from_env()
        configure_logging(settings.log_format)
        refuse_unsafe(settings)
        try:
            warm_up()
        except Exception:  # a cold worker still works: each job then loads what it needs
            log.exception("warm-up failed")
        freeze_heap()
        return super().work(*args, **kwargs)
