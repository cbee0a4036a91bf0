"""Every inbound and outbound message, with its delivery status."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base
from core.models._types import JSONType, UTCDateTime, utcnow


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_contact_created", "contact_id", "created_at"),
        Index("ix_messages_direction_status", "direction", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    direction: Mapped[str] = mapped_column(String(8))
    channel: Mapped[str] = mapped_column(String(16))
    message_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    body: Mapped[str] = mapped_column(Text, default="")
    media: Mapped[list | None] = mapped_column(JSONType)  # [{"url", "content_type"}]
    intent: Mapped[str | None] = mapped_column(String(64))
    confidence: Mapped[float | None] = mapped_column(Float)
    entities: Mapped[list | None] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    request_id: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str | None] = mapped_column(String(32))  # reply, notification, survey, staff
    template_sid: Mapped[str | None] = mapped_column(String(64))  # WhatsApp ContentSid
    template_vars: Mapped[dict | None] = mapped_column(JSONType)
    fallback_of_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # order within one multi-part reply
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    contact = relationship("Contact")
