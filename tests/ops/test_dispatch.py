"""The one commit-then-enqueue (workers/dispatch.py): once the change is committed nothing there
raises, a job run inline gets the caller's settings, and jobs are found by their registered path."""

from __future__ import annotations

import dataclasses
import logging
import sys

from sqlalchemy import select

from core.jobs import Job, QueueName
from core.models import Contact, OutboxJob
from workers import registry
from workers.connections import current_settings
from workers.dispatch import commit_and_enqueue
from workers.jobs.wrapper import job

seen_settings = []


@job
def _probe_fails():
    raise RuntimeError("the job broke")


@job
def _probe_settings():
    seen_settings.append(current_settings())


def _register(monkeypatch, name):
    monkeypatch.setattr(sys.modules[__name__], name, globals()[name])
    monkeypatch.setitem(registry.JOBS, name, f"{__name__}.{name}")
    registry.resolve.cache_clear()


def test_a_failing_job_after_the_commit_never_loses_the_change(db, make, settings, monkeypatch, caplog):
    _register(monkeypatch, "_probe_fails")
    contact = make.contact("+5213300000001")
    contact.opt_out = True
    with caplog.at_level(logging.ERROR, logger="workers.dispatch"):
        staged = commit_and_enqueue(db, [Job("_probe_fails", {}, QueueName.DEFAULT)], settings)
    db.expire_all()
    assert db.scalar(select(Contact.opt_out).where(Contact.id == contact.id)) is True
    row = db.get(OutboxJob, staged[0].outbox_id)
    assert row is not None and row.done_at is None  # left for the relay to try again
    assert "jobs not handed over after their commit" in caplog.text
    registry.resolve.cache_clear()


def test_inline_jobs_run_with_the_callers_settings(db, settings, monkeypatch):
    _register(monkeypatch, "_probe_settings")
    mine = dataclasses.replace(settings, public_base_url="https://inline.example")
    seen_settings.clear()
    commit_and_enqueue(db, [Job("_probe_settings", {}, QueueName.DEFAULT)], mine)
    assert [s.public_base_url for s in seen_settings] == ["https://inline.example"]
    assert current_settings().public_base_url != "https://inline.example"  # only inside the run
    registry.resolve.cache_clear()


def test_every_registered_path_is_importable_without_the_web_app():
    assert "flask" not in {m.split(".")[0] for m in registry.JOBS.values()}
    for name in registry.JOBS:
        assert registry.path_of(name).startswith("workers.jobs.")
