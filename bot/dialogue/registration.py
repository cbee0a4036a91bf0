"""Cases the conversation registers, always through core.services.cases, and the messages and
media (receipts, voice notes) that go with them."""

from __future__ import annotations

import logging

from sqlalchemy import select

from bot.dialogue.turn import Turn
from core.actors import BOT
from core.errors import DomainError
from core.models import Attachment, Case, Message

log = logging.getLogger(__name__)


def register(t: Turn, *, tipo: str, description: str, estado_clave: str | None, topic: str | None = None,
             amerita: bool | None = None, **extra) -> Case | None:
    """The Case, or None when the domain refused it (the turn goes on; the caller says so)."""
    from core.services.cases import register_case

    canal = t.contact.channel if t.contact.channel in ("whatsapp", "sms") else "whatsapp"
    try:
        with t.session.begin_nested():
            result = register_case(
                t.session, BOT, tipo=tipo, canal=canal, estado_clave=estado_clave, contact=t.contact,
                description=description, topic=(topic or None) and topic[:300], amerita_gestion=amerita,
                **extra,
            )
    except DomainError as exc:
        log.warning("bot could not register a case", extra={"error": str(exc), "tipo": tipo})
        return None
    t.jobs.extend(result.jobs)
    t.follow_code = result.follow_code
    t.message.case_id = result.case.id
    t.case_id = result.case.id
    return result.case


def link_media_to_case(t: Turn, case: Case) -> None:
    """A receipt or photo sent after the report was registered goes to that case."""
    link_messages(t, case, [t.message.id])


def link_messages(t: Turn, case: Case, msg_ids: list[int]) -> None:
    """The conversation's messages and their media go with the case (this phone's only)."""
    ids = sorted({int(i) for i in msg_ids} | {t.message.id})
    messages = [m for m in t.session.scalars(select(Message).where(Message.id.in_(ids)))
                if m.contact_id == t.contact.id]
    own = [m.id for m in messages]
    attachments = t.session.scalars(select(Attachment).where(Attachment.message_id.in_(own))).all()
    linked = {a.message_id for a in attachments}
    for att in attachments:
        att.case_id = case.id
    for msg in messages:
        msg.case_id = case.id
        if msg.media and msg.id not in linked:
            for n, item in enumerate(msg.media, start=1):
                url = str((item or {}).get("url") or "")
                content_type = str((item or {}).get("content_type") or "application/octet-stream")
                name = url.rstrip("/").rsplit("/", 1)[-1] or f"media-{n}"
                t.session.add(Attachment(case_id=case.id, message_id=msg.id, filename=f"{msg.id}-{name}"[:255],
                                         content_type=content_type[:100], url=url[:1000] or None))
