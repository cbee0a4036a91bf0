"""WhatsApp bodies: formatting (*negritas*, _cursivas_) is kept; Twilio accepts at most 1600
characters per WhatsApp message, so longer texts are split at paragraph or sentence boundaries."""

from __future__ import annotations

import re
import unicodedata

MAX_CHARS = 1600


def split_whatsapp(text: str, max_chars: int = MAX_CHARS) -> list[str]:
    text = unicodedata.normalize("NFC", text or "").strip()
    if not text:
        return []
    if len(text) <= max_chars:
        return [text]
    pieces = [p for p in re.split(r"(?<=\n)|(?<=[.!?])(?=\s)|(?<=\s)(?=\S)", text) if p]
    parts: list[str] = []
    current = ""
    for piece in pieces:
        if len(current) + len(piece) <= max_chars:
            current += piece
            continue
        if current.strip():
            parts.append(current.strip())
        current = piece.lstrip()
        while len(current) > max_chars:
            parts.append(current[:max_chars])
            current = current[max_chars:]
    if current.strip():
        parts.append(current.strip())
    return parts
