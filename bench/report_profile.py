"""Where the informe mensual spends its time: every statement one report runs, with its wall
time, slowest first; `--explain` adds PostgreSQL's EXPLAIN (ANALYZE, BUFFERS) of each one.
Point it at a database that already holds cases (bench/generate.py); it only reads.

    python bench/report_profile.py --database-url URL [--month 2026-11] [--estado 15] [--explain]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def profile(url: str, month_key: str | None, estado: str | None, explain: bool, repeat: int,
            settings: list[str]) -> None:
    from sqlalchemy import event, text

    from core.db import session_factory
    from core.reports import Month, build_report

    month = Month.parse(month_key) if month_key else Month.of(date.today()).shift(-1)
    Session = session_factory(url)
    with Session() as s:
        build_report(s, month, estado=estado)  # the calendar, caches and buffers warm
        s.commit()
        engine = s.get_bind()
        runs: list[list[tuple[float, str, object]]] = []
        current: list = []

        def before(conn, cursor, statement, parameters, context, executemany):
            conn.info["t0"] = time.perf_counter()

        def after(conn, cursor, statement, parameters, context, executemany):
            current.append(((time.perf_counter() - conn.info.pop("t0")) * 1000, statement, parameters))

        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)
        totals = []
        for _ in range(repeat):
            current = []
            for setting in settings:  # e.g. work_mem=64MB, for this transaction only
                s.execute(text(f"SET LOCAL {setting}"))
            started = time.perf_counter()
            build_report(s, month, estado=estado)
            totals.append((time.perf_counter() - started) * 1000)
            runs.append(current)
            s.rollback()
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
        best = min(range(repeat), key=lambda i: totals[i])
        stmts = runs[best]
        print(f"report {month.key} {estado or 'nacional'}: best {totals[best]:,.0f} ms of {repeat} "
              f"({', '.join(f'{t:,.0f}' for t in totals)}), {len(stmts)} statements, "
              f"{sum(t for t, _, _ in stmts):,.0f} ms in the database\n")
        for ms, sql, _ in sorted(stmts, key=lambda r: -r[0]):
            print(f"{ms:8.1f} ms  {' '.join(sql.split())[:160]}")
        if explain and engine.dialect.name == "postgresql":
            raw = engine.raw_connection()
            try:
                with raw.cursor() as cur:
                    cur.execute("SET jit = off")
                    for setting in settings:
                        cur.execute(f"SET {setting}")
                    for ms, sql, params in sorted(stmts, key=lambda r: -r[0]):
                        if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                            continue
                        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                        print(f"\n==== {ms:.1f} ms: {' '.join(sql.split())[:200]}")
                        print("\n".join(row[0] for row in cur.fetchall()))
            finally:
                raw.rollback()
                raw.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--month", default=None, help="AAAA-MM; the previous month by default")
    parser.add_argument("--estado", default=None)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a PostgreSQL setting for the report's transaction (repeatable)")
    args = parser.parse_args()
    profile(args.database_url, args.month, args.estado, args.explain, args.repeat, args.set)


if __name__ == "__main__":
    main()
