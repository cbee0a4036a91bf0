"""Keep the `business_days` table in step with core.plazos (official + admin holidays).

The table is a cache of BusinessCalendar: rebuilt in the caller's transaction whenever it does
not cover the years asked for, or any day's business status differs (an admin added a holiday).
Checking reads one row per calendar day (a few thousand), never case rows.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import delete, func, insert, select, text
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


def _same(want: list[dict], have: list) -> bool:
    """Same days and business flags, and the same running count (up to a constant offset: the
    table may start earlier than the range asked for)."""
    if len(want) != len(have) or not want:
        return False
    base_want, base_have = want[0]["ordinal"], have[0][2]
    return all(
        w["fecha"] == h[0] and w["is_business"] == h[1] and w["ordinal"] - base_want == h[2] - base_have
        for w, h in zip(want, have, strict=True)
    )


def ensure_calendar(session: Session, *also: date) -> bool:
    """Make `business_days` cover every day the report may touch, with current holidays. The
    table only grows (a report for an old month never shrinks it back), so reports for
    different months do not rebuild it in turn. True when it was rewritten (the caller commits)."""
    first_year, last_year = year_range(session, *also)
    first, last = date(first_year, 1, 1), date(last_year, 12, 31)
    cal = business_calendar(session)
    want = expected_rows(cal, first, last)
    have = session.execute(
        select(BusinessDay.fecha, BusinessDay.is_business, BusinessDay.ordinal)
        .where(BusinessDay.fecha >= first, BusinessDay.fecha <= last).order_by(BusinessDay.fecha)
    ).all()
    if _same(want, have):
        return False
    low, high = session.execute(select(func.min(BusinessDay.fecha), func.max(BusinessDay.fecha))).one()
    lo, hi = min(first, low or first), max(last, high or last)
    rows = want if (lo, hi) == (first, last) else expected_rows(cal, lo, hi)
    if session.get_bind().dialect.name != "postgresql":
        _replace(session, rows)  # SQLite serialises writers: a concurrent rebuild waits, then redoes it
        return True
    try:
        with session.begin_nested():  # two reports rebuilding at once: the loser keeps the winner's rows
            _replace(session, rows)
    except IntegrityError:
        pass
    return True


def _replace(session: Session, rows: list[dict]) -> None:
    session.execute(delete(BusinessDay))
    session.execute(insert(BusinessDay), rows)
    session.flush()
    if session.get_bind().dialect.name == "postgresql":
        # Statistics of the new rows now: planned on an empty table's (1 row), the report's
        # day-count joins chose a nested loop over every calendar day (minutes at 500k cases).
        session.execute(text("ANALYZE business_days"))
