"""Issue 17: the monthly report counts reopenings (and their rate), keeps a reopened case's
earlier conclusion in its month and counts the new round's conclusion in its own."""

from __future__ import annotations

from datetime import UTC, date, datetime

from core.reports import Month, build_report
from core.services import cases as svc
from core.services.reopen import reopen_by_affiliate, reopen_case
from core.timeutil import clock_at


def at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 16, tzinfo=UTC)


def _conclude(db, make, case, enlace, vin, day: datetime):
    with clock_at(day):
        svc.save_fur(db, case.open_volante, make.actor(enlace), make.fur_data(), submit=True)
        svc.accept_fur(db, case, vin)
        db.flush()


def test_reopenings_and_rate_per_month_and_estado(db, make):
    enlace = make.enlace("14")
    vin = make.actor(make.user("vinculacion"))
    contact = make.contact("+523312349999")
    with clock_at(at(10, 1)):
        a = make.case("queja", "14", contact=contact, description="Negaron la consulta")
        b = make.case("queja", "14", description="Maltrato en ventanilla")
        c = make.case("solicitud_informacion", "14", description="Requisitos de afiliación")  # atendida
    _conclude(db, make, a, enlace, vin, at(10, 5))
    _conclude(db, make, b, enlace, vin, at(10, 6))
    with clock_at(at(10, 8)):
        reopen_by_affiliate(db, contact, folio=a.folio, reason="sigo sin consulta")
    with clock_at(at(10, 9)):
        reopen_case(db, b, vin, "La unidad no cumplió lo acordado")
    with clock_at(at(11, 4)):  # the attended one reopened in November: still attended in October
        reopen_case(db, c, vin, "La información no aplicaba a su caso")
    _conclude(db, make, a, enlace, vin, at(11, 3))
    db.commit()
    assert (a.ronda, a.status, b.ronda, b.status, c.status) == (2, "concluida", 2, "turnada", "turnada")

    oct_ = build_report(db, Month.parse("2026-10"), as_of=date(2026, 12, 1))
    nov = build_report(db, Month.parse("2026-11"), as_of=date(2026, 12, 1))
    t = oct_["total"]
    # both October conclusions stay counted although both cases were reopened afterwards
    assert (t["concluidos"], t["atendidos"]) == (2, 1)
    assert (t["reaperturas"], t["reaperturas_afiliado"], t["tasa_reapertura"]) == (2, 1, round(2 / 3, 4))
    assert t["dias_conclusion_n"] == 2
    jal = next(r for r in oct_["por_estado"] if r["clave"] == "14")["actual"]
    assert jal["reaperturas"] == 2
    assert next(r for r in oct_["por_tipo"] if r["clave"] == "queja")["actual"]["reaperturas"] == 2
    # November: the new round of A concluded, counted from its own first volante (Oct 8 -> Nov 3)
    n = nov["total"]
    assert (n["concluidos"], n["atendidos"], n["reaperturas"], n["tasa_reapertura"]) == (1, 0, 1, 1.0)
    assert n["dias_conclusion_n"] == 1 and n["dias_conclusion_mediana"] < 20
    assert nov["total_anterior"]["reaperturas"] == 2
    from core.reports.monthly import LABELS

    assert LABELS["tasa_reapertura"] == "Tasa de reapertura"
    # the dashboard's bar opens exactly the cases its figure counts
    from core.report_links import figure_case_ids

    assert set(db.scalars(figure_case_ids("atendidos", Month.parse("2026-10")))) == {c.id}
