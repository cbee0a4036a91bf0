"""Security tests: the fault suite's live stack (gunicorn + stand-in) and shared helpers."""

from __future__ import annotations

import re

import pytest

from tests.faults.conftest import shared_instance, stack, stack_factory, standin  # noqa: F401

CSRF_RE = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
ROLES = ("enlace", "vinculacion", "participacion_social", "admin")


def make_app(settings, **config):
    from backoffice.app import create_app

    config.setdefault("RATELIMIT_ENABLED", False)
    return create_app(settings, TESTING=True, **config)


@pytest.fixture
def users(make):
    """One user per role (the enlace in Jalisco)."""
    return {
        "enlace": make.enlace("14"),
        "vinculacion": make.user("vinculacion"),
        "participacion_social": make.user("participacion_social"),
        "admin": make.user("admin"),
    }
