"""The channel for what staff write to the affiliate from the case page
(core.services.affiliate_contact): the 24-hour rule of bot.outbound picks WhatsApp session
text, the approved template (WHATSAPP_CONTACT_TEMPLATE_SID, else WHATSAPP_TEMPLATE_SID) or SMS.
The messages go on the `outbound` queue: a person is waiting on them, unlike a wave of notices."""

from __future__ import annotations

from bot.outbound.queueing import send_job, store_notification
from core.config import Settings
from core.jobs import QueueName
from core.models import Case, Contact
from core.services.affiliate_contact import Draft, Outgoing, Sender


def one_line(text: str, limit: int = 900) -> str:
    """WhatsApp template variables may not hold newlines (nor runs of spaces)."""
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def sender(session, settings: Settings, *, sent_by_id: int | None) -> Sender:
    template_sid = settings.whatsapp_contact_template_sid or settings.whatsapp_template_sid

    def send(contact: Contact, case: Case, draft: Draft) -> Outgoing:
        route, messages = store_notification(
            session, contact, draft.body, template_vars={"1": case.folio, "2": one_line(draft.line)},
            case_id=case.id, kind=draft.kind, template_sid=template_sid, sent_by_id=sent_by_id)
        return Outgoing(route, [m.id for m in messages], send_job(messages, QueueName.OUTBOUND))

    return send
