"""Calendar of business days used by the monthly report's SQL (core.reports.calendar fills it)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base
from core.models._types import JSONType


class BusinessDay(Base):
    """One row per calendar day. `ordinal` counts business days from the table's first day up to
    and including `fecha`, so business days in (a, b] = ordinal(b) - ordinal(a): the same count
    as core.plazos.BusinessCalendar.between, done by two primary-key joins in SQL."""

    __tablename__ = "business_days"

    fecha: Mapped[date] = mapped_column(Date, primary_key=True)
    is_business: Mapped[bool] = mapped_column(Boolean)
    ordinal: Mapped[int] = mapped_column(Integer)


class ReportRollupMonth(Base):
    """A month the report's stored figures may hold (YYYY-MM, Mexico City) and its generation:
    database triggers (migration 0022) add one to it whenever a row whose figures fall in that
    month changes (a volante, a case, a reopening; any business day: every month). Only months
    that have ended, or end within two days, are counted: a write in the open month takes no
    lock here."""

    __tablename__ = "report_rollup_months"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, default=0)


class ReportRollup(Base):
    """One month's figures for one scope (nacional, estado:NN) as core.reports.rollups stored
    them: valid while the month's generation and the report code they were computed with are
    the current ones (then they are exactly what a live computation gives)."""

    __tablename__ = "report_rollups"

    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # "meses" | "tendencia"
    generation: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict] = mapped_column(JSONType)


# Indexes on the event timestamps the monthly report filters by (one month's range of each),
# declared here beside the report's own table so the report owns them.
from core.models.cases import Case, Volante
from core.models.messages import Message

REPORT_INDEXES = (
    Index("ix_cases_closed_at", Case.closed_at),
    Index("ix_cases_satisfaction_at", Case.satisfaction_at),
    Index("ix_volantes_answered_at", Volante.answered_at),
    Index("ix_volantes_closed_at", Volante.closed_at),
    Index("ix_messages_created_at", Message.created_at),
)
