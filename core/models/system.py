"""Audit trail, settings, holidays, folio counters, notifications, report snapshots and login
throttles."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base
from core.models._types import JSONType, UTCDateTime, utcnow


class AuditEvent(Base):
    """Append-only: who did what to which case, when, from which status to which, and why; from
    which address and browser when it came through the web (core/audit.py)."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_case_id_id", "case_id", "id"),
        # the admin audit screen (core.audit_search): newest first, by action or by user
        Index("ix_audit_events_action_id", "action", "id"),
        Index("ix_audit_events_actor_label_id", "actor_label", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_label: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64), index=True)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict | None] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # The web request's client address and user agent (core.audit.set_origin); empty for the
    # bot, the worker and the scheduler.
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))


class AuditIsAppendOnly(Exception):
    pass


@event.listens_for(AuditEvent, "before_update")
def _no_update(*_args) -> None:
    raise AuditIsAppendOnly("audit events are never edited")


@event.listens_for(AuditEvent, "before_delete")
def _no_delete(*_args) -> None:
    raise AuditIsAppendOnly("audit events are never deleted")


class Setting(Base):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Holiday(Base):
    """Extra non-working days added by admins (official ones come from `holidays`)."""

    __tablename__ = "holidays"

    fecha: Mapped[date] = mapped_column(Date, primary_key=True)
    descripcion: Mapped[str] = mapped_column(String(200))


class FolioCounter(Base):
    __tablename__ = "folio_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class Notification(Base):
    """In-app notification for staff; `dedupe_key` makes scheduled jobs idempotent."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    volante_id: Mapped[int | None] = mapped_column(ForeignKey("volantes.id"))
    text: Mapped[str] = mapped_column(Text)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReportSnapshot(Base):
    """A monthly report frozen when it was built."""

    __tablename__ = "report_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), index=True)  # YYYY-MM
    scope: Mapped[str] = mapped_column(String(64), default="nacional")
    data: Mapped[dict] = mapped_column(JSONType)
    created_by: Mapped[str] = mapped_column(String(200), default="scheduler")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LoginThrottle(Base):
    """Failed logins per (account, client address): enough of them in a row lock that pair for a
    while (core/users.py). Keyed by the e-mail typed, whether or not such an account exists."""

    __tablename__ = "login_throttles"

    email: Mapped[str] = mapped_column(String(254), primary_key=True)
    ip: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class WorkerHeartbeat(Base):
    __tablename__ = "worker_heartbeats"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    info: Mapped[str | None] = mapped_column(Text)
