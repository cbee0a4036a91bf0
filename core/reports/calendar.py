"""Keep the `business_days` table in step with core.plazos (official + admin holidays).

The table is a cache of BusinessCalendar: rebuilt in the caller's transaction whenever it does
not cover the years asked for, or any day's business status differs (an admin added a holiday).
Checking reads one row per calendar day (a few thousand), never case rows.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.models import BusinessDay, Volante
from core.plazos import calendar as business_calendar
from core.timeutil import today_mx

EPOCH_YEAR = 2010  # first year the table covers (earlier volantes widen it)


def expected_rows(cal, first: date, last: date) -> list[dict]:
    rows, ordinal, day = [], 0, first
    while day <= last:
        business = cal.is_business_day(day)
        ordinal += 1 if business else 0
        rows.append({"fecha": day, "is_business": business, "ordinal": ordinal})
        day += timedelta(days=1)
    return rows


def year_range(session: Session, *also: date) -> tuple[int, int]:
    earliest = session.scalar(select(Volante.sent_at).order_by(Volante.sent_at).limit(1))
    years = [EPOCH_YEAR, today_mx().year + 1] + [d.year + 1 for d in also]
    if earliest is not None:
        years.append(earliest.year)
    return min(years), max(years)


def ensure_calendar(session: Session, *also: date) -> None:
    """Make `business_days` cover every day the report may touch, with current holidays."""
    first_year, last_year = year_range(session, *also)
    first, last = date(first_year, 1, 1), date(last_year, 12, 31)
    want = expected_rows(business_calendar(session), first, last)
    have = session.execute(
        select(BusinessDay.fecha, BusinessDay.is_business, BusinessDay.ordinal).order_by(BusinessDay.fecha)
    ).all()
    if [(r["fecha"], r["is_business"], r["ordinal"]) for r in want] == [tuple(r) for r in have]:
        return
    if session.get_bind().dialect.name != "postgresql":
        _replace(session, want)  # SQLite serialises writers: a concurrent rebuild waits, then redoes it
        return
    try:
        with session.begin_nested():  # two reports rebuilding at once: the loser keeps the winner's rows
            _replace(session, want)
    except IntegrityError:
        pass


def _replace(session: Session, rows: list[dict]) -> None:
    session.execute(delete(BusinessDay))
    session.execute(insert(BusinessDay), rows)
    session.flush()
