"""Frozen-time helpers for plazos, reminders and notifications."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime

import pytest
import time_machine

from core.timeutil import MX_TZ


@contextmanager
def mx_time(year: int, month: int, day: int, hour: int = 10, minute: int = 0):
    """Freeze the clock at a Mexico City wall-clock time."""
    with time_machine.travel(datetime(year, month, day, hour, minute, tzinfo=MX_TZ), tick=False):
        yield


@pytest.fixture
def sent_jobs(monkeypatch):
    """Capture the jobs the notification tasks enqueue (outbound sending is the channels' area)."""
    captured: list = []

    def fake_enqueue(jobs, settings=None):
        captured.extend(jobs)
        return []

    monkeypatch.setattr("workers.dispatch.enqueue_jobs", fake_enqueue)
    return captured


def filed_today(make, estado: str = "14"):
    """A case turned to the estado's enlace and its FUR filed now (the clock as frozen by the
    caller), answered the same day."""
    from sqlalchemy import select

    from core.models import User
    from core.services import cases as svc
    from core.timeutil import today_mx

    enlace = make.session.scalar(select(User).where(User.role == "enlace", User.estado_clave == estado)) \
        or make.enlace(estado)
    case = make.case("queja", estado)
    svc.save_fur(make.session, case.open_volante, make.actor(enlace), make.fur_data(fecha_respuesta=today_mx()),
                 submit=True)
    make.session.commit()
    return case
