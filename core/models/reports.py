"""Calendar of business days used by the monthly report's SQL (core.reports.calendar fills it)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, Integer
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
