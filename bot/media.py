"""Media of inbound messages (receipt photos, voice notes, PDFs) copied from Twilio into SINAC's
own storage (core.files), so the case page shows them from the back office itself: Twilio's media
URLs need the account's credentials when media authentication is on, expire when the message is
deleted there, and a remote image would be another origin for the page.

The intake (bot.inbox) stores each MediaUrlN as an Attachment with its url; the dialogue job asks
for `fetch_message_media(message_id)` after its commit. Only URLs on Twilio's API host or on the
configured TWILIO_API_BASE_URL (the local stand-in) are fetched, with the account's Basic auth, up
to UPLOAD_MAX_BYTES, and only the media types below whose bytes look like what they claim.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.config import Settings, current_settings
from core.files import store_bytes
from core.models import Attachment

log = logging.getLogger(__name__)

TWILIO_MEDIA_HOSTS = frozenset({"api.twilio.com"})
TIMEOUT_SECONDS = 20
CHUNK = 64 * 1024

# content type -> (extension, what its first bytes start with; None: not checked)
MEDIA_TYPES: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    "image/jpeg": ("jpg", (b"\xff\xd8\xff",)),
    "image/png": ("png", (b"\x89PNG\r\n\x1a\n",)),
    "image/gif": ("gif", (b"GIF87a", b"GIF89a")),
    "image/webp": ("webp", (b"RIFF",)),
    "application/pdf": ("pdf", (b"%PDF-",)),
    "audio/ogg": ("ogg", (b"OggS",)),
    "audio/amr": ("amr", (b"#!AMR",)),
    "audio/mpeg": ("mp3", None),
    "audio/mp4": ("m4a", None),
    "video/mp4": ("mp4", None),
}


@dataclass
class Fetched:
    stored: int = 0
    skipped: int = 0  # not fetchable or not acceptable: kept as a link to the remote url
    retry: int = 0  # the host did not answer properly now: worth another try later


def _allowed(url: str, settings: Settings) -> bool:
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname in TWILIO_MEDIA_HOSTS:
        return True
    base = urlsplit(settings.twilio_api_base_url) if settings.twilio_api_base_url else None
    return bool(base and parts.scheme == base.scheme and parts.netloc == base.netloc)


def fetch_message_media(session: Session, message_id: int, *, settings: Settings | None = None,
                        http=None) -> Fetched:
    """Download every not-yet-stored media file of the message; the caller commits."""
    settings = settings or current_settings()
    http = http or requests
    outcome = Fetched()
    rows = session.scalars(select(Attachment).where(Attachment.message_id == message_id,
                                                    Attachment.storage_key.is_(None),
                                                    Attachment.url.is_not(None)).order_by(Attachment.id))
    for att in rows:
        kind = _fetch_one(att, settings, http)
        if kind == "stored":
            outcome.stored += 1
        elif kind == "retry":
            outcome.retry += 1
        else:
            outcome.skipped += 1
    session.flush()
    return outcome


def _fetch_one(att: Attachment, settings: Settings, http) -> str:
    if not _allowed(att.url, settings):
        log.info("media url not fetched (unknown host)", extra={"attachment_id": att.id})
        return "skipped"
    try:
        response = http.get(att.url, auth=(settings.twilio_account_sid, settings.twilio_auth_token),
                            timeout=TIMEOUT_SECONDS, stream=True)
    except requests.RequestException as exc:
        log.warning("media download failed", extra={"attachment_id": att.id, "error": type(exc).__name__})
        return "retry"
    with response:
        if response.status_code >= 500 or response.status_code == 429:
            return "retry"
        if response.status_code != 200:
            log.warning("media download refused", extra={"attachment_id": att.id, "status": response.status_code})
            return "skipped"
        content_type = (response.headers.get("Content-Type") or att.content_type or "").split(";")[0].strip().lower()
        if content_type not in MEDIA_TYPES:
            content_type = (att.content_type or "").split(";")[0].strip().lower()
        if content_type not in MEDIA_TYPES:
            log.info("media type not kept", extra={"attachment_id": att.id, "content_type": content_type[:100]})
            return "skipped"
        data = bytearray()
        try:
            for chunk in response.iter_content(CHUNK):
                data += chunk
                if len(data) > settings.upload_max_bytes:
                    log.warning("media too large, not kept", extra={"attachment_id": att.id})
                    return "skipped"
        except requests.RequestException:
            return "retry"
    ext, magic = MEDIA_TYPES[content_type]
    if not data or (magic is not None and not bytes(data).startswith(magic)):
        log.warning("media bytes do not match their type", extra={"attachment_id": att.id})
        return "skipped"
    key, sha256 = store_bytes(settings, bytes(data), ext, prefix="media/")
    att.storage_key = key
    att.sha256 = sha256
    att.size = len(data)
    att.content_type = content_type
    return "stored"
