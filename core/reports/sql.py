"""Portable SQL pieces for the report: local dates and percentiles (SQLite and PostgreSQL).

Days are counted in Mexico City time. SQLite has no time zones and shifts by the fixed UTC-6
offset, which is exact since Mexico City dropped daylight saving time (October 2022).
PostgreSQL shifts by that fixed offset from then on too, and asks the tz database only for
earlier moments: the named zone's conversion cost ~1.5 µs a row, the bulk of a report
statement's time at 500k cases (issue 22), and gives the same day after the switch.
"""

from __future__ import annotations

from sqlalchemy import Date, func, select, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

MX_ZONE = "America/Mexico_City"


class local_date(FunctionElement):
    """The Mexico City calendar date of a UTC timestamp column."""

    type = Date()
    inherit_cache = True
    name = "local_date"


@compiles(local_date, "sqlite")
def _local_date_sqlite(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)}, '-6 hours')"


# the last moment Mexico City changed its offset (DST ended 2022-10-30 02:00 CDT): UTC-6 since
FIXED_SINCE = "2022-10-30 07:00:00+00"


@compiles(local_date, "postgresql")
def _local_date_pg(element, compiler, **kw):
    column = compiler.process(element.clauses, **kw)
    return (f"CASE WHEN {column} >= TIMESTAMPTZ '{FIXED_SINCE}'"
            f" THEN CAST(({column} AT TIME ZONE INTERVAL '-06:00') AS DATE)"
            f" ELSE CAST(({column} AT TIME ZONE '{MX_ZONE}') AS DATE) END")


def tune_for_reports(session) -> None:
    """For this transaction only, on PostgreSQL: no JIT (it compiled these few-thousand-row
    aggregates for seconds, its cost estimate crossing jit_above_cost, while running them takes
    milliseconds), and 32 MB per sort or hash instead of 4 MB (the volantes pass sorted its ~80k
    rows on disk: ~170 ms of CPU at 500k cases, issue 22)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL jit = off; SET LOCAL work_mem = '32MB'"))


PERCENTILES = {"mediana": (1, 2), "p90": (9, 10)}


def percentiles_of(counts: dict, fractions: dict[str, tuple[int, int]] = PERCENTILES) -> dict:
    """Linear-interpolation percentiles (PostgreSQL's percentile_cont) of the values a histogram
    holds ({value: how many rows}): {"n": n, name: value, ...}.

    For fraction p = num/den over n sorted values the position is h = p*(n-1) (0-based); with
    integer arithmetic lo = num*(n-1) // den and the remainder r = num*(n-1) % den the value is
    v[lo] + r/den * (v[lo+1] - v[lo]). The report's values are business days (a few dozen
    distinct ones), so SQL groups the rows by value (a hash aggregate, no sort of the rows) and
    this walks the few distinct values."""
    values = sorted((v, int(c)) for v, c in counts.items() if c)
    n = sum(c for _v, c in values)
    out: dict = {"n": n}
    for name, (num, den) in fractions.items():
        lo_at, r = divmod((n - 1) * num, den)
        lo = hi = None
        seen = 0
        for value, count in values:
            if lo is None and lo_at < seen + count:
                lo = value
            if lo_at + 1 < seen + count:
                hi = value
                break
            seen += count
        hi = lo if hi is None else hi
        out[name] = None if lo is None else round(float(lo) + (float(hi) - float(lo)) * r / den, 2)
    return out


def percentiles(session, sub, fractions: dict[str, tuple[int, int]] = PERCENTILES, *,
                partition: tuple[str, ...] = ("k",)) -> dict:
    """Percentiles of `sub.c.d` per group of the `partition` columns (percentiles_of over each
    group's histogram, read in one GROUP BY): {key or key tuple: {"n": n, name: value, ...}}."""
    keys = [sub.c[name] for name in partition]
    hist: dict = {}
    for *key, d, n in session.execute(select(*keys, sub.c.d, func.count()).group_by(*keys, sub.c.d)):
        hist.setdefault(key[0] if len(key) == 1 else tuple(key), {})[d] = n
    return {key: percentiles_of(counts, fractions) for key, counts in hist.items()}
