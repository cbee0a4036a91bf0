"""Clock helpers: SINAC counts days in Mexico City time."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

MX_TZ = ZoneInfo("America/Mexico_City")


def now() -> datetime:
    return datetime.now(UTC)


def today_mx(at: datetime | None = None) -> date:
    return (at or now()).astimezone(MX_TZ).date()


def local_date(moment: datetime) -> date:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(MX_TZ).date()
