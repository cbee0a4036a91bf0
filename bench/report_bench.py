"""Time the informe mensual on a large database: 200k cases over a year (bulk insert via
bench/generate.py), then the national report, one state's report, the one-row-per-case export
and the monthly snapshots (national + 32 states). Figures go to docs/benchmarks.md under
"## Monthly report".

The report stores the figures of ended months (core.reports.rollups) and reads them back while
exact, so each report is timed three ways: computed live with nothing stored (as before the
store existed), with every month stored, and after one volante of each of the report's two
months changed (those two computed again, the trend's months read back).

    python bench/report_bench.py [--cases 200000] [--no-write]
    pg_virtualenv -t -- python bench/report_bench.py      # PostgreSQL
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import header, write_section
from bench.dataset import best_ms, fresh_database


def run(n_cases: int, write: bool) -> str:
    from sqlalchemy import func, select

    from bench.generate import generate
    from core.db import session_factory
    from core.models import Case, Volante
    from core.reports import Month, build_report
    from core.reports.export import case_rows
    from core.reports.snapshots import build_month_snapshots, build_snapshot

    with tempfile.TemporaryDirectory() as tmp:
        url = fresh_database(Path(tmp), empty_first=True)
        today = date.today()
        gen_ms, counts = best_ms(lambda: generate(url, n_cases, today=today, progress=False))
        month = Month.of(today).shift(-1)
        Session = session_factory(url)
        with Session() as s:
            in_month = s.scalar(select(func.count()).select_from(Case).where(
                Case.created_at >= month.start_utc, Case.created_at < month.end_utc))
            vol_month = s.scalar(select(func.count()).select_from(Volante).where(
                Volante.sent_at >= month.start_utc, Volante.sent_at < month.end_utc))
            cold_ms, _ = best_ms(lambda: build_report(s, month))
            s.commit()
            with nothing_stored():
                live_ms, report = best_ms(lambda: build_report(s, month), repeat=3)
                estado_live_ms, _ = best_ms(lambda: build_report(s, month, estado="15"), repeat=3)
            warm_ms, _ = best_ms(lambda: build_report(s, month), repeat=3)
            build_report(s, month, estado="15")
            s.commit()
            estado_ms, _ = best_ms(lambda: build_report(s, month, estado="15"), repeat=3)
            changed_ms = min(after_a_change(s, month) for _ in range(3))
            estado_changed_ms = min(after_a_change(s, month, estado="15") for _ in range(3))

            class Reader:  # a national reader for core.access
                role, estado_clave = "participacion_social", None

            export_ms, n_rows = best_ms(lambda: sum(1 for _ in case_rows(s, month, Reader())))
        with Session() as s:
            snap_ms, created = best_ms(lambda: build_month_snapshots(s, month, created_by="bench"))
            s.commit()
        with Session() as s:  # steady state: the scheduler has frozen every older month
            for back in range(2, 12):
                build_snapshot(s, month.shift(-back), created_by="bench")
            s.commit()
            with nothing_stored():
                steady_ms, _ = best_ms(lambda: build_report(s, month), repeat=3)
        backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
        total = report["total"]
        body = header(f"python bench/report_bench.py --cases {n_cases}") + "\n".join([
            (f"Backend: **{backend}**. Generated {counts['cases']:,} cases, {counts['volantes']:,} volantes, "
             f"{counts['furs']:,} FURs in {gen_ms / 1000:.1f} s (bulk insert). Report month {month.key}: "
             f"{in_month:,} cases registered, {vol_month:,} volantes sent."),
            "",
            "| operation | time |",
            "| --- | ---: |",
            f"| national report, first run (builds the business-day calendar) | {cold_ms:,.0f} ms |",
            f"| national report (month + previous month, 4 breakdowns, 12-month trend), nothing stored, best of 3 | {live_ms:,.0f} ms |",
            f"| same, every ended month stored, best of 3 | {warm_ms:,.0f} ms |",
            f"| same, after a change to a volante of each of the two months, best of 3 | {changed_ms:,.0f} ms |",
            f"| same, nothing stored, once older months have their snapshot (trend reads them), best of 3 | {steady_ms:,.0f} ms |",
            f"| one state's report (Estado de México), nothing stored, best of 3 | {estado_live_ms:,.0f} ms |",
            f"| same, every ended month stored, best of 3 | {estado_ms:,.0f} ms |",
            f"| same, after a change to a volante of each of the two months, best of 3 | {estado_changed_ms:,.0f} ms |",
            f"| one-row-per-case export rows ({n_rows:,} cases with activity in the month) | {export_ms:,.0f} ms |",
            f"| monthly snapshots, national + 32 states ({len(created)} stored) | {snap_ms:,.0f} ms |",
            "",
            (f"Sanity: casos_registrados={total['casos_registrados']:,}, volantes_respondidos="
             f"{total['volantes_respondidos']:,}, mediana días a primera respuesta={total['dias_respuesta_mediana']}, "
             f"p90={total['dias_respuesta_p90']}. All figures are SQL aggregates (GROUP BY, business days from a "
             "business_days calendar table, medians from per-day counts); Python only touches one row per group."),
        ])
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    body += f"\n\nLoad average while measuring: {load} (other jobs on the machine inflate these times)."
    print(body)
    if write:
        write_section("monthly-report", "Monthly report", _merged(backend, body))
    return body


@contextlib.contextmanager
def nothing_stored():
    """The report computed live, reading and storing no figure (core.reports.rollups off)."""
    from core.reports import rollups

    saved = rollups.code_fingerprint
    rollups.code_fingerprint = lambda: None
    try:
        yield
    finally:
        rollups.code_fingerprint = saved


def touch(session, months) -> None:
    """Change one volante sent in each month (its instructions), committed: the triggers count
    the change in those months, so their stored figures are computed again."""
    from sqlalchemy import func, select, update

    from core.models import Volante

    for m in months:
        first = session.scalar(select(func.min(Volante.id)).where(Volante.sent_at >= m.start_utc,
                                                                  Volante.sent_at < m.end_utc))
        if first is not None:
            session.execute(update(Volante).where(Volante.id == first)
                            .values(instructions=func.coalesce(Volante.instructions, "") + "."))
    session.commit()


def after_a_change(session, month, estado=None) -> float:
    """Milliseconds of the report right after a volante of each of its two months changed (the
    change itself is not timed)."""
    import time

    from core.reports import build_report

    touch(session, (month.shift(-1), month))
    started = time.perf_counter()
    build_report(session, month, estado=estado)
    elapsed = time.perf_counter() - started
    session.commit()
    return elapsed * 1000


def _merged(backend: str, body: str) -> str:
    """One "## Monthly report" section with a "### <backend>" block per database, keeping the
    other backend's last figures."""
    from bench.common import BENCH_MD

    blocks: dict[str, str] = {}
    text = BENCH_MD.read_text() if BENCH_MD.exists() else ""
    start, end = "<!-- bench:monthly-report -->", "<!-- /bench:monthly-report -->"
    if start in text and end in text:
        section = text.split(start, 1)[1].split(end, 1)[0]
        for part in section.split("\n### ")[1:]:
            name, _, rest = part.partition("\n")
            blocks[name.strip()] = rest.strip()
    blocks[backend] = body.strip()
    return "\n\n".join(f"### {name}\n\n{blocks[name]}" for name in sorted(blocks))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--no-write", action="store_true", help="print only; do not touch docs/benchmarks.md")
    args = parser.parse_args()
    run(args.cases, write=not args.no_write)


if __name__ == "__main__":
    main()
