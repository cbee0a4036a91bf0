"""A request for information sent to the affiliate from the case (issue 16, item 1).

A fact beside the lifecycle, not a case status: the case stays `turnada` (or `registrada`) while
the request is open. What it changes in the lifecycle, pausing and resuming the round's plazo,
goes through the transition table (core.lifecycle SOLICITAR_INFORMACION / RECIBIR_INFORMACION /
CERRAR_SOLICITUD) and core.services.affiliate_contact.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base
from core.models._types import UTCDateTime, utcnow


class InfoRequest(Base):
    __tablename__ = "info_requests"
    __table_args__ = (
        # the dialogue's look-up on every inbound message: this contact's open request
        Index("ix_info_requests_contact_status", "contact_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    volante_id: Mapped[int | None] = mapped_column(ForeignKey("volantes.id"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    route: Mapped[str] = mapped_column(String(16))  # whatsapp | plantilla | sms (core.services.affiliate_contact)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    status: Mapped[str] = mapped_column(String(16))  # abierta | respondida | cerrada
    paused_clock: Mapped[bool] = mapped_column(Boolean, default=False)  # this request paused the plazo
    reply_message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    close_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    case = relationship("Case")
    requested_by = relationship("User", foreign_keys=[requested_by_id])
