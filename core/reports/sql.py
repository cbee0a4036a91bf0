"""Portable SQL pieces for the report: local dates and percentiles (SQLite and PostgreSQL).

Days are counted in Mexico City time. PostgreSQL converts with the tz database; SQLite has no
time zones and shifts by the fixed UTC-6 offset, which is exact since Mexico City dropped
daylight saving time (October 2022).
"""

from __future__ import annotations

from sqlalchemy import Date, case, func, select, text
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


@compiles(local_date, "postgresql")
def _local_date_pg(element, compiler, **kw):
    return f"CAST(({compiler.process(element.clauses, **kw)} AT TIME ZONE '{MX_ZONE}') AS DATE)"


def tune_for_reports(session) -> None:
    """PostgreSQL's JIT compiles these few-thousand-row aggregates for seconds (its cost
    estimate crosses jit_above_cost) while running them takes milliseconds: off for this
    transaction only."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL jit = off"))


PERCENTILES = {"mediana": (1, 2), "p90": (9, 10)}


def percentiles(session, sub, fractions: dict[str, tuple[int, int]] = PERCENTILES, *,
                partition: tuple[str, ...] = ("k",), extra: dict | None = None) -> dict:
    """Linear-interpolation percentiles (PostgreSQL's percentile_cont) of `sub.c.d` per group of
    the `partition` columns, computed with window functions so SQLite gives the same numbers.

    For fraction p = num/den over n sorted values the position is h = p*(n-1) (0-based); with
    integer arithmetic lo = num*(n-1) // den and the remainder r = num*(n-1) % den the value is
    v[lo] + r/den * (v[lo+1] - v[lo]). SQL picks v[lo] and v[lo+1]; Python combines the two
    numbers per group (never per row). Returns {key or key tuple: {"n": n, name: value, ...}}.
    `extra`: {column of `sub`: aggregate function} computed per group in the same statement
    (e.g. a count of the rows meeting a condition), returned under the column's name.
    """
    extra = extra or {}
    keys = [sub.c[name] for name in partition]
    rn = func.row_number().over(partition_by=keys, order_by=sub.c.d).label("rn")
    n = func.count().over(partition_by=keys).label("n")
    ranked = select(*keys, sub.c.d, rn, n, *[sub.c[name] for name in extra]).subquery()
    rkeys = [ranked.c[name] for name in partition]
    cols = [*rkeys, func.max(ranked.c.n).label("n"), *[fn(ranked.c[name]).label(name) for name, fn in extra.items()]]
    for name, (num, den) in fractions.items():
        pos = (ranked.c.n - 1) * num // den
        cols.append(func.sum(case((ranked.c.rn == pos + 1, ranked.c.d), else_=0)).label(f"{name}_lo"))
        cols.append(func.sum(case((ranked.c.rn == pos + 2, ranked.c.d), else_=0)).label(f"{name}_hi"))
        cols.append(func.max((ranked.c.n - 1) * num % den).label(f"{name}_r"))
    out: dict = {}
    for row in session.execute(select(*cols).group_by(*rkeys)).mappings():
        entry = {"n": int(row["n"]), **{name: row[name] for name in extra}}
        for name, (_num, den) in fractions.items():
            lo, hi, r = row[f"{name}_lo"], row[f"{name}_hi"], row[f"{name}_r"] or 0
            entry[name] = round(float(lo) + (float(hi) - float(lo)) * int(r) / den, 2)
        key = tuple(row[name] for name in partition)
        out[key[0] if len(key) == 1 else key] = entry
    return out
