"""Writing to the affiliate from the case: the real stand-in, inline jobs, a phone that answers."""

from __future__ import annotations

import pytest

from tests.backoffice.support import sclient, standin  # noqa: F401  (the same stand-in fixtures)
from tests.dialogue.conftest import Phone


@pytest.fixture
def phone_of(db, settings, standin):  # noqa: F811
    """A Phone (tests/dialogue) for a number, with Twilio at the stand-in."""
    from core.config import Settings

    def make(number: str, channel: str = "whatsapp") -> Phone:
        return Phone(db, Settings.from_env(), number, channel)

    return make
