"""A back-office change made while Redis is down (an enlace submits a FUR: 302, saved) keeps its
job: the notice to vinculación is a row of the FUR's own transaction, which the relay enqueues once
Redis answers, and a worker delivers once. Before the outbox the commit succeeded, the enqueue
failed, and the notice was never sent (only inbound messages had a sweep)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from redis import Redis
from rq import Queue
from sqlalchemy import select

from core.models import Fur, Notification, OutboxJob
from core.notifications import FUR_RECIBIDO
from core.timeutil import today_mx
from tests.support.jobs import SimpleWorker
from tests.support.web import login, post
from workers.relay import relay_pass


def test_fur_submitted_while_redis_is_down_notifies_vinculacion_once(settings, db, make, redis_url, monkeypatch):
    from backoffice.app import create_app

    vinculacion = make.user()
    enlace = make.enlace("14")
    case = make.case(estado_clave="14")
    volante = case.open_volante
    down = dataclasses.replace(settings, jobs_mode="rq", redis_url="redis://127.0.0.1:1/0")
    client = create_app(down, TESTING=True, RATELIMIT_ENABLED=False).test_client()
    login(client, enlace)
    url = f"/volantes/{volante.id}/fur"
    resp = post(client, url, {"accion": "enviar", "fecha_respuesta": today_mx().isoformat(),
                              "acciones": "Hablé con el director del hospital.",
                              "respuesta_ciudadano": "Su cita quedó para el lunes, sin costo.",
                              "resultado": "favorable"}, page=url)
    assert resp.status_code == 302
    db.expire_all()
    assert db.scalar(select(Fur).where(Fur.volante_id == volante.id)).filed_at is not None
    [row] = db.scalars(select(OutboxJob)).all()
    assert (row.name, row.kwargs, row.enqueued_at) == ("notify_fur_filed", {"volante_id": volante.id}, None)

    # Redis answers again: the relay (past its grace) enqueues the row, a worker runs it.
    url = redis_url.rsplit("/", 1)[0] + "/7"
    connection = Redis.from_url(url)
    connection.flushdb()
    monkeypatch.setenv("SINAC_JOBS", "rq")
    monkeypatch.setenv("REDIS_URL", url)
    up = dataclasses.replace(down, redis_url=url)
    row.available_at -= timedelta(seconds=10)
    db.commit()
    assert relay_pass(db, connection, up)["enqueued"] == 1
    SimpleWorker([Queue("default", connection=connection)], connection=connection).work(burst=True)
    db.expire_all()
    notices = db.scalars(select(Notification).where(Notification.kind == FUR_RECIBIDO)).all()
    assert [(n.user_id, n.volante_id) for n in notices] == [(vinculacion.id, volante.id)]
    assert db.get(OutboxJob, row.id).done_at is not None
    assert not any(relay_pass(db, connection, up).values())  # nothing left to do
    connection.flushdb()
