"""The stretch of time a report statement reads: whole months, an optional estado, the day the
report is read, and each month's bucket as SQL (Mexico City boundaries computed in Python)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case

from core.reports.months import Month


@dataclass(frozen=True)
class Window:
    """A range of whole months [first, last] and an optional estado filter."""

    first: Month
    last: Month
    estado: str | None = None
    as_of: date | None = None  # day the report is read: unanswered volantes due before it are vencidos

    @property
    def start(self):
        return self.first.start_utc

    @property
    def end(self):
        return self.last.end_utc

    @property
    def first_day(self) -> date:
        return self.first.first_day

    @property
    def last_day(self) -> date:
        return self.last.last_day

    @property
    def months(self) -> list[Month]:
        out, m = [], self.first
        while m <= self.last:
            out.append(m)
            m = m.shift(1)
        return out

    def during(self, column, *, dated: bool = False):
        """The column falls in the window: a UTC timestamp, or (`dated`) a local calendar date."""
        if dated:
            return and_(column >= self.first_day, column <= self.last_day)
        return and_(column >= self.start, column < self.end)


def month_bucket(column, window: Window, *, dated: bool = False):
    """'YYYY-MM' of the event, for a column already restricted to the window."""
    if dated:
        whens = [(column <= m.last_day, m.key) for m in window.months]
    else:
        whens = [(column < m.end_utc, m.key) for m in window.months]
    return case(*whens, else_=None)
