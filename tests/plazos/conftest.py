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
