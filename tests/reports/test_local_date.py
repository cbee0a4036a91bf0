"""The report's day of a moment (core.reports.sql.local_date) is Mexico City's, as Python's
tz database gives it (core.timeutil.local_date): PostgreSQL shifts by the fixed UTC-6 offset
since the last change of offset (2022-10-30) and asks the tz database before it; SQLite has no
tz database and is exact from that day on."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import literal, select

from core.models._types import UTCDateTime
from core.reports.sql import local_date
from core.timeutil import local_date as py_local_date

SINCE_2022 = [datetime(2022, 10, 30, 7, 0, tzinfo=UTC),        # 01:00 CST, the first moment at UTC-6 for good
              datetime(2026, 11, 1, 5, 59, 59, tzinfo=UTC),     # Oct 31, 23:59:59
              datetime(2026, 11, 1, 6, 0, tzinfo=UTC),          # Nov 1, 00:00
              datetime(2026, 1, 1, 3, 0, tzinfo=UTC)]           # Dec 31, 21:00
BEFORE = [datetime(2022, 10, 30, 6, 59, 59, tzinfo=UTC),         # 01:59:59 CDT (UTC-5)
          datetime(2022, 10, 30, 4, 59, tzinfo=UTC),              # Oct 29, 23:59 CDT
          datetime(2021, 7, 1, 4, 30, tzinfo=UTC),                # June 30, 23:30 CDT
          datetime(2021, 12, 1, 5, 30, tzinfo=UTC)]               # Nov 30, 23:30 CST


def _sql_day(db, moment):
    return db.scalar(select(local_date(literal(moment, UTCDateTime()))))


def test_local_date_is_mexico_citys_day(db):
    moments = SINCE_2022 + (BEFORE if db.get_bind().dialect.name == "postgresql" else [])
    assert [_sql_day(db, m) for m in moments] == [py_local_date(m) for m in moments]
