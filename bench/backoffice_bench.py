"""Back-office benchmark on PostgreSQL filled with 500k cases: queue page p95 for an enlace and
for vinculación with common filters and search, the case page, and the monthly report; the
query plan of the slowest queue query. Run under pg_virtualenv (make bench).
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import header, percentile, write_section
from bench.dataset import app_database, login

N_CASES = int(os.environ.get("BENCH_CASES", "500000"))
REPS = int(os.environ.get("BENCH_REPS", "20"))


def timed(client, url, reps=REPS):
    client.get(url)  # warm
    samples = []
    for _ in range(reps):
        started = time.perf_counter()
        resp = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert resp.status_code == 200, (url, resp.status_code)
    return percentile(samples, 0.5), percentile(samples, 0.95)


def main() -> None:
    url, counts, gen_seconds = app_database(N_CASES)

    from sqlalchemy import event, select

    from backoffice.app import create_app
    from core.db import engine_for, session_factory
    from core.models import Case

    app = create_app(TESTING=False, RATELIMIT_ENABLED=False)
    engine = engine_for(url)
    statements: list[tuple[float, str, object]] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn, cursor, statement, params, context, executemany):
        conn.info["t0"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn, cursor, statement, params, context, executemany):
        statements.append(((time.perf_counter() - conn.info["t0"]) * 1000, statement, params))

    with session_factory(url)() as s:
        case_id = s.scalar(select(Case.id).where(Case.estado_clave == "14", Case.status == "turnada").limit(1))
        folio = s.scalar(select(Case.folio).where(Case.id == case_id))
    rows = []
    scenarios = [
        ("enlace.jal@sinac.local", "enlace (Jalisco): queue, default", "/volantes/"),
        ("enlace.jal@sinac.local", "enlace: status turnada, vencidos", "/volantes/?status=turnada&plazo=vencido"),
        ("enlace.jal@sinac.local", "enlace: search words", "/volantes/?q=ultrasonido"),
        ("enlace.jal@sinac.local", "enlace: search folio", f"/volantes/?q={folio}"),
        ("enlace.jal@sinac.local", "enlace: search FUR words (every FUR)", "/volantes/?q=gestiono"),
        ("vinculacion@sinac.local", "vinculación: queue, default", "/volantes/"),
        ("vinculacion@sinac.local", "vinculación: estado + tipo", "/volantes/?estado=15&tipo=queja"),
        ("vinculacion@sinac.local", "vinculación: search phone", "/volantes/?q=5510000123"),
        ("vinculacion@sinac.local", "vinculación: search last 4 digits", "/volantes/?q=0123"),
        ("vinculacion@sinac.local", "vinculación: search two words", "/volantes/?q=hospital+general"),
        ("vinculacion@sinac.local", "vinculación: page 50", "/volantes/?page=50"),
        ("vinculacion@sinac.local", "case page", f"/casos/{case_id}"),
    ]
    slow: tuple[float, str, object] = (0.0, "", None)
    clients = {}
    for email, label, path in scenarios:
        if email not in clients:
            clients[email] = app.test_client()
            login(clients[email], email)
        statements.clear()
        p50, p95 = timed(clients[email], path)
        worst = max(statements, key=lambda s: s[0], default=(0.0, "", None))
        if worst[0] > slow[0]:
            slow = worst
        rows.append((label, path, p50, p95))
        print(f"  {label:<40} p50={p50:7.1f} ms  p95={p95:7.1f} ms", flush=True)

    from core.reports import Month, build_report

    month = Month.of(date.today()).shift(-1)
    report_ms = []
    with session_factory(url)() as s:
        for _ in range(3):
            started = time.perf_counter()
            build_report(s, month)
            report_ms.append((time.perf_counter() - started) * 1000)
            s.rollback()
        # The steady state: the scheduler freezes each closed month on the 1st, and the trend
        # reads those snapshots instead of recomputing ten old months.
        from core.reports.snapshots import build_snapshot

        for back in range(2, 12):
            build_snapshot(s, month.shift(-back), created_by="bench")
        s.commit()
        steady_ms = []
        for _ in range(3):
            started = time.perf_counter()
            build_report(s, month)
            steady_ms.append((time.perf_counter() - started) * 1000)
            s.rollback()
    plan = ""
    if slow[1] and engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            with raw.cursor() as cur:
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + slow[1], slow[2])
                plan = "\n".join(r[0] for r in cur.fetchall())
    table = ["| page | URL | p50 ms | p95 ms |", "|---|---|---|---|"]
    table += [f"| {label} | `{path}` | {p50:.1f} | {p95:.1f} |" for label, path, p50, p95 in rows]
    worst_queue = max(p95 for label, path, p50, p95 in rows if path.startswith("/volantes"))
    body = header("make bench  (bench/backoffice_bench.py under pg_virtualenv)")
    body += (f"Data: {counts['cases']:,} cases, {counts['volantes']:,} volantes, {counts['furs']:,} FURs, "
             f"{counts['contacts']:,} contacts over one year, generated in {gen_seconds:.0f} s "
             f"({'PostgreSQL' if url.startswith('postgresql') else 'SQLite'}). Timings in-process through the "
             f"Flask test client (server time, no network), {REPS} requests each after one warm-up.\n\n")
    body += "\n".join(table) + "\n\n"
    body += (f"- Worst queue p95: **{worst_queue:.0f} ms** (target ≤ 100 ms).\n"
             f"- Monthly report ({month.key}, national, all breakdowns, 12-month trend): best of 3 "
             f"**{min(report_ms):.0f} ms** computing every month live; **{min(steady_ms):.0f} ms** once the "
             f"older months have their snapshot (target ≤ 1 s).\n")
    if plan:
        body += f"\nSlowest single statement seen ({slow[0]:.1f} ms):\n\n```sql\n{slow[1][:1500]}\n```\n\n```\n{plan[:4000]}\n```\n"
    print(body)
    write_section("backoffice", "Back office (500k cases)", body)


if __name__ == "__main__":
    main()
