"""Fixtures for operator intake, buzón, catalog, directory and admin pages."""

from __future__ import annotations

import pytest

from tests.support.web import login


@pytest.fixture(autouse=True)
def jobs(monkeypatch):
    """Jobs the pages dispatch after commit, recorded instead of run (they are other areas' work)."""
    sent: list = []
    monkeypatch.setattr("workers.dispatch.enqueue_jobs", lambda jobs, settings=None: sent.extend(jobs) or [])
    return sent


@pytest.fixture
def as_role(client, make):
    """Log the test client in with a fresh user of a role; returns the user."""

    def _login(role: str, estado_clave: str | None = None):
        user = make.enlace(estado_clave or "14") if role == "enlace" else make.user(role)
        login(client, user)
        return user

    return _login
