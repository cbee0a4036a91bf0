"""Queue dashboard for admins: depth per queue, workers, failed jobs to inspect and retry, and the
outbox's jobs not yet finished."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from redis.exceptions import RedisError
from rq import Queue, Worker
from rq.exceptions import NoSuchJobError
from rq.job import Job as RQJob
from rq.registry import FailedJobRegistry

from backoffice.auth import current_actor, roles_required
from backoffice.db import get_session
from core import audit, outbox
from core.enums import Role
from core.jobs import QUEUES
from workers.connections import redis_for

bp = Blueprint("queues", __name__, url_prefix="/admin/colas")


def _conn():
    return redis_for(current_app.config["SINAC"].redis_url)


@bp.get("/")
@roles_required(Role.ADMIN)
def index():
    try:
        conn = _conn()
        queues = []
        for name in QUEUES:
            queue = Queue(name, connection=conn)
            registry = FailedJobRegistry(queue=queue)
            failed = []
            for job_id in registry.get_job_ids(0, 49):
                try:
                    job = RQJob.fetch(job_id, connection=conn)
                except NoSuchJobError:
                    continue
                failed.append({"id": job.id, "func": job.func_name, "ended_at": job.ended_at,
                               "error": (job.latest_result().exc_string if job.latest_result() else "")[-2000:]})
            queues.append({"name": name, "count": queue.count, "failed_count": registry.count,
                           "failed": failed})
        workers = [{"name": w.name, "state": w.get_state(), "heartbeat": w.last_heartbeat,
                    "queues": ", ".join(w.queue_names())} for w in Worker.all(connection=conn)]
        error = None
    except RedisError:
        queues, workers, error = [], [], "No hay conexión con Redis: las colas no están disponibles."
    # From the database, so it shows during a Redis outage too: work waiting for the relay.
    backlog = outbox.backlog(get_session())
    return render_template("queues/index.html", queues=queues, workers=workers, error=error, backlog=backlog)


@bp.post("/<queue_name>/<job_id>/reintentar")
@roles_required(Role.ADMIN)
def retry(queue_name: str, job_id: str):
    if queue_name not in QUEUES:
        abort(404)
    registry = FailedJobRegistry(queue=Queue(queue_name, connection=_conn()))
    if job_id not in registry.get_job_ids():
        abort(404)
    registry.requeue(job_id)
    session = get_session()
    audit.record(session, current_actor(), "trabajo_reintentado", data={"queue": queue_name, "job": job_id})
    session.commit()
    flash("El trabajo volvió a la cola.", "success")
    return redirect(url_for("queues.index"))
