"""What the queue's richer rows cost (issue 16 item 5) on PostgreSQL with 500k cases: the queue
pages timed with the rows as built (snippet, amount, business days left, «Devuelto» marks) and
with the two additions that do work per request switched off (the sent-back query and the
business-day count), interleaved so both modes see the same load on a shared machine. Run
under pg_virtualenv:

    pg_virtualenv -t -- .venv/bin/python bench/queue_rows_bench.py
"""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import header, percentile, write_section
from bench.dataset import app_database, login

N_CASES = int(os.environ.get("BENCH_CASES", "500000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "8"))
PER_ROUND = int(os.environ.get("BENCH_PER_ROUND", "5"))
PAGES = [
    ("enlace.jal@sinac.local", "enlace (Jalisco): queue, default", "/volantes/"),
    ("enlace.jal@sinac.local", "enlace: status turnada, vencidos", "/volantes/?status=turnada&plazo=vencido"),
    ("vinculacion@sinac.local", "vinculación: queue, default", "/volantes/"),
    ("vinculacion@sinac.local", "vinculación: page 50", "/volantes/?page=50"),
]


def _plain_badge(volante, today, soon, cal):
    """The row marker before issue 16 (calendar days, no business-day count)."""
    if volante is None or volante.status != "abierto" or volante.paused_at is not None:
        return None
    if volante.due_date < today:
        return {"text": f"Vencido ({(today - volante.due_date).days} d)", "cls": "vencido"}
    return {"text": "Vence pronto", "cls": "por-vencer"} if volante.due_date <= soon else None


def main() -> None:
    _, counts, gen_seconds = app_database(N_CASES)

    from backoffice import queue
    from backoffice.app import create_app

    app = create_app(TESTING=False, RATELIMIT_ENABLED=False)
    built = {"sent_back_rounds": queue.sent_back_rounds, "plazo_badge": queue.plazo_badge}
    plain = {"sent_back_rounds": lambda session, rows: set(), "plazo_badge": _plain_badge}
    clients = {}
    load_before = os.getloadavg()
    began = datetime.now(UTC)
    rows = []
    for email, label, path in PAGES:
        if email not in clients:
            clients[email] = app.test_client()
            login(clients[email], email)
        client = clients[email]
        client.get(path)  # warm
        samples = {"built": [], "plain": []}
        for _ in range(ROUNDS):
            for mode, patch in (("built", built), ("plain", plain)):
                for name, fn in patch.items():
                    setattr(queue, name, fn)
                for _ in range(PER_ROUND):
                    t0 = time.perf_counter()
                    resp = client.get(path)
                    samples[mode].append((time.perf_counter() - t0) * 1000)
                    assert resp.status_code == 200, (path, resp.status_code)
        for name, fn in built.items():
            setattr(queue, name, fn)
        figures = {m: (percentile(s, 0.5), percentile(s, 0.95)) for m, s in samples.items()}
        rows.append((label, path, figures))
        print(f"  {label:<36} built p50={figures['built'][0]:6.1f} p95={figures['built'][1]:6.1f}  "
              f"plain p50={figures['plain'][0]:6.1f} p95={figures['plain'][1]:6.1f} ms", flush=True)
    load_after = os.getloadavg()
    table = ["| page | URL | rows as built p50 / p95 ms | without the additions p50 / p95 ms | p50 difference |",
             "|---|---|---|---|---|"]
    for label, path, f in rows:
        table.append(f"| {label} | `{path}` | {f['built'][0]:.1f} / {f['built'][1]:.1f} | "
                     f"{f['plain'][0]:.1f} / {f['plain'][1]:.1f} | {f['built'][0] - f['plain'][0]:+.1f} |")
    body = header("pg_virtualenv -t -- .venv/bin/python bench/queue_rows_bench.py")
    body += (f"Run {began:%Y-%m-%d %H:%M} UTC on {counts['cases']:,} cases ({counts['volantes']:,} volantes), "
             f"generated in {gen_seconds:.0f} s. Load average (1/5/15 min) {load_before[0]:.1f}/"
             f"{load_before[1]:.1f}/{load_before[2]:.1f} before the timings and {load_after[0]:.1f}/"
             f"{load_after[1]:.1f}/{load_after[2]:.1f} after (2 cores shared with other work). Each mode "
             f"{ROUNDS * PER_ROUND} requests, interleaved in {ROUNDS} rounds of {PER_ROUND}, in-process "
             "through the Flask test client.\n\n")
    body += "\n".join(table) + "\n"
    print(body)
    write_section("queue_rows", "Queue rows: snippet, amount, days left, «Devuelto» (issue 16 item 5)", body)


if __name__ == "__main__":
    main()
