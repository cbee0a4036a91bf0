"""Clock helpers: SINAC counts days in Mexico City time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

MX_TZ = ZoneInfo("America/Mexico_City")

_SET_CLOCK: ContextVar[datetime | None] = ContextVar("sinac_clock", default=None)


def now() -> datetime:
    moment = _SET_CLOCK.get()
    return moment if moment is not None else datetime.now(UTC)


@contextmanager
def clock_at(moment: datetime) -> Iterator[datetime]:
    """Inside the block it is `moment`: now(), today_mx() and the models' default timestamps.
    Only for writing history after the fact through the services (demo data); flush inside
    the block, since column defaults are evaluated at flush time."""
    if moment.tzinfo is None:
        raise ValueError("clock_at needs an aware datetime")
    token = _SET_CLOCK.set(moment.astimezone(UTC))
    try:
        yield moment
    finally:
        _SET_CLOCK.reset(token)


def today_mx(at: datetime | None = None) -> date:
    return (at or now()).astimezone(MX_TZ).date()


def local_date(moment: datetime) -> date:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(MX_TZ).date()


class FutureDay(ValueError):
    """A day after today (Mexico City) where only days that already happened are accepted."""


def parse_day(value, *, not_future: bool = False) -> date | None:
    """A day as forms send it (AAAA-MM-DD, what <input type=date> posts), or a date; None when
    empty; ValueError when it is not a day, FutureDay when `not_future` and it is after today."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    day = value if isinstance(value, date) else date.fromisoformat(str(value).strip())
    if not_future and day > today_mx():
        raise FutureDay(day.isoformat())
    return day


# ---- days in words ---------------------------------------------------------------------------

MESES = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
         "octubre", "noviembre", "diciembre")
DIAS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")


def fecha_larga(day: date) -> str:
    """date(2026, 12, 7) -> 'lunes 7 de diciembre de 2026'."""
    return f"{DIAS[day.weekday()]} {day.day} de {MESES[day.month - 1]} de {day.year}"
