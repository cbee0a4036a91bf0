"""Portable SQL pieces for the report: local dates, month keys, percentiles (SQLite and PostgreSQL).

Days are counted in Mexico City time. PostgreSQL converts with the tz database; SQLite has no
time zones and shifts by the fixed UTC-6 offset, which is exact since Mexico City dropped
daylight saving time (October 2022).
"""

from __future__ import annotations

from sqlalchemy import Date, String, case, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

MX_ZONE = "America/Mexico_City"


class local_date(FunctionElement):  # noqa: N801 (SQL function style)
    """The Mexico City calendar date of a UTC timestamp column."""

    type = Date()
    inherit_cache = True
    name = "local_date"


@compiles(local_date, "sqlite")
def _local_date_sqlite(element, compiler, **kw):
    return "date(%s, '-6 hours')" % compiler.process(element.clauses, **kw)


@compiles(local_date, "postgresql")
def _local_date_pg(element, compiler, **kw):
    return f"CAST(({compiler.process(element.clauses, **kw)} AT TIME ZONE '{MX_ZONE}') AS DATE)"


class month_key(FunctionElement):  # noqa: N801
    """'YYYY-MM' of a UTC timestamp column, in Mexico City time."""

    type = String()
    inherit_cache = True
    name = "month_key"


@compiles(month_key, "sqlite")
def _month_key_sqlite(element, compiler, **kw):
    return "strftime('%%Y-%%m', %s, '-6 hours')" % compiler.process(element.clauses, **kw)


@compiles(month_key, "postgresql")
def _month_key_pg(element, compiler, **kw):
    return f"to_char(({compiler.process(element.clauses, **kw)} AT TIME ZONE '{MX_ZONE}'), 'YYYY-MM')"


class date_month_key(FunctionElement):  # noqa: N801
    """'YYYY-MM' of a DATE column."""

    type = String()
    inherit_cache = True
    name = "date_month_key"


@compiles(date_month_key, "sqlite")
def _date_month_key_sqlite(element, compiler, **kw):
    return "strftime('%%Y-%%m', %s)" % compiler.process(element.clauses, **kw)


@compiles(date_month_key, "postgresql")
def _date_month_key_pg(element, compiler, **kw):
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM')"


PERCENTILES = {"mediana": (1, 2), "p90": (9, 10)}


def percentiles(session, sub, fractions: dict[str, tuple[int, int]] = PERCENTILES, *,
                grouped: bool = True) -> dict:
    """Linear-interpolation percentiles (PostgreSQL's percentile_cont) of `sub.c.d` per `sub.c.k`,
    computed with window functions so SQLite gives the same numbers.

    For fraction p = num/den over n sorted values the position is h = p*(n-1) (0-based); with
    integer arithmetic lo = h // 1 and the remainder r = num*(n-1) % den the value is
    v[lo] + r/den * (v[lo+1] - v[lo]). SQL picks v[lo] and v[lo+1]; Python combines the two
    numbers per group (never per row). Returns {key: {"n": n, name: value, ...}}; without
    `grouped`, `sub.c.k` is a constant and the whole set is one group.
    """
    partition = {"partition_by": sub.c.k} if grouped else {}
    rn = func.row_number().over(order_by=sub.c.d, **partition).label("rn")
    n = func.count().over(**partition).label("n")
    ranked = select(sub.c.k, sub.c.d, rn, n).subquery()
    cols = [func.max(ranked.c.k).label("k"), func.max(ranked.c.n).label("n")]
    for name, (num, den) in fractions.items():
        pos = (ranked.c.n - 1) * num // den
        cols.append(func.sum(case((ranked.c.rn == pos + 1, ranked.c.d), else_=0)).label(f"{name}_lo"))
        cols.append(func.sum(case((ranked.c.rn == pos + 2, ranked.c.d), else_=0)).label(f"{name}_hi"))
        cols.append(func.max((ranked.c.n - 1) * num % den).label(f"{name}_r"))
    out: dict = {}
    query = select(*cols).group_by(ranked.c.k) if grouped else select(*cols)
    for row in session.execute(query).mappings():
        if row["n"] is None:
            continue
        entry = {"n": int(row["n"])}
        for name, (_num, den) in fractions.items():
            lo, hi, r = row[f"{name}_lo"], row[f"{name}_hi"], row[f"{name}_r"] or 0
            entry[name] = round(float(lo) + (float(hi) - float(lo)) * int(r) / den, 2)
        out[row["k"]] = entry
    return out
