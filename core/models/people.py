"""Estados, staff users and the affiliates' contacts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base
from core.models._types import JSONType, UTCDateTime, postgresql_only, utcnow


class Estado(Base):
    __tablename__ = "estados"

    clave: Mapped[str] = mapped_column(String(2), primary_key=True)
    nombre: Mapped[str] = mapped_column(String(64), unique=True)
    abreviatura: Mapped[str] = mapped_column(String(8))


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    nombre: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32), index=True)
    estado_clave: Mapped[str | None] = mapped_column(ForeignKey("estados.clave"), index=True)
    cargo: Mapped[str | None] = mapped_column(String(200))
    telefono: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Bumped at logout: every cookie issued before stops working (cookies are client-side).
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    estado: Mapped[Estado | None] = relationship()


class Contact(Base):
    """One affiliate's phone: channel, consent, opt-out and dialogue state."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(32), unique=True)  # E.164
    channel: Mapped[str] = mapped_column(String(16))  # last channel used: whatsapp | sms
    estado_clave: Mapped[str | None] = mapped_column(ForeignKey("estados.clave"))
    nombre: Mapped[str | None] = mapped_column(String(200))
    opt_out: Mapped[bool] = mapped_column(Boolean, default=False)
    opt_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    privacy_notice_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    handoff: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    handoff_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dialog_state: Mapped[dict | None] = mapped_column(JSONType)
    last_inbound_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    estado: Mapped[Estado | None] = relationship()


# Phones found by their last digits in the back-office search (migration 0008).
postgresql_only(Contact.__table__, Index("ix_contacts_phone_trgm", Contact.phone, postgresql_using="gin",
                                         postgresql_ops={"phone": "gin_trgm_ops"}))
