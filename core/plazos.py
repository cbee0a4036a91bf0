"""Plazos in business days: Monday-Friday minus Mexico's official holidays and admin extras."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.enums import Tipo
from core.models import Holiday, Setting

DEFAULT_PLAZOS: dict[str, int] = {
    Tipo.QUEJA: 10,
    Tipo.COBRO_INJUSTIFICADO: 10,
    Tipo.SUGERENCIA: 15,
    Tipo.FELICITACION: 15,
    Tipo.SOLICITUD_INFORMACION: 5,
    Tipo.CONSULTA_COBERTURA: 5,
}
DEVOLUCION = "devolucion"
DEFAULT_DEVOLUCION = 5
# The national review of a filed FUR by Vinculación (core.review_clock): business days from filing.
REVISION = "revision"
DEFAULT_REVISION = 3


@lru_cache(maxsize=64)
def _official(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("MX", years=year).keys())


class BusinessCalendar:
    def __init__(self, extra_non_working: set[date] | frozenset[date] = frozenset()):
        self.extra = frozenset(extra_non_working)

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in _official(day.year) and day not in self.extra

    def add(self, start: date, days: int) -> date:
        """The `days`-th business day after `start` (start itself is not counted)."""
        current = start
        remaining = days
        while remaining > 0:
            current += timedelta(days=1)
            if self.is_business_day(current):
                remaining -= 1
        return current

    def between(self, start: date, end: date) -> int:
        """Business days after `start` up to and including `end` (0 when end <= start)."""
        if end <= start:
            return 0
        count, current = 0, start
        while current < end:
            current += timedelta(days=1)
            if self.is_business_day(current):
                count += 1
        return count


def calendar(session: Session) -> BusinessCalendar:
    extra = set(session.scalars(select(Holiday.fecha)))
    return BusinessCalendar(extra)


def days_setting(session: Session, key: str, default: int) -> int:
    """A number of days kept in the settings table (at least 1), or `default` when unset or not a number."""
    row = session.get(Setting, key)
    if row is not None:
        try:
            return max(1, int(row.value))
        except ValueError:
            pass
    return default


def plazo_for(session: Session, tipo: str, *, devolucion: bool = False) -> int:
    key = f"plazo.{DEVOLUCION if devolucion else tipo}"
    return days_setting(session, key, DEFAULT_DEVOLUCION if devolucion else DEFAULT_PLAZOS.get(tipo, 10))


def review_plazo(session: Session) -> int:
    """Business days Vinculación has to review a filed FUR (admin page «Plazos»)."""
    return days_setting(session, f"plazo.{REVISION}", DEFAULT_REVISION)


def set_plazo(session: Session, tipo_or_devolucion: str, days: int) -> None:
    if days < 1 or days > 120:
        from core.errors import ValidationError

        raise ValidationError("El plazo debe estar entre 1 y 120 días hábiles.")
    key = f"plazo.{tipo_or_devolucion}"
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=str(days)))
    else:
        row.value = str(days)
