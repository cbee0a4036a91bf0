"""Messages as the case page shows them: each with its stored media (downloaded attachments) or,
before download, the remote media Twilio reported."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from core.models import Attachment


def transcript_items(session, messages) -> list[dict]:
    stored: dict[int, list[Attachment]] = {}
    if messages:
        ids = [m.id for m in messages]
        for att in session.scalars(select(Attachment).where(Attachment.message_id.in_(ids))):
            stored.setdefault(att.message_id, []).append(att)
    items = []
    for m in messages:
        media = []
        for att in stored.get(m.id, []):
            media.append({"url": url_for("attachments.download", attachment_id=att.id),
                          "content_type": att.content_type, "name": att.filename})
        if not stored.get(m.id):
            for entry in m.media or []:
                url = str((entry or {}).get("url") or "")
                if url.startswith(("https://", "http://")):
                    media.append({"url": url, "content_type": str(entry.get("content_type") or ""),
                                  "name": "Archivo adjunto"})
        items.append({"message": m, "media": media})
    return items
