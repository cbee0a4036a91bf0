"""Idle sessions: a short notice when a conversation with something pending goes quiet.

`expire_idle_sessions(session)` (periodic job `expire_idle_sessions`) finds phones whose last
message is older than SESSION_IDLE_MINUTES while a report form is half filled, and sends one
short notice per idle period; the pending form stays in the state so that, when the affiliate
writes again, the bot offers to continue it or start over (engine._expiry). Only inside
WhatsApp's 24-hour window, never to opted-out or handed-off phones. The caller commits.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dialogue import replies as R
from bot.dialogue import state as S
from core.config import Settings, current_settings
from core.jobs import Job
from core.models import Contact
from core.timeutil import now

WINDOW = timedelta(hours=23)  # stay well inside WhatsApp's free-form window
KIND = "session_expired"


def expire_idle_sessions(session: Session, settings: Settings | None = None, *, at=None,
                         limit: int = 500) -> list[Job]:
    settings = settings or current_settings()
    at = at or now()
    idle = timedelta(minutes=settings.session_idle_minutes)
    if settings.session_idle_minutes <= 0:
        return []
    contacts = session.scalars(
        select(Contact)
        .where(Contact.opt_out.is_(False), Contact.handoff.is_(False),
               Contact.last_inbound_at < at - idle, Contact.last_inbound_at > at - WINDOW)
        .order_by(Contact.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    from bot.outbound.queueing import queue_replies

    jobs: list[Job] = []
    for contact in contacts:
        state = S.load(contact)
        if not state.get("form"):
            continue  # only a half-filled report is worth a message; anything else just resets
        if not state.get("last_at") or state.get("expiry_notified") == state.get("last_at"):
            continue
        if not S.is_expired(state, at, settings.session_idle_minutes):
            continue
        form = state["form"]
        state["expiry_notified"] = state["last_at"]
        S.save(contact, state)
        jobs += queue_replies(session, contact, [R.idle_notice(form.get("tipo"))], kind=KIND)
    session.flush()
    return jobs
