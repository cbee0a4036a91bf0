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


def _switch(session: Session, actor: Actor, contact: Contact, flag: str, on: bool, action: str, *,
            at: datetime | None = None, case: Case | None = None) -> bool:
    """Turn `flag` on (stamping `<flag>_at`) or off (clearing it) with its audit event; False, and
    nothing recorded, when it already was so."""
    if bool(getattr(contact, flag)) == on:
        return False
    setattr(contact, flag, on)
    setattr(contact, f"{flag}_at", (at or now()) if on else None)
    audit.record(session, actor, action, case=case, data={"contact_id": contact.id})
    return True


def opt_out(session: Session, actor: Actor, contact: Contact, *, at: datetime | None = None) -> bool:
    """True when the contact was in and is now out (the one confirmation is then due)."""
    return _switch(session, actor, contact, "opt_out", True, "baja_contacto", at=at)


def opt_in(session: Session, actor: Actor, contact: Contact) -> bool:
    return _switch(session, actor, contact, "opt_out", False, "alta_contacto")


def hand_off(session: Session, actor: Actor, contact: Contact, *, at: datetime | None = None) -> bool:
    return _switch(session, actor, contact, "handoff", True, "pasar_a_persona", at=at)


def release(session: Session, actor: Actor, contact: Contact, *, case: Case | None = None) -> bool:
    """The conversation goes back to the bot; False when it already was."""
    return _switch(session, actor, contact, "handoff", False, CaseEvent.LIBERAR_CONVERSACION, case=case)
