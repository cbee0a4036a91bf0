"""Fixtures for operator intake, buzón, catalog, directory and admin pages."""

from __future__ import annotations

import re

import pytest

from tests.builders import PASSWORD

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture(autouse=True)
def jobs(monkeypatch):
    """Jobs the pages dispatch after commit, recorded instead of run (they are other areas' work)."""
    sent: list = []
    monkeypatch.setattr("workers.dispatch.enqueue_jobs", lambda jobs, settings=None: sent.extend(jobs) or [])
    return sent


def csrf(client, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client, user, password: str = PASSWORD):
    token = csrf(client, "/login")
    resp = client.post("/login", data={"email": user.email, "password": password, "csrf_token": token})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    return resp


@pytest.fixture
def as_role(client, make):
    """Log the test client in with a fresh user of a role; returns the user."""

    def _login(role: str, estado_clave: str | None = None):
        user = make.enlace(estado_clave or "14") if role == "enlace" else make.user(role)
        login(client, user)
        return user

    return _login
