"""The schedule list and the scheduler process (RQ's CronScheduler, Mexico City time)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from croniter import croniter
from redis import Redis
from rq import Queue
from sqlalchemy import select

from core.jobs import QUEUES
from core.models import Notification
from core.timeutil import MX_TZ
from tests.plazos.conftest import mx_time
from tests.support.jobs import SimpleWorker
from workers.registry import JOBS, path_of
from workers.schedule import SCHEDULE, Periodic
from workers.scheduler import SCHEDULER_TZ, build

ROOT = Path(__file__).resolve().parents[2]
MINE = {"send_reminders", "escalate_overdue", "deliver_staff_emails", "purge_retention"}


def test_schedule_entries_are_valid_and_unique():
    names = [entry.task for entry in SCHEDULE]
    assert len(names) == len(set(names))
    assert MINE <= set(names)
    for entry in SCHEDULE:
        assert str(entry.queue) in QUEUES
        if entry.cron:
            assert croniter.is_valid(entry.cron), entry
        else:
            assert entry.interval and entry.interval >= 60
    with pytest.raises(ValueError):
        Periodic("x", "both", cron="0 8 * * *", interval=60)
    with pytest.raises(ValueError):
        Periodic("x", "neither")


def test_every_scheduled_task_exists():
    assert {entry.task for entry in SCHEDULE} - set(JOBS) == set()


def test_scheduler_is_a_procfile_process():
    for name in ("Procfile", "Procfile.dev"):
        lines = (ROOT / name).read_text().splitlines()
        assert "scheduler: python -m workers.scheduler" in lines, name


@pytest.fixture
def mexico_tz(monkeypatch):
    """What workers.scheduler.use_mexico_time does in the process, undone after the test."""
    monkeypatch.setenv("TZ", SCHEDULER_TZ)
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def conn(redis_url):
    connection = Redis.from_url(redis_url.rsplit("/", 1)[0] + "/5")
    connection.flushdb()
    yield connection
    connection.flushdb()


def test_reminders_are_enqueued_at_eight_mexico_city_time_and_run_by_a_worker(db, make, conn, mexico_tz):
    enlace = make.enlace("14")
    with mx_time(2026, 11, 20, 10):
        make.case("queja", "14")  # due Friday 4 Dec: reminder on Wednesday 2 Dec
    with time_machine.travel(datetime(2026, 12, 2, 7, 59, tzinfo=MX_TZ), tick=False):
        cron, skipped = build(conn)
        first = {job.name for job in cron.enqueue_jobs()}
    assert skipped == [] or set(skipped).isdisjoint(MINE)
    jobs = {job.name: job for job in cron.get_jobs()}
    assert jobs["send_reminders"].next_enqueue_time == datetime(2026, 12, 2, 14, 0, tzinfo=UTC)
    assert "send_reminders" not in first and "deliver_staff_emails" in first  # interval jobs start at once
    Queue("default", connection=conn).empty()
    with time_machine.travel(datetime(2026, 12, 2, 8, 0, 5, tzinfo=MX_TZ), tick=False):
        due = {job.name for job in cron.enqueue_jobs()}
        assert due == {"send_reminders"}
        queued = Queue("default", connection=conn).jobs
        assert [j.func_name for j in queued] == [path_of("send_reminders")]
        SimpleWorker([Queue("default", connection=conn)], connection=conn).work(burst=True)
    db.expire_all()
    [note] = db.scalars(select(Notification)).all()
    assert note.user_id == enlace.id and note.kind == "recordatorio"


def _invoke(app, *args):
    from flask.cli import FlaskGroup

    from backoffice.cli import register_commands

    group = FlaskGroup(create_app=lambda: app)
    register_commands(group)
    return app.test_cli_runner().invoke(group, list(args))


def test_cli_lists_and_runs_periodic_jobs(app, db, make):
    import json

    listed = _invoke(app, "schedule", "list", "--json")
    assert listed.exit_code == 0
    rows = {json.loads(line)["task"]: json.loads(line) for line in listed.output.splitlines()}
    assert rows["send_reminders"]["cron"] == "0 8 * * *" and rows["send_reminders"]["available"]
    make.enlace("14")
    with mx_time(2026, 11, 20, 10):
        make.case("queja", "14")
    with mx_time(2026, 12, 2, 8):
        ran = _invoke(app, "schedule", "run", "send_reminders")
    assert ran.exit_code == 0 and json.loads(ran.output) == {"task": "send_reminders", "result": 1}
    assert _invoke(app, "schedule", "run", "rm_rf").exit_code == 2


def test_status_lists_a_running_scheduler(conn):
    from workers.scheduler import status

    assert status(conn) == []
    cron, _ = build(conn)
    cron.register_birth()
    try:
        [row] = status(conn)
        assert row["name"] == cron.name and "send_reminders" in row["jobs"]
        assert row["last_heartbeat"] is not None
    finally:
        cron.register_death()
    assert status(conn) == []
