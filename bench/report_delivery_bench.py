"""Time what issue 17 item 7 adds to the informe mensual: the e-mailed files (PDF by WeasyPrint,
XLSX), on a generated database (bench/generate.py; review due dates filled as filing day + 4
calendar days, about 3 business days). Figures go to docs/benchmarks.md under "## Review clock and report
delivery (issue 17 items 5, 7)".

    python bench/report_delivery_bench.py [--cases 50000] [--no-write]
    pg_virtualenv -t -- python bench/report_delivery_bench.py      # PostgreSQL
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import header, write_section
from bench.dataset import best_ms, filled, fresh_database


def run(n_cases: int, write: bool) -> str:
    from sqlalchemy import text

    from core.db import engine_for, session_factory
    from core.reports import Month
    from core.reports.enlaces import for_mailing
    from core.reports.export import report_xlsx
    from core.reports.pdf import report_pdf
    from core.reports.snapshots import build_snapshot

    with tempfile.TemporaryDirectory() as tmp:
        url = fresh_database(Path(tmp), empty_first=True)
        postgres = url.startswith("postgresql")
        today = date.today()
        counts, _ = filled(url, n_cases, today=today, progress=False)
        fill = ("UPDATE volantes SET review_due_date = CAST(answered_at AS DATE) + 4 WHERE answered_at IS NOT NULL"
                if postgres else
                "UPDATE volantes SET review_due_date = date(answered_at, '+4 days') WHERE answered_at IS NOT NULL")
        with engine_for(url).begin() as conn:
            conn.execute(text(fill))
        month = Month.of(today).shift(-1)
        Session = session_factory(url)
        with Session() as s:
            national, _ = build_snapshot(s, month, created_by="bench")
            estado, _ = build_snapshot(s, month, estado="15", created_by="bench")
            s.commit()
            pdf_ms, pdf = best_ms(lambda: report_pdf(national.data, national.created_at), 3)
            mailed = for_mailing(estado.data, national=False)  # as e-mailed: no per-enlace table
            pdf_estado_ms, pdf_estado = best_ms(lambda: report_pdf(mailed, estado.created_at), 3)
            xlsx_ms, xlsx = best_ms(lambda: report_xlsx(national.data), 3)
    backend = "PostgreSQL" if postgres else "SQLite"
    total = national.data["total"]  # the review figures ride the report's volantes pass (issue 22)
    body = header(f"python bench/report_delivery_bench.py --cases {n_cases}") + "\n".join([
        (f"Backend: **{backend}**. {counts['cases']:,} cases, {counts['volantes']:,} volantes generated; "
         f"report month {month.key}: {total.get('revisiones', 0):,} FURs reviewed "
         f"({total.get('revisiones_en_plazo', 0):,} in plazo), {total.get('revisiones_vencidas', 0):,} late reviews."),
        "",
        "| operation | time (best of 3) |",
        "| --- | ---: |",
        (f"| national PDF (WeasyPrint; {len(pdf) / 1024:,.0f} KB, {len(national.data.get('por_enlace') or [])} "
        f"per-enlace rows) | {pdf_ms:,.0f} ms |"),
        f"| one state's PDF ({len(pdf_estado) / 1024:,.0f} KB) | {pdf_estado_ms:,.0f} ms |",
        f"| national XLSX ({len(xlsx) / 1024:,.0f} KB) | {xlsx_ms:,.0f} ms |",
        "",
        ("The review figures have no statement of their own since issue 22 (two more events of the report's "
         "volantes pass: bench/report_bench.py times the report); the files are made once per delivery try, "
         "from the frozen snapshot, so 33 scopes on the 1st cost about 33 × (PDF + XLSX)."),
    ])
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    body += f"\n\nLoad average while measuring: {load} (other jobs on the machine inflate these times)."
    print(body)
    if write:
        write_section(f"review-delivery-{backend.lower()}",
                      f"Review clock and report delivery (issue 17 items 5, 7), {backend}", body)
    return body


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=50000)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    run(args.cases, not args.no_write)
