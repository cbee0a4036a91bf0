"""The queue dashboard is for admins only; failed jobs can be inspected and retried."""

from __future__ import annotations

from rq import Queue
from rq.registry import FailedJobRegistry

from core.config import Settings
from tests.support.jobs import SimpleWorker
from tests.support.web import csrf_from, login


def _explode():
    raise RuntimeError("boom in job")


def test_enlace_and_dps_cannot_open_queue_dashboard(client, make):
    for user in (make.enlace("14"), make.user("participacion_social"), make.user("vinculacion")):
        login(client, user)
        assert client.get("/admin/colas/").status_code == 403
        client.get("/logout")
        client.delete_cookie("session")


def test_admin_sees_failed_job_and_retries_it(app, settings, redis_url, make):
    from workers.connections import redis_for

    app.config["SINAC"] = Settings(**{**settings.__dict__, "redis_url": redis_url})
    conn = redis_for(redis_url)
    queue = Queue("default", connection=conn)
    job = queue.enqueue(f"{__name__}._explode")
    SimpleWorker([queue], connection=conn).work(burst=True)
    assert job.id in FailedJobRegistry(queue=queue).get_job_ids()
    client = app.test_client()
    login(client, make.user("admin"))
    html = client.get("/admin/colas/").get_data(as_text=True)
    assert job.id in html and "boom in job" in html
    resp = client.post(f"/admin/colas/default/{job.id}/reintentar", data={"csrf_token": csrf_from(html)})
    assert resp.status_code == 302
    assert job.id not in FailedJobRegistry(queue=queue).get_job_ids()
    assert job.id in queue.get_job_ids()
    assert client.post("/admin/colas/default/nope/reintentar", data={"csrf_token": csrf_from(html)}).status_code == 404
    queue.empty()


def test_dashboard_says_when_redis_is_down(app, settings, make, db):
    from core import outbox
    from core.jobs import Job

    app.config["SINAC"] = Settings(**{**settings.__dict__, "redis_url": "redis://127.0.0.1:1/0"})
    client = app.test_client()
    login(client, make.user("admin"))
    outbox.stage(db, [Job("purge_retention"), Job("send_reminders")])  # jobs Redis did not take
    db.commit()
    html = client.get("/admin/colas/").get_data(as_text=True)
    assert "No hay conexión con Redis" in html
    assert "Sin encolar: 2" in html  # read from the database, outage or not
