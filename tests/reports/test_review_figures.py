"""The national review's figures in the informe mensual (issue 17 item 5): FURs reviewed, reviewed
in plazo, and late reviews, counted by hand on FURs filed and reviewed through the services at
frozen times."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from core.reports import Month, build_report
from core.reports.export import report_xlsx
from core.services import cases as svc
from tests.plazos.conftest import filed_today, mx_time

AS_OF = date(2026, 11, 10)


@pytest.fixture
def reviewed(db, make):
    """A: filed Thu Oct 1 (review due Tue Oct 6), accepted Oct 5 — in plazo.
    B: filed Oct 1, sent back Thu Oct 8 — reviewed late (and a late review of October).
    C: filed Mon Oct 26 (due Thu Oct 29), never reviewed — a late review of October.
    D: filed Thu Oct 29 (due Tue Nov 3), never reviewed — a late review of November, not October.
    E (CDMX): filed Mon Sep 28 (due Thu Oct 1), accepted Oct 1 — in plazo, reviewed in October."""
    make.enlace("14")
    make.enlace("09")
    vinc = make.actor(make.user("vinculacion"))

    def filed(y, m, d, estado="14"):
        with mx_time(y, m, d, 10):
            return filed_today(make, estado)

    def review(case, y, m, d, accept=True):
        with mx_time(y, m, d, 12):
            if accept:
                svc.accept_fur(db, case, vinc)
            else:
                svc.send_back(db, case, vinc, "Falta la constancia.")
            db.commit()

    cases = {"A": filed(2026, 10, 1), "B": filed(2026, 10, 1), "C": filed(2026, 10, 26), "D": filed(2026, 10, 29),
             "E": filed(2026, 9, 28, "09")}
    review(cases["A"], 2026, 10, 5)
    review(cases["B"], 2026, 10, 8, accept=False)
    review(cases["E"], 2026, 10, 1)
    assert [cases[k].volantes[0].review_due_date for k in "ABCDE"] == [
        date(2026, 10, 6), date(2026, 10, 6), date(2026, 10, 29), date(2026, 11, 3), date(2026, 10, 1)]
    return cases


def _review(figures: dict) -> dict:
    return {k: figures[k] for k in ("revisiones", "revisiones_en_plazo", "pct_revision_en_plazo", "revisiones_vencidas")}


def _row(rows, clave):
    return next(r for r in rows if r["clave"] == clave)


def test_review_figures_national_per_estado_canal_tipo(db, reviewed):
    report = build_report(db, Month.parse("2026-10"), as_of=AS_OF)
    assert _review(report["total"]) == {"revisiones": 3, "revisiones_en_plazo": 2, "pct_revision_en_plazo": 0.6667,
                                        "revisiones_vencidas": 2}
    assert _review(report["total_anterior"]) == {"revisiones": 0, "revisiones_en_plazo": 0,
                                                 "pct_revision_en_plazo": None, "revisiones_vencidas": 0}
    assert _review(_row(report["por_estado"], "14")["actual"]) == {
        "revisiones": 2, "revisiones_en_plazo": 1, "pct_revision_en_plazo": 0.5, "revisiones_vencidas": 2}
    assert _review(_row(report["por_estado"], "09")["actual"]) == {
        "revisiones": 1, "revisiones_en_plazo": 1, "pct_revision_en_plazo": 1.0, "revisiones_vencidas": 0}
    assert _review(_row(report["por_estado"], "01")["actual"])["revisiones"] == 0
    assert _review(_row(report["por_tipo"], "queja")["actual"])["revisiones_vencidas"] == 2
    assert _review(_row(report["por_canal"], "whatsapp")["actual"])["revisiones"] == 3


def test_a_late_review_counts_in_the_month_of_its_due_date_once_read_after_it(db, reviewed):
    november = build_report(db, Month.parse("2026-11"), as_of=date(2026, 11, 3))
    assert november["total"]["revisiones_vencidas"] == 0  # D is due Nov 3: in time that day
    november = build_report(db, Month.parse("2026-11"), as_of=AS_OF)
    assert november["total"]["revisiones_vencidas"] == 1  # D
    assert november["total_anterior"]["revisiones_vencidas"] == 2  # October, beside it


def test_estado_report_and_exports_carry_them(db, reviewed):
    jal = build_report(db, Month.parse("2026-10"), estado="14", as_of=AS_OF)
    assert _review(jal["total"]) == {"revisiones": 2, "revisiones_en_plazo": 1, "pct_revision_en_plazo": 0.5,
                                     "revisiones_vencidas": 2}
    sheet = load_workbook(io.BytesIO(report_xlsx(jal)))["Resumen"]
    rows = {row[1]: row for row in sheet.iter_rows(values_only=True) if row and len(row) > 2}
    assert rows["revisiones_vencidas"][0] == "Revisiones vencidas" and rows["revisiones_vencidas"][2] == 2
    assert rows["revisiones_en_plazo"][2] == 1
