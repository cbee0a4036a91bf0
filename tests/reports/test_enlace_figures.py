"""Issue 17 item 6: per-enlace figures in the informe mensual (cases, FURs, median and p90
business days to answer, share in plazo), recomputed by hand from the rows; who reads which
rows on the dashboard, in the exports and in a saved report; no other estado's work leaks into
one state's figures."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from core.models import Fur, Volante
from core.plazos import BusinessCalendar
from core.reports import Month, build_report
from core.reports.snapshots import build_snapshot
from core.services import cases as svc
from core.timeutil import clock_at, today_mx
from tests.reports.helpers import chart_data

try:  # the shared log-in helper (moving to tests/support/web.py while this was written)
    from tests.support.web import login
except ImportError:
    from tests.reports.helpers import login

OCT = Month.parse("2026-10")
AS_OF = date(2026, 11, 30)
CAL = BusinessCalendar()


def at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 16, tzinfo=UTC)


def _percentile(values: list[int], fraction: float) -> float:
    data = sorted(values)
    position = fraction * (len(data) - 1)
    lo = int(position)
    hi = min(lo + 1, len(data) - 1)
    return round(data[lo] + (data[hi] - data[lo]) * (position - lo), 2)


@pytest.fixture
def work(db, make):
    """Two enlaces in Jalisco and one in CDMX; Vinculación files one FUR in each state."""
    ana = make.enlace("14", nombre="Ana Jalisco")
    beto = make.enlace("14", nombre="Beto Jalisco")
    carla = make.enlace("09", nombre="Carla CDMX")
    vin = make.user("vinculacion", nombre="Vera Vinculación")

    def new(estado, day):
        with clock_at(day):
            case = make.case("queja", estado)
        return case

    def file(case, user, day):
        with clock_at(day):
            svc.save_fur(db, case.open_volante, make.actor(user), make.fur_data(), submit=True)
            db.commit()

    c1, c2, c3, c4 = (new("14", at(10, 1)), new("14", at(10, 1)), new("14", at(10, 5)), new("14", at(10, 1)))
    c5, c6, c7 = new("09", at(10, 2)), new("09", at(10, 2)), new("14", at(10, 2))
    c8, c9 = new("14", at(9, 1)), new("14", at(10, 28))
    file(c1, ana, at(10, 6))
    file(c2, beto, at(10, 2))
    file(c3, ana, at(10, 7))
    with clock_at(at(10, 8)):  # sent back: the second volante is Ana's third FUR, on the same case
        svc.send_back(db, c3, make.actor(vin), "Ampliar gestión: falta la constancia.")
        db.commit()
    file(c3, ana, at(10, 9))
    file(c4, beto, at(10, 30))   # after its due date
    file(c5, carla, at(10, 7))
    file(c6, vin, at(10, 8))     # Vinculación files in CDMX ...
    file(c7, vin, at(10, 9))     # ... and in Jalisco
    file(c8, ana, at(9, 3))      # the previous month
    file(c9, beto, at(11, 3))    # the next month: not October's
    return {"ana": ana, "beto": beto, "carla": carla, "vin": vin}


def _by_hand(db, month: Month, estado: str | None = None) -> dict:
    """docs/reports.md's per-enlace definition read straight from the rows."""
    out: dict = {}
    for v, fur in _rows(db):
        if not (month.start_utc <= v.answered_at < month.end_utc) or (estado and v.estado_clave != estado):
            continue
        mine = out.setdefault(fur.filed_by_id, {"days": [], "cases": set(), "en_plazo": 0})
        mine["days"].append(CAL.between(today_mx(v.sent_at), today_mx(v.answered_at)))
        mine["cases"].add(v.case_id)
        mine["en_plazo"] += today_mx(v.answered_at) <= v.due_date
    return {uid: {"casos": len(m["cases"]), "respondidos": len(m["days"]), "respondidos_en_plazo": m["en_plazo"],
                  "pct_en_plazo": round(m["en_plazo"] / len(m["days"]), 4),
                  "dias_mediana": _percentile(m["days"], 0.5), "dias_p90": _percentile(m["days"], 0.9)}
            for uid, m in out.items()}


def _rows(db):
    from sqlalchemy import select

    return db.execute(select(Volante, Fur).join(Fur, Fur.volante_id == Volante.id)
                      .where(Volante.answered_at.is_not(None))).all()


def _rows_by_user(report: dict) -> dict:
    return {row["usuario_id"]: row["actual"] for row in report["por_enlace"]}


def test_per_enlace_figures_match_the_definition(db, work):
    ana, beto, carla, vin = (work[k] for k in ("ana", "beto", "carla", "vin"))
    report = build_report(db, OCT, as_of=AS_OF)
    got = _rows_by_user(report)
    assert got == {uid: {**want} for uid, want in _by_hand(db, OCT).items()}
    assert set(got) == {ana.id, beto.id, carla.id, vin.id}
    # Ana: three FURs on two cases (one sent back and answered again), 3, 2 and 1 business days
    assert got[ana.id] == {"casos": 2, "respondidos": 3, "respondidos_en_plazo": 3, "pct_en_plazo": 1.0,
                           "dias_mediana": 2.0, "dias_p90": 2.8}
    assert got[beto.id]["respondidos"] == 2 and got[beto.id]["respondidos_en_plazo"] == 1  # one after its due date
    # every FUR of the month belongs to exactly one row
    assert sum(r["respondidos"] for r in got.values()) == report["total"]["volantes_respondidos"]
    assert sum(r["respondidos_en_plazo"] for r in got.values()) == report["total"]["respondidos_en_plazo"]
    rows = {row["usuario_id"]: row for row in report["por_enlace"]}
    assert (rows[ana.id]["nombre"], rows[ana.id]["estado_nombre"]) == ("Ana Jalisco", "Jalisco")
    assert rows[ana.id]["anterior"]["respondidos"] == 1  # September's FUR beside October's
    assert rows[beto.id]["anterior"]["respondidos"] == 0
    assert report["por_enlace"][0]["usuario_id"] == ana.id  # most FURs first


def test_a_state_report_counts_only_that_states_work(db, work):
    ana, carla, vin = work["ana"], work["carla"], work["vin"]
    jal = build_report(db, OCT, estado="14", as_of=AS_OF)
    got = _rows_by_user(jal)
    assert got == _by_hand(db, OCT, estado="14")
    assert carla.id not in got  # CDMX's enlace is not in Jalisco's report
    assert got[vin.id]["respondidos"] == 1  # Vinculación's CDMX FUR is not counted in Jalisco
    assert got[ana.id]["respondidos"] == 3
    cdmx = _rows_by_user(build_report(db, OCT, estado="09", as_of=AS_OF))
    assert set(cdmx) == {carla.id, vin.id}


@pytest.mark.parametrize("role", ["participacion_social", "vinculacion"])
def test_national_readers_see_every_row(client, make, work, role):
    login(client, work["vin"] if role == "vinculacion" else make.user(role))
    html = client.get("/informe/?mes=2026-10").get_data(as_text=True)
    ids = {row["usuario_id"] for row in chart_data(html)["report"]["por_enlace"]}
    assert ids == {work[k].id for k in ("ana", "beto", "carla", "vin")}
    assert 'data-testid="por_enlace"' in html and "Carla CDMX" in html and "Beto Jalisco" in html


def test_an_enlace_sees_and_exports_only_their_own_row(client, db, work):
    ana = work["ana"]
    login(client, ana)
    resp = client.get("/informe/?mes=2026-10&estado=09")  # asking for another estado gets their own
    html = resp.get_data(as_text=True)
    data = chart_data(html)["report"]
    assert data["estado"] == "14"
    assert [row["usuario_id"] for row in data["por_enlace"]] == [ana.id]
    assert "Tus cifras como enlace" in html
    for other in ("Beto Jalisco", "Carla CDMX", "Vera Vinculación"):
        assert other not in html

    wb = load_workbook(io.BytesIO(client.get("/informe/exportar?mes=2026-10&formato=xlsx").data))
    sheet = [row for row in wb["Por enlace"].iter_rows(values_only=True)]
    assert [row[0] for row in sheet[1:]] == ["Ana Jalisco"]
    assert sheet[1][2:4] == (2, 3)  # casos, FUR presentados
    text = client.get("/informe/exportar?mes=2026-10&formato=csv").get_data(as_text=True)
    enlace_rows = [r for r in csv.reader(io.StringIO(text.lstrip("\ufeff"))) if r[0] == "enlace"]
    assert enlace_rows and {r[1] for r in enlace_rows} == {str(ana.id)}
    assert "Beto Jalisco" not in text and "Vera Vinculación" not in text


def test_a_saved_report_is_cut_for_the_enlace_reading_it(client, db, work):
    ana, beto = work["ana"], work["beto"]
    snap, _created = build_snapshot(db, OCT, estado="14", created_by="prueba")
    db.commit()
    assert {row["usuario_id"] for row in snap.data["por_enlace"]} == {ana.id, beto.id, work["vin"].id}
    login(client, beto)
    html = client.get(f"/informe/instantaneas/{snap.id}").get_data(as_text=True)
    assert [row["usuario_id"] for row in chart_data(html)["report"]["por_enlace"]] == [beto.id]
    assert "Ana Jalisco" not in html
    wb = load_workbook(io.BytesIO(client.get(f"/informe/instantaneas/{snap.id}/exportar?formato=xlsx").data))
    assert [row[0] for row in wb["Por enlace"].iter_rows(min_row=2, values_only=True)] == ["Beto Jalisco"]


def test_a_report_saved_before_the_per_enlace_figures_still_opens(client, db, work):
    from core.models import ReportSnapshot
    from core.reports.snapshots import scope_for

    data = build_report(db, OCT, as_of=AS_OF)
    data.pop("por_enlace")  # as frozen by an earlier version
    snap = ReportSnapshot(month=OCT.key, scope=scope_for(None), data=data, created_by="versión anterior")
    db.add(snap)
    db.commit()
    login(client, work["vin"])
    resp = client.get(f"/informe/instantaneas/{snap.id}")
    assert resp.status_code == 200 and 'aria-labelledby="por_enlace"' not in resp.get_data(as_text=True)
    wb = load_workbook(io.BytesIO(client.get(f"/informe/instantaneas/{snap.id}/exportar?formato=xlsx").data))
    assert list(wb["Por enlace"].iter_rows(min_row=2, values_only=True)) == []
