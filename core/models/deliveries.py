"""The monthly reports sent by e-mail (core/reports/delivery.py): one row per sending of one
frozen report to its recipients, with what happened to each address."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base
from core.models._types import JSONType, UTCDateTime, utcnow


class ReportDelivery(Base):
    """`status`: pendiente (being sent or waiting for its next try), enviado (every address took
    it), fallido (tries over with an address left; an admin can send it again as a new row).
    `results`: {address: {"estado": "enviado" | "rechazado" | "error", "at": iso, "error": text}}."""

    __tablename__ = "report_deliveries"
    __table_args__ = (
        Index("ix_report_deliveries_status_next", "status", "next_attempt_at"),
        Index("ix_report_deliveries_month_scope", "month", "scope"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    scope: Mapped[str] = mapped_column(String(64))  # "nacional" | "estado:14" (core.reports.snapshots)
    snapshot_id: Mapped[int] = mapped_column(Integer)  # the frozen report sent (a plain id: never edited)
    recipients: Mapped[list] = mapped_column(JSONType)
    results: Mapped[dict] = mapped_column(JSONType, default=dict)
    files: Mapped[list] = mapped_column(JSONType, default=list)  # [{"nombre": ..., "bytes": ...}]
    status: Mapped[str] = mapped_column(String(16), default="pendiente")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())  # one sender at a time
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # "auto:2026-11:nacional" for the scheduled sending (one per month and scope); None for re-sends
    dedupe_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    resend_of_id: Mapped[int | None] = mapped_column(Integer)
    requested_by: Mapped[str] = mapped_column(String(200), default="scheduler")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
