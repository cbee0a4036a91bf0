"""Calendar of business days used by the monthly report's SQL (core.reports.calendar fills it)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base


class BusinessDay(Base):
    """One row per calendar day. `ordinal` counts business days from the table's first day up to
    and including `fecha`, so business days in (a, b] = ordinal(b) - ordinal(a): the same count
    as core.plazos.BusinessCalendar.between, done by two primary-key joins in SQL."""

    __tablename__ = "business_days"

    fecha: Mapped[date] = mapped_column(Date, primary_key=True)
    is_business: Mapped[bool] = mapped_column(Boolean)
    ordinal: Mapped[int] = mapped_column(Integer)


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
