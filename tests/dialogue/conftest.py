"""A phone that talks to the bot: each `send` stores an inbound message the way the webhook does
(bot.inbox.record_inbound), runs one dialogue turn (bot.turns.handle_inbound), commits like the
job and returns the texts the bot queued for that phone (bot.outbound), in order."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from core.enums import Direction, Tipo
from core.models import Case, Contact, Message
from core.timeutil import now

_sids = itertools.count(1)


class Phone:
    def __init__(self, db, settings, number: str = "+523312345678", channel: str = "whatsapp"):
        self.db = db
        self.settings = settings
        self.number = number
        self.channel = channel
        self.clock: datetime | None = None  # when set, inbound messages are stamped with it
        self.last_jobs: list = []
        self.last_message: Message | None = None

    @property
    def address(self) -> str:
        return f"whatsapp:{self.number}" if self.channel == "whatsapp" else self.number

    def receive(self, body: str = "", media: list[tuple[str, str]] | None = None) -> Message:
        from bot.inbox import record_inbound

        form = {"MessageSid": f"SM{next(_sids):032d}", "From": self.address, "To": "whatsapp:+15550000000",
                "Body": body, "NumMedia": str(len(media or []))}
        for i, (url, ctype) in enumerate(media or []):
            form[f"MediaUrl{i}"] = url
            form[f"MediaContentType{i}"] = ctype
        message, _ = record_inbound(self.db, form)
        if self.clock is not None:
            message.created_at = self.clock
        self.db.commit()
        return message

    def process(self, message: Message) -> list[str]:
        from bot.turns import handle_inbound

        before = self._last_outbound_id()
        self.last_jobs = handle_inbound(self.db, message.id, settings=self.settings)
        self.db.commit()
        self.last_message = message
        return self.replies_since(before)

    def send(self, body: str = "", media: list[tuple[str, str]] | None = None) -> list[str]:
        return self.process(self.receive(body, media))

    def advance(self, minutes: float) -> None:
        self.clock = (self.clock or now()) + timedelta(minutes=minutes)

    def _last_outbound_id(self) -> int:
        last = self.db.scalar(select(Message.id).where(Message.direction == Direction.OUTBOUND)
                              .order_by(Message.id.desc()).limit(1))
        return last or 0

    def replies_since(self, after_id: int) -> list[str]:
        contact = self.contact
        if contact is None:
            return []
        rows = self.db.scalars(select(Message).where(Message.direction == Direction.OUTBOUND,
                                                     Message.contact_id == contact.id, Message.id > after_id)
                               .order_by(Message.id)).all()
        return [m.body for m in rows]

    @property
    def contact(self) -> Contact | None:
        from core.phones import normalize_phone

        return self.db.scalar(select(Contact).where(Contact.phone == normalize_phone(self.number)))


def joined(replies: list[str]) -> str:
    return "\n".join(replies)


def reports(db) -> list[Case]:
    """The cases that are reports: a question answered is registered too (DOMAIN.md §3)."""
    return [c for c in db.scalars(select(Case)).all()
            if c.tipo not in (Tipo.SOLICITUD_INFORMACION.value, Tipo.CONSULTA_COBERTURA.value)]


@pytest.fixture
def phone(db, settings):
    return Phone(db, settings)


@pytest.fixture
def other_phone(db, settings):
    return Phone(db, settings, number="+522221234567")


@pytest.fixture
def sms_phone(db, settings):
    return Phone(db, settings, number="+525512345678", channel="sms")
