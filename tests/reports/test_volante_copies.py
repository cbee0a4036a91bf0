"""Issue 22: the report reads copies kept on each volante (the case's canal, tipo and current
estado, whether its FUR was the case's first answer, its round's first volante) instead of joining
every case. Its figures must be those of the definitions: here they are recomputed by hand, in
Python from the rows, on a month with several states, a round sent back, reopened cases (one
reassigned after its reopening) and a reassignment mid-round."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from core.models import Case, Volante
from core.plazos import BusinessCalendar
from core.reports import Month, build_report
from core.reports.figures import Window, compute
from core.services import cases as svc
from core.services.reopen import reopen_case
from core.timeutil import clock_at, today_mx

OCT = Month.parse("2026-10")
CAL = BusinessCalendar()


def at(month: int, day: int, hour: int = 16) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def _seed(db, make):
    enlaces = {e: make.enlace(e) for e in ("14", "09", "15")}
    vin = make.actor(make.user("vinculacion"))

    def file(case, day, **fur):
        with clock_at(day):
            svc.save_fur(db, case.open_volante, make.actor(enlaces[case.estado_clave]), make.fur_data(**fur),
                         submit=True)
            db.flush()

    def accept(case, day):
        with clock_at(day):
            svc.accept_fur(db, case, vin)
            db.flush()

    cobro = {"monto_reclamado": 900, "monto_reembolsado": 400, "fecha_reembolso": date(2026, 10, 20)}
    with clock_at(at(9, 29)):
        a = make.case("queja", "14", canal="sms")
        b = make.case("cobro_injustificado", "09", canal="whatsapp")
        c = make.case("queja", "15", canal="call_center")
        d = make.case("queja", "14", canal="buzon")
        e = make.case("queja", "09", canal="whatsapp")
    file(a, at(10, 2))
    accept(a, at(10, 5))                         # concluded in October, first round
    file(b, at(10, 6), **cobro)
    with clock_at(at(10, 7)):
        svc.send_back(db, b, vin, "Ampliar gestión: falta el recibo.")
        db.flush()
    file(b, at(10, 9), **cobro)                  # the second volante's FUR is not the first answer
    accept(b, at(10, 13))                        # conclusion counted from the round's first volante
    with clock_at(at(10, 1)):
        svc.reassign_estado(db, c, vin, "09", "Lo atendieron en la Ciudad de México.")
        db.flush()
    file(c, at(10, 8))                           # first answer on the second volante (the first cancelled)
    accept(c, at(10, 14))
    file(d, at(9, 30))
    accept(d, at(10, 1))
    with clock_at(at(10, 6)):                    # reopened: round 2, then moved to another state
        reopen_case(db, d, vin, "La unidad no cumplió lo acordado")
        db.flush()
    with clock_at(at(10, 7)):
        svc.reassign_estado(db, d, vin, "15", "Se mudó a Estado de México.")
        db.flush()
    file(d, at(10, 15))
    accept(d, at(10, 20))                        # second conclusion, its round's own start
    file(e, at(10, 22))                          # answered, not concluded
    db.commit()
    return [a, b, c, d, e]


def _local(moment: datetime) -> date:
    return today_mx(moment)


def _in_october(moment: datetime | None) -> bool:
    return moment is not None and OCT.start_utc <= moment < OCT.end_utc


def _percentile(values: list[int], fraction: float) -> float:
    data = sorted(values)
    position = fraction * (len(data) - 1)
    lo = int(position)
    hi = min(lo + 1, len(data) - 1)
    return round(data[lo] + (data[hi] - data[lo]) * (position - lo), 2)


def _by_hand(cases: list[Case]) -> dict:
    """The definitions of docs/reports.md, read straight from the rows."""
    out: dict = {"concluidos": {}, "abiertos": {}, "first_days": [], "conclusion_days": []}
    for case in cases:
        answered = [v for v in case.volantes if v.answered_at is not None]
        if answered:
            first = min(answered, key=lambda v: v.numero)
            if _in_october(first.answered_at):
                out["first_days"].append(CAL.between(_local(first.sent_at), _local(first.answered_at)))
        for v in case.volantes:
            if _in_october(v.sent_at):
                key = (v.estado_clave, case.canal, case.tipo)
                out["abiertos"][key] = out["abiertos"].get(key, 0) + 1
            if v.status == "aceptado" and _in_october(v.closed_at):
                key = (case.estado_clave, case.canal, case.tipo)  # the case's current estado
                out["concluidos"][key] = out["concluidos"].get(key, 0) + 1
                start = min((w for w in case.volantes if w.ronda == v.ronda), key=lambda w: w.numero)
                out["conclusion_days"].append(CAL.between(_local(start.sent_at), _local(v.closed_at)))
    return out


def _sum(counts: dict, position: int) -> dict:
    grouped: dict = {}
    for key, n in counts.items():
        grouped[key[position]] = grouped.get(key[position], 0) + n
    return grouped


def _report_groups(report: dict, dim: str, figure: str) -> dict:
    return {row["clave"]: row["actual"][figure] for row in report[f"por_{dim}"] if row["actual"][figure]}


def test_the_copies_follow_the_cases_and_the_figures_match_the_definitions(db, make):
    cases = _seed(db, make)
    for case in cases:  # what the services keep on every volante
        for v in case.volantes:
            assert (v.canal, v.tipo, v.case_estado_clave) == (case.canal, case.tipo, case.estado_clave)
            first_of_round = min((w for w in case.volantes if w.ronda == v.ronda), key=lambda w: w.numero)
            assert v.round_first_id == first_of_round.id
        answered = [v for v in case.volantes if v.answered_at is not None]
        assert [v.id for v in case.volantes if v.first_answer] == [min(answered, key=lambda v: v.numero).id]
    d = cases[3]
    assert (d.ronda, d.estado_clave, d.volantes[0].estado_clave) == (2, "15", "14")

    report = build_report(db, OCT, as_of=date(2026, 11, 30))
    want = _by_hand(cases)
    total = report["total"]
    assert total["concluidos"] == sum(want["concluidos"].values()) == 5
    assert _report_groups(report, "estado", "concluidos") == _sum(want["concluidos"], 0)
    assert _report_groups(report, "canal", "concluidos") == _sum(want["concluidos"], 1)
    assert _report_groups(report, "tipo", "concluidos") == _sum(want["concluidos"], 2)
    assert _report_groups(report, "estado", "volantes_abiertos") == _sum(want["abiertos"], 0)
    assert _report_groups(report, "canal", "volantes_abiertos") == _sum(want["abiertos"], 1)
    assert total["dias_respuesta_n"] == len(want["first_days"]) == 4
    assert total["dias_respuesta_mediana"] == _percentile(want["first_days"], 0.5)
    assert total["dias_respuesta_p90"] == _percentile(want["first_days"], 0.9)
    assert total["dias_conclusion_n"] == len(want["conclusion_days"])
    assert total["dias_conclusion_mediana"] == _percentile(want["conclusion_days"], 0.5)
    assert total["dias_conclusion_p90"] == _percentile(want["conclusion_days"], 0.9)
    # both conclusions of the reopened case count under its current estado (its first was in Jalisco)
    assert _report_groups(report, "estado", "concluidos")["15"] == 2
    assert (total["cobros_concluidos"], total["monto_reclamado"], total["monto_reembolsado"]) == (1, 900.0, 400.0)
    # the trend's month (older months are computed by month alone) counts the same conclusions
    trend = compute(db, Window(OCT, OCT, None, date(2026, 11, 30)), "mes")["2026-10"]
    assert (trend["concluidos"], trend["volantes_abiertos"]) == (5, total["volantes_abiertos"])
    # one state's report reads the same copies
    mexico = build_report(db, OCT, estado="15", as_of=date(2026, 11, 30))
    assert mexico["total"]["concluidos"] == 2
    assert mexico["total"]["dias_conclusion_n"] == 2


def test_migration_backfills_the_copies(tmp_path):
    """Rows written before migration 0016 get the copies from their cases."""
    from sqlalchemy import text

    from core.db import make_engine
    from core.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url, "0015")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO cases (id, folio, tipo, canal, estado_clave, status, description, search_text, created_at,"
            " updated_at, version, ronda) VALUES (1, 'SINAC-2026-000001', 'queja', 'sms', '14', 'concluida', '', '',"
            " '2026-10-01', '2026-10-01', 1, 2)"))
        for vid, numero, ronda, answered in ((1, 1, 1, None), (2, 2, 1, "2026-10-03"), (3, 3, 2, "2026-10-09")):
            conn.execute(text(
                "INSERT INTO volantes (id, case_id, numero, estado_clave, instructions, status, plazo_dias, sent_at,"
                " due_date, answered_at, ronda) VALUES (:id, 1, :n, '14', '', 'aceptado', 10, '2026-10-01',"
                " '2026-10-15', :a, :r)"), {"id": vid, "n": numero, "r": ronda, "a": answered})
    upgrade(url)
    with engine.connect() as conn:
        rows = conn.execute(select(Volante.id, Volante.canal, Volante.tipo, Volante.case_estado_clave,
                                   Volante.first_answer, Volante.round_first_id).order_by(Volante.id)).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [(1, "sms", "queja", "14", False, 1), (2, "sms", "queja", "14", True, 1),
                                        (3, "sms", "queja", "14", False, 3)]
