"""Where the informe mensual spends its time: every statement one report runs, with its wall
time, slowest first; `--explain` adds PostgreSQL's EXPLAIN (ANALYZE, BUFFERS) of each one.
On a loaded machine wall times mostly measure the load: `--cpu` adds the CPU time the
PostgreSQL backend spent on each statement (read from /proc, so the server must run on this
machine; parallel workers are turned off so the backend does all the work) and this process's
own CPU time. Point it at a database that already holds cases (bench/generate.py); it only
reads, but for the figures of ended months the report stores (core.reports.rollups) and, with
`--changed`, one volante of each of the report's two months changed before each run (so those two
are computed again and the trend's months read back). `--live`: nothing stored or read back.

    python bench/report_profile.py --database-url URL [--month 2026-11] [--estado 15] [--explain] [--cpu]
                                   [--live | --changed]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _cpu_ms(pid: int) -> float:
    """User + system CPU time of a process, in ms (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def profile(url: str, month_key: str | None, estado: str | None, explain: bool, repeat: int,
            settings: list[str], cpu: bool = False, mode: str = "stored") -> None:
    import contextlib

    from sqlalchemy import event, text

    from bench.report_bench import nothing_stored, touch
    from core.db import session_factory
    from core.reports import Month, build_report

    month = Month.parse(month_key) if month_key else Month.of(date.today()).shift(-1)
    Session = session_factory(url)
    with Session() as s, (nothing_stored() if mode == "live" else contextlib.nullcontext()):
        build_report(s, month, estado=estado)  # the calendar, caches, buffers and stored figures warm
        s.commit()
        engine = s.get_bind()
        runs: list[list[tuple[float, str, object]]] = []
        current: list = []

        if cpu:
            settings = [*settings, "max_parallel_workers_per_gather = 0"]
            backend = s.execute(text("SELECT pg_backend_pid()")).scalar()
        cpu_of: dict[int, float] = {}

        def before(conn, cursor, statement, parameters, context, executemany):
            conn.info["t0"] = time.perf_counter()
            if cpu:
                conn.info["c0"] = _cpu_ms(backend)

        def after(conn, cursor, statement, parameters, context, executemany):
            current.append(((time.perf_counter() - conn.info.pop("t0")) * 1000, statement, parameters))
            if cpu:
                cpu_of[id(current[-1])] = _cpu_ms(backend) - conn.info.pop("c0")

        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)
        totals, own_cpu = [], []
        for _ in range(repeat):
            if mode == "changed":
                current = []  # the change's own statements are not the report's
                touch(s, (month.shift(-1), month))
            current = []
            for setting in settings:  # e.g. work_mem='64MB', for this transaction only
                s.execute(text(f"SET LOCAL {setting}"))
            started, started_cpu = time.perf_counter(), time.process_time()
            build_report(s, month, estado=estado)
            totals.append((time.perf_counter() - started) * 1000)
            own_cpu.append((time.process_time() - started_cpu) * 1000)
            runs.append(current)
            s.rollback()
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
        best = min(range(repeat), key=lambda i: totals[i])
        stmts = runs[best]
        print(f"report {month.key} {estado or 'nacional'}: best {totals[best]:,.0f} ms of {repeat} "
              f"({', '.join(f'{t:,.0f}' for t in totals)}), {len(stmts)} statements, "
              f"{sum(t for t, _, _ in stmts):,.0f} ms in the database")
        if cpu:
            print(f"CPU: database backend {sum(cpu_of[id(r)] for r in stmts):,.0f} ms, this process "
                  f"{own_cpu[best]:,.0f} ms (load average {os.getloadavg()[0]:.1f})")
        print()
        for row in sorted(stmts, key=lambda r: -r[0]):
            ms, sql, _ = row
            used = f"{cpu_of[id(row)]:7.0f} ms CPU  " if cpu else ""
            print(f"{ms:8.1f} ms  {used}{' '.join(sql.split())[:150]}")
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
    parser.add_argument("--cpu", action="store_true", help="CPU time per statement (server on this machine)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--live", action="store_true", help="nothing stored or read back (core.reports.rollups off)")
    mode.add_argument("--changed", action="store_true", help="a volante of each of the two months changed first")
    args = parser.parse_args()
    profile(args.database_url, args.month, args.estado, args.explain, args.repeat, args.set, args.cpu,
            "live" if args.live else "changed" if args.changed else "stored")


if __name__ == "__main__":
    main()
