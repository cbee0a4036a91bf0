"""Writing to the affiliate from the case: the real stand-in, inline jobs, a phone that answers."""

from __future__ import annotations

import pytest

from tests.channels.conftest import running_app  # noqa: F401  (the app over HTTP at PUBLIC_BASE_URL)
from tests.dialogue.conftest import Phone
from tests.support.twilio import sclient, standin  # noqa: F401 (fixtures)


@pytest.fixture
def phone_of(db, settings, standin):  # noqa: F811
    """A Phone (tests/dialogue) for a number, with Twilio at the stand-in."""
    from core.config import Settings

    def make(number: str, channel: str = "whatsapp") -> Phone:
        return Phone(db, Settings.from_env(), number, channel)

    return make


def png_bytes(width: int = 8, height: int = 8) -> bytes:
    """A real PNG (a small grey square), as a phone's photo would be."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
