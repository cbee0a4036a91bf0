"""Canned responses (issue 17 item 4): texts with placeholders that enlaces insert in a FUR and
staff in handoff replies; national (no estado) or for one estado. Managed by admins (core.canned)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base
from core.models._types import UTCDateTime, utcnow


class CannedResponse(Base):
    __tablename__ = "canned_responses"
    __table_args__ = (Index("ix_canned_responses_estado_active", "estado_clave", "active"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    estado_clave: Mapped[str | None] = mapped_column(ForeignKey("estados.clave"))  # None: national
    titulo: Mapped[str] = mapped_column(String(120))
    cuerpo: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
