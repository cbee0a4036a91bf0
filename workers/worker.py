"""The RQ worker classes. SinacWorker warms the NLU model, the coverage index and the twilio
client in the parent process, so each forked work-horse inherits them instead of loading them
for every job (seconds → milliseconds per turn). InProcessWorker, the Procfile's, runs each job
in that warm process itself (no fork per job) and keeps the job's heartbeat from a thread.

After the warm-up the parent's objects are moved to the garbage collector's permanent generation
(`gc.freeze()`): otherwise the first full collection in each work-horse walks the whole warmed heap
(NLU vocabularies, coverage index), writing to every page it shares with the parent. Measured on a
loaded 2-core machine: 1.1-1.6 s per forked job for that collection, 0 ms once frozen."""

from __future__ import annotations

import gc
import logging
import threading
import time

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq.worker import Worker

from workers.connections import refuse_unsafe

log = logging.getLogger(__name__)


def warm_up(settings=None) -> None:
    """Import every job's module (workers/registry.py; they import their code at the top, so
    the dialogue, services and models come with them) and build the caches once: otherwise every
    forked work-horse imports them again (and, with PYTHONDONTWRITEBYTECODE, compiles them). The
    database engine is created and initialised (dialect, server version) with one connection
    that is closed again before any fork: children inherit a ready engine with an empty pool,
    never a shared socket."""
    import importlib
    from datetime import date

    import twilio.rest  # noqa: F401  (the client module tree is large)

    from bot.nlu import get_parser
    from bot.twilio_client import build_client
    from core.coverage import get_engine
    from core.db import engine_for
    from core.plazos import BusinessCalendar
    from workers import registry
    from workers.connections import current_settings

    for name in registry.modules():
        importlib.import_module(name)
    get_parser().parse("hola")
    get_engine().ask("vacuna")
    BusinessCalendar().add(date.today(), 30)  # loads the official holidays of this year and the next
    settings = settings or current_settings()
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


# A running job's entry in RQ's started registry expires HEARTBEAT_SECONDS + HEARTBEAT_GRACE after
# the worker last vouched for it (RQ's default: 30 + 60 s, and its clean-up every 10 minutes). A
# worker killed outright stops vouching: the relay (workers/relay.py) finds the expired entry
# and requeues the job, well within a minute.
HEARTBEAT_SECONDS = 10
HEARTBEAT_GRACE = 15
# RQ restarts a worker's scheduler process (it dies with a Redis outage) and cleans its registries
# in its maintenance pass, every 10 minutes by default: retries waited that long after an outage.
MAINTENANCE_SECONDS = 30
BACKOFF_FIRST, BACKOFF_MAX = 1.0, 5.0  # seconds before listening again after losing Redis


class StopsPubsubFirst:
    """For any RQ worker class: an idle worker's warm shutdown (and a burst worker's end) without
    waiting up to 60 s. RQ unsubscribes from the worker's pubsub channel before it stops the
    thread listening there: the thread, woken by the reply, loops once more and, no longer
    subscribed, waits its whole 60 s sleep for a subscription (redis-py's stop() joins it without
    a limit); about one stop in three. The thread is told to stop first; the reply then ends its
    loop. Measured (SIGTERM to exit, idle worker): plain RQ Worker 6 of 18 still running after
    20 s; with this 14 of 14 in 0.12 s."""

    def unsubscribe(self):
        running = getattr(self.pubsub_thread, "_running", None)  # redis-py's PubSubWorkerThread
        if running is not None:
            running.clear()
        super().unsubscribe()


class SinacWorker(StopsPubsubFirst, Worker):
    def __init__(self, *args, **kwargs):
        # `rq worker` passes its own default (30 s): the shorter heartbeat wins.
        kwargs["job_monitoring_interval"] = min(kwargs.get("job_monitoring_interval") or HEARTBEAT_SECONDS,
                                                HEARTBEAT_SECONDS)
        kwargs["maintenance_interval"] = min(kwargs.get("maintenance_interval") or MAINTENANCE_SECONDS,
                                             MAINTENANCE_SECONDS)
        super().__init__(*args, **kwargs)

    def get_heartbeat_ttl(self, job, working_time: float = 0.0) -> int:
        return min(super().get_heartbeat_ttl(job, working_time), self.job_monitoring_interval + HEARTBEAT_GRACE)

    def work(self, *args, **kwargs):
        from core.config import Settings
        from core.logs import configure_logging
        from workers.connections import use_settings

        settings = Settings.from_env()  # once for this process: every job reads these
        configure_logging(settings.log_format)
        refuse_unsafe(settings)
        use_settings(settings)
        try:
            warm_up(settings)
        except Exception:  # a cold worker still works: each job then loads what it needs
            log.exception("warm-up failed")
        freeze_heap()
        return self._work_through_outages(*args, **kwargs)

    def _work_through_outages(self, *args, **kwargs):
        """RQ's loop quits on some Redis errors (a timeout, a connection lost during a job's
        heartbeat, Redis away at start-up): under honcho that took the whole stack down, under
        systemd it cost a restart and a new warm-up. Here the loop is started again, after a
        capped backoff, until a stop was asked for (burst and bounded runs end as RQ says)."""
        delay, restarted = BACKOFF_FIRST, False
        while True:
            try:
                self.connection.ping()
                if restarted:
                    self._forget_own_registration()
                restarted = True
                worked = super().work(*args, **kwargs)
                if self._stopping or any(kwargs.get(k) for k in ("burst", "max_jobs", "max_idle_time")):
                    return worked
                log.error("the worker's loop ended without a stop request; listening again in %.0f s", delay)
            except (RedisConnectionError, RedisTimeoutError) as exc:
                if self._stopping:
                    return False
                log.error("Redis unavailable (%s); the worker starts listening again in %.0f s", exc, delay)
            self._sleep_unless_stopped(delay)
            if self._stopping:
                return False
            delay = min(delay * 2, BACKOFF_MAX)

    def _forget_own_registration(self) -> None:
        """RQ will not start a worker whose name is registered alive. After our own loop ended
        in an outage (a job finished while Redis was away: the loop could not record its end),
        that registration is ours, and a Redis restored from its append-only file still holds
        it: mark it dead so the loop starts again (the process exited with 'There exists an
        active worker named …' instead)."""
        try:
            self.register_death()
        except (RedisConnectionError, RedisTimeoutError):
            log.warning("could not clear the worker's old registration: Redis unavailable")

    @property
    def _stopping(self) -> bool:
        """A warm or cold stop was asked for (RQ notes the date even when idle)."""
        return self._stop_requested or self._shutdown_requested_date is not None

    def _sleep_unless_stopped(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self._stopping and time.monotonic() < deadline:
            time.sleep(0.2)

    def clean_registries(self):
        """Jobs whose worker died are requeued at once (workers/relay.py requeue_abandoned) before
        RQ's own clean-up, which would schedule their retry behind the dead worker's scheduler
        lock (a minute or more)."""
        from workers.relay import requeue_abandoned

        try:
            requeue_abandoned(self.connection, [queue.name for queue in self.queues])
        except (RedisConnectionError, RedisTimeoutError):
            log.warning("abandoned jobs not checked: Redis unavailable")
        super().clean_registries()

    def heartbeat(self, timeout=None, pipeline=None):
        """A Redis restarted empty forgot the worker (its key and its place in the workers' set):
        register again, so health pages and `rq info` see it."""
        super().heartbeat(timeout, pipeline=pipeline)
        if pipeline is not None:
            return
        from rq import worker_registration

        if not self.connection.sismember(worker_registration.REDIS_WORKER_KEYS, self.key):
            with self.connection.pipeline() as pipe:
                pipe.hset(self.key, mapping=self.serialize())
                worker_registration.register(self, pipe)
                pipe.expire(self.key, (timeout or self.worker_ttl) + 60)
                pipe.execute()
            log.warning("worker %s registered again (Redis had forgotten it)", self.name)


class InProcessWorker(SinacWorker):
    """The Procfile's worker: SinacWorker running each job in its own process instead of a
    forked work horse, with a thread that keeps the job's heartbeat going.

    Why: a fork per job costs more than the job. Measured on this 2-core machine (docs/benchmarks.md,
    "Faults in real time"): a dialogue turn took 75 ms of CPU in a fresh work horse (the fork, its
    copy-on-write faults, SQLAlchemy compiling every statement again, a new database connection)
    against 18 ms in a warm process; with two workers the backlog of a Redis outage drained at
    the fork's pace. In one process the statement cache and the connection pool stay warm.

    What the horse gave and how it is kept: the job's entry in RQ's started registry is renewed
    every HEARTBEAT_SECONDS by the thread while the job runs (RQ's SimpleWorker renews it only at
    the start, so the relay would requeue any job longer than the expiry); a job over its timeout
    is stopped by RQ's SIGALRM death penalty in the main thread; a process that dies (kill -9, a
    crash) stops the heartbeat and the relay requeues its job, as for a dead horse's parent."""

    def execute_job(self, job, queue):
        from rq.worker import WorkerStatus

        execution = self.prepare_execution(job)
        done = threading.Event()
        beat = threading.Thread(target=self._beat, args=(job, execution, done), name="sinac-heartbeat",
                                daemon=True)
        beat.start()
        try:
            self.perform_job(job, queue, execution)
        finally:
            done.set()
            beat.join(5)
        self.set_state(WorkerStatus.IDLE)

    def _beat(self, job, execution, done: threading.Event) -> None:
        while not done.wait(self.job_monitoring_interval):
            try:
                self.maintain_heartbeats(job, execution)
            except (RedisConnectionError, RedisTimeoutError) as exc:
                log.warning("job heartbeat not renewed: Redis unavailable (%s)", exc)
            except Exception:  # the job goes on; the next beat tries again
                log.exception("job heartbeat not renewed")
