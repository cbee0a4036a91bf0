"""The contact's own switches, each in one place with its audit event: opt-out (STOP/BAJA in any
wording) and ALTA, handoff to a person and its release back to the bot.

Like the case services these never commit. The bot's opt-out and handoff are recorded too, so a
person reading the audit can tell why a phone stopped hearing from us.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from core import audit
from core.actors import Actor
from core.lifecycle import CaseEvent
from core.models import Case, Contact
from core.timeutil import now


def opt_out(session: Session, actor: Actor, contact: Contact, *, at: datetime | None = None) -> bool:
    """True when the contact was in and is now out (the one confirmation is then due)."""
    if contact.opt_out:
        return False
    contact.opt_out = True
    contact.opt_out_at = at or now()
    audit.record(session, actor, "baja_contacto", data={"contact_id": contact.id})
    return True


def opt_in(session: Session, actor: Actor, contact: Contact) -> bool:
    if not contact.opt_out:
        return False
    contact.opt_out = False
    contact.opt_out_at = None
    audit.record(session, actor, "alta_contacto", data={"contact_id": contact.id})
    return True


def hand_off(session: Session, actor: Actor, contact: Contact, *, at: datetime | None = None) -> bool:
    if contact.handoff:
        return False
    contact.handoff = True
    contact.handoff_at = at or now()
    audit.record(session, actor, "pasar_a_persona", data={"contact_id": contact.id})
    return True


def release(session: Session, actor: Actor, contact: Contact, *, case: Case | None = None) -> bool:
    """The conversation goes back to the bot; False when it already was."""
    if not contact.handoff:
        return False
    contact.handoff = False
    contact.handoff_at = None
    audit.record(session, actor, CaseEvent.LIBERAR_CONVERSACION, case=case, data={"contact_id": contact.id})
    return True
