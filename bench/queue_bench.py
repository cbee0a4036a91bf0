"""The queue page at 500k cases, variant by variant, with what load cannot change told apart from
what it can (issues 16 and 17, "the queue page p95 at 500k cases stays ≤ 100 ms").

For each page variant (role, filters, search, deep page) the script times whole requests through
the Flask test client and, for every request, splits them into:

- database ms: the wall time of the request's statements (SQLAlchemy cursor events), and how
  many statements ran;
- Python ms: the rest of the wall time (routing, session, ORM, template);
- CPU ms: the Python process's CPU time (time.process_time) plus the PostgreSQL backend's CPU
  time for the same request (/proc/<backend pid>/schedstat, nanoseconds). On a busy machine the
  wall time waits for a core; the CPU time does not, so it is the figure a reader can hold
  against the target when the load is high.

Variants are interleaved round by round (so each sees the same load), and each round also times
the bare endpoint (/healthz through the same app: no database) and a bare `SELECT 1` round trip:
their drift during the run is the load's share. One EXPLAIN (ANALYZE, BUFFERS) of every statement
of every variant, after the timings, gives the server's own execution time and the slowest plan
(printed and written to --plans).

A filled database is reused: point BENCH_DATABASE_URL at it (generating 500k cases takes minutes,
more on a loaded machine); an empty one is migrated and filled first.

    pg_virtualenv -t -- .venv/bin/python bench/queue_bench.py --label before --no-write
    BENCH_DATABASE_URL=postgresql+psycopg://... .venv/bin/python bench/queue_bench.py --label after
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import percentile

N_CASES = int(os.environ.get("BENCH_CASES", "500000"))


def scenarios(folio: str) -> list[tuple[str, str, str]]:
    enlace, vinc = "enlace.jal@sinac.local", "vinculacion@sinac.local"
    return [
        (enlace, "enlace (Jalisco): default", "/volantes/"),
        (enlace, "enlace: turnada, vencidos", "/volantes/?status=turnada&plazo=vencido"),
        (enlace, "enlace: sort by due date", "/volantes/?sort=vence"),
        (enlace, "enlace: page 20", "/volantes/?page=20"),
        (enlace, "enlace: search words", "/volantes/?q=ultrasonido"),
        (enlace, "enlace: search folio", f"/volantes/?q={folio}"),
        (enlace, "enlace: search FUR words (every FUR)", "/volantes/?q=gestiono"),
        (vinc, "vinculación: default", "/volantes/"),
        (vinc, "vinculación: estado + tipo", "/volantes/?estado=15&tipo=queja"),
        (vinc, "vinculación: todos", "/volantes/?status=todos"),
        (vinc, "vinculación: vencidos", "/volantes/?plazo=vencido"),
        (vinc, "vinculación: sort by due date", "/volantes/?sort=vence"),
        (vinc, "vinculación: oldest first", "/volantes/?sort=antiguos"),
        (vinc, "vinculación: page 50", "/volantes/?page=50"),
        (vinc, "vinculación: last page", "/volantes/?page=99999"),
        (vinc, "vinculación: search phone", "/volantes/?q=5510000123"),
        (vinc, "vinculación: search last 4 digits", "/volantes/?q=0123"),
        (vinc, "vinculación: search two words", "/volantes/?q=hospital+general"),
        (vinc, "vinculación: search common word, page 10", "/volantes/?q=hospital&page=10"),
    ]


def database(n_cases: int, migrate: bool = True) -> tuple[str, int]:
    """The URL of a filled database (reused when it already holds cases) and its case count."""
    from sqlalchemy import inspect, text

    from bench.common import database_url
    from bench.dataset import fresh_database
    from core.db import engine_for

    tmp = Path(tempfile.mkdtemp(prefix="sinac-queue-bench-"))
    url = database_url(tmp)
    os.environ.update(DATABASE_URL=url, SINAC_JOBS="inline", SINAC_INSTANCE_DIR=str(tmp / "instance"),
                      SECRET_KEY="bench")
    engine = engine_for(url)
    have = 0
    if inspect(engine).has_table("cases"):
        with engine.connect() as conn:
            have = conn.scalar(text("SELECT count(*) FROM cases"))
    if not have:
        from bench.dataset import filled

        fresh_database(tmp)
        filled(url, n_cases)
    if migrate:  # a reused database gets this code's migrations (new indexes)
        from core.migrate import upgrade

        upgrade(url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("ANALYZE"))
        return url, conn.scalar(text("SELECT count(*) FROM cases"))


class Meter:
    """Per request: statements and their wall time, the backend's CPU time, Python's CPU time."""

    def __init__(self, engine):
        from sqlalchemy import event

        self.postgres = engine.dialect.name == "postgresql"
        self.statements: list[tuple[float, str, object]] = []
        self.pids: set[int] = set()

        @event.listens_for(engine, "before_cursor_execute")
        def _before(conn, cursor, statement, params, context, executemany):
            conn.info["t0"] = time.perf_counter()
            if self.postgres:  # psycopg knows its server process
                self.pids.add(conn.connection.dbapi_connection.info.backend_pid)

        @event.listens_for(engine, "after_cursor_execute")
        def _after(conn, cursor, statement, params, context, executemany):
            self.statements.append(((time.perf_counter() - conn.info["t0"]) * 1000, statement, params))

    def backend_cpu_ms(self) -> float:
        """CPU ms of the backends used so far, plus what the postmaster reaped from exited
        children (parallel workers; 10 ms ticks, so per request it is coarse, on average right)."""
        total, parents = 0.0, set()
        for pid in self.pids:
            try:
                total += int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e6
                parents.add(int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1]))
            except (OSError, ValueError, IndexError):
                pass
        for pid in parents:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[13]) + int(fields[14])) * 1000 / os.sysconf("SC_CLK_TCK")
            except (OSError, ValueError, IndexError):
                pass
        return total

    def measure(self, fn) -> dict:
        self.statements.clear()
        backend0 = self.backend_cpu_ms()
        cpu0, t0 = time.process_time(), time.perf_counter()
        fn()
        wall = (time.perf_counter() - t0) * 1000
        cpu = (time.process_time() - cpu0) * 1000
        db = sum(s[0] for s in self.statements)
        return {"wall": wall, "db": db, "python": wall - db, "py_cpu": cpu,
                "pg_cpu": self.backend_cpu_ms() - backend0, "n": len(self.statements)}


def explain(engine, statements) -> list[tuple[float, str, str]]:
    """EXPLAIN (ANALYZE, BUFFERS) of each statement: (server ms, statement, plan)."""
    out = []
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        for _, statement, params in statements:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            with raw.cursor() as cur:
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
                plan = "\n".join(r[0] for r in cur.fetchall())
            ms = float(plan.rsplit("Execution Time:", 1)[1].split()[0])
            out.append((ms, statement, plan))
        raw.rollback()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--label", default="run", help="a name for this run (before, after)")
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", "10")))
    parser.add_argument("--per-round", type=int, default=int(os.environ.get("BENCH_PER_ROUND", "3")))
    parser.add_argument("--only", default="", help="only the variants whose label contains this")
    parser.add_argument("--json", default="", help="write the figures here")
    parser.add_argument("--plans", default="", help="write every statement's plan here")
    parser.add_argument("--no-migrate", action="store_true",
                        help="leave a reused database's schema as it is (timing older code on it)")
    args = parser.parse_args()

    url, n_cases = database(N_CASES, migrate=not args.no_migrate)

    from sqlalchemy import select, text

    from backoffice.app import create_app
    from bench.dataset import login
    from core.db import engine_for, session_factory
    from core.models import Case

    app = create_app(TESTING=False, RATELIMIT_ENABLED=False)
    engine = engine_for(url)
    meter = Meter(engine)
    with session_factory(url)() as s:
        folio = s.scalar(select(Case.folio).where(Case.estado_clave == "14", Case.status == "turnada").limit(1))
    pages = [p for p in scenarios(folio) if args.only in p[1]]
    clients = {}
    for email, _, path in pages:
        if email not in clients:
            clients[email] = app.test_client()
            login(clients[email], email)
        assert clients[email].get(path).status_code == 200, path  # warm
    samples: dict[str, list[dict]] = {label: [] for _, label, _ in pages}
    samples["bare endpoint (/healthz)"] = []
    samples["bare SELECT 1"] = []
    bare_client = app.test_client()

    def select_one():
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    loads = [os.getloadavg()[0]]
    began = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    for round_no in range(args.rounds):
        for email, label, path in pages:
            for _ in range(args.per_round):
                result = {}

                def get(client=clients[email], path=path, result=result):
                    result["status"] = client.get(path).status_code

                samples[label].append(meter.measure(get))
                assert result["status"] == 200, (path, result)
            samples["bare endpoint (/healthz)"].append(meter.measure(lambda: bare_client.get("/healthz")))
            samples["bare SELECT 1"].append(meter.measure(select_one))
        loads.append(os.getloadavg()[0])
        print(f"round {round_no + 1}/{args.rounds} load {loads[-1]:.1f}", flush=True)
    ended = time.strftime("%H:%M UTC", time.gmtime())

    plans = {}
    if engine.dialect.name == "postgresql":
        for email, label, path in pages:
            meter.statements.clear()
            clients[email].get(path)
            plans[label] = explain(engine, list(meter.statements))

    figures = {}
    for label, rows in samples.items():
        fig = {key: (percentile([r[key] for r in rows], 0.5), percentile([r[key] for r in rows], 0.95))
               for key in ("wall", "db", "python", "py_cpu", "pg_cpu")}
        fig["cpu"] = (percentile([r["py_cpu"] + r["pg_cpu"] for r in rows], 0.5),
                      percentile([r["py_cpu"] + r["pg_cpu"] for r in rows], 0.95))
        fig["statements"] = rows[0]["n"] if rows else 0
        if label in plans:
            fig["explain_ms"] = sum(ms for ms, _, _ in plans[label])
            fig["slowest_ms"] = max((ms for ms, _, _ in plans[label]), default=0.0)
        figures[label] = fig
    paths = {label: path for _, label, path in pages}
    print(f"\n{args.label}: {n_cases:,} cases, {began}–{ended}, load {min(loads):.1f}–{max(loads):.1f}, "
          f"{args.rounds} rounds × {args.per_round}")
    print(f"{'variant':<44} {'wall p50/p95':>15} {'db p50':>7} {'py p50':>7} {'cpu p50/p95':>13} "
          f"{'stmts':>5} {'explain':>8}")
    for label, fig in figures.items():
        print(f"{label:<44} {fig['wall'][0]:7.1f}/{fig['wall'][1]:<7.1f} {fig['db'][0]:7.1f} "
              f"{fig['python'][0]:7.1f} {fig['py_cpu'][0]:6.1f} {fig['pg_cpu'][0]:6.1f} {fig['cpu'][0]:6.1f}/{fig['cpu'][1]:<6.1f} {fig['statements']:5d} "
              f"{fig.get('explain_ms', 0):8.1f}")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "label": args.label, "cases": n_cases, "began": began, "ended": ended, "loads": loads,
            "rounds": args.rounds, "per_round": args.per_round, "paths": paths, "figures": figures}, indent=1))
    if args.plans:
        with open(args.plans, "w") as fh:
            for label, found in plans.items():
                fh.write(f"\n\n########## {label}  {paths[label]}\n")
                fh.writelines(f"\n-- {ms:.1f} ms\n{statement}\n{plan}\n" for ms, statement, plan in sorted(found, key=lambda p: -p[0]))


if __name__ == "__main__":
    main()
