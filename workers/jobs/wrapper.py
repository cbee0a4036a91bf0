"""What every job runs inside: the request id of the change that asked for it, a log line, its
timing and failures in the metrics, and its outbox row marked done once it finished."""

from __future__ import annotations

import functools
import logging
import time

from rq import get_current_job

from core.logs import request_id_var
from workers.dispatch import finished
from workers.metrics import JOB_FAILURES, JOB_SECONDS

log = logging.getLogger("sinac.jobs")


def job(fn):
    """Wrap a job function (see the module docstring); its name is its job name."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        token = request_id_var.set(_request_id_from_rq() or request_id_var.get())
        started = time.perf_counter()
        log.info("job start %s", fn.__name__, extra={"task": fn.__name__, "job_kwargs": repr(kwargs)[:200]})
        try:
            result = fn(*args, **kwargs)
        except Exception:
            JOB_FAILURES.labels(fn.__name__).inc()
            log.exception("job failed %s", fn.__name__, extra={"task": fn.__name__})
            raise
        else:
            _outbox_done()
            return result
        finally:
            JOB_SECONDS.labels(fn.__name__).observe(time.perf_counter() - started)
            request_id_var.reset(token)

    return wrapper


def _rq_job():
    try:
        return get_current_job()
    except Exception:  # noqa: BLE001 - not running under an RQ worker
        return None


def _outbox_done() -> None:
    """Under RQ, mark the job's outbox row done (inline runs are marked by workers.dispatch).
    A failure here only leaves the row for the relay, which finds the RQ job finished."""
    rq_job = _rq_job()
    row_id = rq_job.meta.get("outbox_id") if rq_job is not None else None
    if row_id is None:
        return
    try:
        finished([int(row_id)])
    except Exception:
        log.warning("outbox row not marked done", extra={"outbox_id": row_id}, exc_info=True)


def _request_id_from_rq() -> str | None:
    rq_job = _rq_job()
    return rq_job.meta.get("request_id") if rq_job is not None else None
