"""Every figure of the October 2026 report against values computed by hand (see conftest.py)."""

from __future__ import annotations

import pytest

from core.reports import Month, build_report
from tests.reports.conftest import AS_OF

# issue 17 item 5: the scenario's rounds carry no review clock (conftest's `timed` rewrites their
# dates); tests/reports/test_review_figures.py counts the review figures
NO_REVIEW_CLOCK = {"revisiones": 0, "revisiones_en_plazo": 0, "pct_revision_en_plazo": None, "revisiones_vencidas": 0}

OCT_TOTAL = {
    "casos_registrados": 12,  # A B D E F G H I J K L N (M cancelled; O is Sept 30 local)
    "atendidos": 4,  # I J K L
    "personas": 2,
    "mensajes_recibidos": 5,  # 3 + Oct 5 + Oct 31 local; the outbound one is not counted
    "volantes_abiertos": 10,  # A1 B1 B2 D1 E1 F1 G1 H1 H2 M1
    "casos_turnados": 8,
    "volantes_respondidos": 6,  # A1 B1 B2 C1 E1 H2
    "respondidos_en_plazo": 5,  # E1 late
    "pct_en_plazo": 0.8333,
    "volantes_aceptados": 4,  # A1 B2 C1 E1
    "volantes_devueltos": 1,  # B1
    "tasa_devolucion": 0.2,
    "volantes_vencidos": 2,  # E1 answered late, F1 never answered (G1 paused, H1 cancelled early)
    "concluidos": 4,  # A B C E
    "favorables": 2, "no_favorables": 1, "improcedentes": 1, "pct_favorable": 0.5,
    "cobros_concluidos": 2, "reembolsos": 1, "monto_reclamado": 2000.0, "monto_reembolsado": 500.0,
    "satisfaccion_promedio": 4.0, "satisfaccion_n": 2,  # A 5, C 3 (B answered in Nov)
    # first answers: A 3 (Oct 2,5,6), B 4 (6,7,8,9), C 4 (Sep 29,30, Oct 1,2), E 5 (20..23,26), H 2 (7,8)
    "dias_respuesta_n": 5, "dias_respuesta_mediana": 4.0, "dias_respuesta_p90": 4.6,
    # conclusions: A 4, B 7 (Oct 12 holiday skipped), C 5, E 6
    "dias_conclusion_n": 4, "dias_conclusion_mediana": 5.5, "dias_conclusion_p90": 6.7,
    # issue 17: nothing reopened in the scenario (tests/reports/test_reopen_figures.py reopens)
    "reaperturas": 0, "reaperturas_afiliado": 0, "tasa_reapertura": 0.0,
    **NO_REVIEW_CLOCK,
}

SEPT_TOTAL = {
    "casos_registrados": 4,  # C O P Q
    "atendidos": 1, "personas": 1, "mensajes_recibidos": 1,
    "volantes_abiertos": 2, "casos_turnados": 2, "volantes_respondidos": 1, "respondidos_en_plazo": 1,
    "pct_en_plazo": 1.0, "volantes_aceptados": 1, "volantes_devueltos": 0, "tasa_devolucion": 0.0,
    "volantes_vencidos": 0, "concluidos": 1, "favorables": 1, "no_favorables": 0, "improcedentes": 0,
    "pct_favorable": 1.0, "cobros_concluidos": 0, "reembolsos": 0, "monto_reclamado": 0.0,
    "monto_reembolsado": 0.0, "satisfaccion_promedio": 4.0, "satisfaccion_n": 1,
    # P: Sept 14 -> 17 skips the Sept 16 official holiday: 2; conclusion Sept 18: 3
    "dias_respuesta_n": 1, "dias_respuesta_mediana": 2.0, "dias_respuesta_p90": 2.0,
    "dias_conclusion_n": 1, "dias_conclusion_mediana": 3.0, "dias_conclusion_p90": 3.0,
    # issue 17: nothing reopened in the scenario (tests/reports/test_reopen_figures.py reopens)
    "reaperturas": 0, "reaperturas_afiliado": 0, "tasa_reapertura": 0.0,
    **NO_REVIEW_CLOCK,
}

JAL = {
    "casos_registrados": 8, "atendidos": 2, "personas": 1, "mensajes_recibidos": 3,
    "volantes_abiertos": 8, "casos_turnados": 7, "volantes_respondidos": 4, "respondidos_en_plazo": 3,
    "pct_en_plazo": 0.75, "volantes_aceptados": 3, "volantes_devueltos": 1, "tasa_devolucion": 0.25,
    "volantes_vencidos": 2, "concluidos": 3, "favorables": 1, "no_favorables": 1, "improcedentes": 1,
    "pct_favorable": 0.3333, "cobros_concluidos": 1, "reembolsos": 0, "monto_reclamado": 1200.0,
    "monto_reembolsado": 0.0, "satisfaccion_promedio": 5.0, "satisfaccion_n": 1,
    "dias_respuesta_n": 3, "dias_respuesta_mediana": 4.0, "dias_respuesta_p90": 4.8,
    "dias_conclusion_n": 3, "dias_conclusion_mediana": 6.0, "dias_conclusion_p90": 6.8,
    # issue 17: nothing reopened in the scenario (tests/reports/test_reopen_figures.py reopens)
    "reaperturas": 0, "reaperturas_afiliado": 0, "tasa_reapertura": 0.0,
    **NO_REVIEW_CLOCK,
}

CDMX = {
    "casos_registrados": 3, "atendidos": 1, "personas": 1, "mensajes_recibidos": 2,
    "volantes_abiertos": 2, "casos_turnados": 1, "volantes_respondidos": 2, "respondidos_en_plazo": 2,
    "pct_en_plazo": 1.0, "volantes_aceptados": 1, "volantes_devueltos": 0, "tasa_devolucion": 0.0,
    "volantes_vencidos": 0, "concluidos": 1, "favorables": 1, "no_favorables": 0, "improcedentes": 0,
    "pct_favorable": 1.0, "cobros_concluidos": 1, "reembolsos": 1, "monto_reclamado": 800.0,
    "monto_reembolsado": 500.0, "satisfaccion_promedio": 3.0, "satisfaccion_n": 1,
    "dias_respuesta_n": 2, "dias_respuesta_mediana": 3.0, "dias_respuesta_p90": 3.8,
    "dias_conclusion_n": 1, "dias_conclusion_mediana": 5.0, "dias_conclusion_p90": 5.0,
    # issue 17: nothing reopened in the scenario (tests/reports/test_reopen_figures.py reopens)
    "reaperturas": 0, "reaperturas_afiliado": 0, "tasa_reapertura": 0.0,
    **NO_REVIEW_CLOCK,
}

ZERO = {
    "casos_registrados": 0, "atendidos": 0, "personas": 0, "mensajes_recibidos": 0, "volantes_abiertos": 0,
    "casos_turnados": 0, "volantes_respondidos": 0, "respondidos_en_plazo": 0, "pct_en_plazo": None,
    "volantes_aceptados": 0, "volantes_devueltos": 0, "tasa_devolucion": None, "volantes_vencidos": 0,
    "concluidos": 0, "favorables": 0, "no_favorables": 0, "improcedentes": 0, "pct_favorable": None,
    "cobros_concluidos": 0, "reembolsos": 0, "monto_reclamado": 0.0, "monto_reembolsado": 0.0,
    "satisfaccion_promedio": None, "satisfaccion_n": 0, "dias_respuesta_n": 0, "dias_respuesta_mediana": None,
    "dias_respuesta_p90": None, "dias_conclusion_n": 0, "dias_conclusion_mediana": None,
    "dias_conclusion_p90": None, "reaperturas": 0, "reaperturas_afiliado": 0, "tasa_reapertura": None,
    **NO_REVIEW_CLOCK,
}


def _row(rows, clave):
    return next(r for r in rows if r["clave"] == clave)


@pytest.fixture
def report(db, scenario):
    return build_report(db, Month.parse("2026-10"), as_of=AS_OF)


def test_national_totals_beside_previous_month(report):
    assert report["mes"] == "2026-10" and report["mes_anterior"] == "2026-09"
    assert report["total"] == OCT_TOTAL
    assert report["total_anterior"] == SEPT_TOTAL


def test_per_estado(report):
    assert _row(report["por_estado"], "14")["actual"] == JAL
    assert _row(report["por_estado"], "09")["actual"] == CDMX
    sin_estado = _row(report["por_estado"], None)
    assert sin_estado["etiqueta"] == "Sin estado"
    assert sin_estado["actual"] == {**ZERO, "casos_registrados": 1, "atendidos": 1,
                                                                                       "tasa_reapertura": 0.0}  # J
    assert _row(report["por_estado"], "01")["actual"] == ZERO
    assert len(report["por_estado"]) == 33
    jal_prev = _row(report["por_estado"], "14")["anterior"]
    assert jal_prev["casos_registrados"] == 2 and jal_prev["dias_respuesta_mediana"] == 2.0  # O, P


def test_per_canal(report):
    sms = _row(report["por_canal"], "sms")["actual"]
    assert sms == {**ZERO, "casos_registrados": 1, "volantes_abiertos": 2, "casos_turnados": 1,
                   "volantes_respondidos": 2, "respondidos_en_plazo": 2, "pct_en_plazo": 1.0,
                   "volantes_aceptados": 1, "volantes_devueltos": 1, "tasa_devolucion": 0.5, "concluidos": 1,
                   "no_favorables": 1, "pct_favorable": 0.0, "personas": 1, "mensajes_recibidos": 2,
                   "dias_respuesta_n": 1, "dias_respuesta_mediana": 4.0, "dias_respuesta_p90": 4.0,
                   "dias_conclusion_n": 1, "dias_conclusion_mediana": 7.0, "dias_conclusion_p90": 7.0,
                   "tasa_reapertura": 0.0}
    buzon = _row(report["por_canal"], "buzon")["actual"]
    assert buzon == {**ZERO, "casos_registrados": 1, "volantes_abiertos": 1, "casos_turnados": 1,
                     "volantes_respondidos": 1, "pct_en_plazo": 0.0, "volantes_aceptados": 1,
                     "tasa_devolucion": 0.0, "volantes_vencidos": 1, "concluidos": 1, "improcedentes": 1,
                     "pct_favorable": 0.0, "cobros_concluidos": 1, "monto_reclamado": 1200.0,
                     "dias_respuesta_n": 1, "dias_respuesta_mediana": 5.0, "dias_respuesta_p90": 5.0,
                     "dias_conclusion_n": 1, "dias_conclusion_mediana": 6.0, "dias_conclusion_p90": 6.0,
                     "tasa_reapertura": 0.0}
    assert _row(report["por_canal"], "call_center")["actual"] == {
        **ZERO, "casos_registrados": 1, "volantes_abiertos": 1, "casos_turnados": 1}
    wa = _row(report["por_canal"], "whatsapp")["actual"]
    assert (wa["casos_registrados"], wa["volantes_abiertos"], wa["personas"], wa["mensajes_recibidos"]) == (9, 6, 1, 3)
    assert _row(report["por_canal"], "oficio")["actual"] == ZERO


def test_per_tipo(report):
    cobro = _row(report["por_tipo"], "cobro_injustificado")["actual"]
    assert cobro == {**ZERO, "casos_registrados": 1, "volantes_abiertos": 1, "casos_turnados": 1,
                     "volantes_respondidos": 2, "respondidos_en_plazo": 1, "pct_en_plazo": 0.5,
                     "volantes_aceptados": 2, "tasa_devolucion": 0.0, "volantes_vencidos": 1, "concluidos": 2,
                     "favorables": 1, "improcedentes": 1, "pct_favorable": 0.5, "cobros_concluidos": 2,
                     "reembolsos": 1, "monto_reclamado": 2000.0, "monto_reembolsado": 500.0,
                     "satisfaccion_promedio": 3.0, "satisfaccion_n": 1,
                     "dias_respuesta_n": 2, "dias_respuesta_mediana": 4.5, "dias_respuesta_p90": 4.9,
                     "dias_conclusion_n": 2, "dias_conclusion_mediana": 5.5, "dias_conclusion_p90": 5.9,
                     "tasa_reapertura": 0.0}
    consulta = _row(report["por_tipo"], "consulta_cobertura")["actual"]
    assert consulta == {**ZERO, "casos_registrados": 3, "atendidos": 3, "tasa_reapertura": 0.0}
    assert _row(report["por_tipo"], "solicitud_informacion")["actual"] == {**ZERO, "casos_registrados": 1, "atendidos": 1,
                                                                                       "tasa_reapertura": 0.0}
    queja = _row(report["por_tipo"], "queja")["actual"]
    assert (queja["casos_registrados"], queja["volantes_abiertos"], queja["volantes_vencidos"]) == (7, 9, 1)
    # messages have no tipo
    assert all(r["actual"]["personas"] == 0 for r in report["por_tipo"])


def test_topics_and_trend(report):
    assert report["temas"] == [{"tema": "diabetes", "n": 2}, {"tema": "parto", "n": 1}]
    assert report["temas_anterior"] == [{"tema": "vacunas", "n": 1}]
    trend = report["tendencia"]
    assert [t["mes"] for t in trend][:2] == ["2025-11", "2025-12"] and len(trend) == 12
    assert trend[-1] == {"mes": "2026-10", "fuente": "calculado", **{k: OCT_TOTAL[k] for k in (
        "casos_registrados", "volantes_abiertos", "volantes_respondidos", "concluidos", "volantes_vencidos",
        "pct_en_plazo", "tasa_devolucion")}}
    assert {t["fuente"] for t in trend} == {"calculado"}
    assert trend[-2]["casos_registrados"] == 4 and trend[-2]["pct_en_plazo"] == 1.0
    assert all(t["casos_registrados"] == 0 for t in trend[:-2])


def test_ranking_needs_minimum_n(report):
    ranking = report["ranking_estados"]
    assert ranking["minimo"] == 10
    assert ranking["clasificados"] == []  # nobody reached 10 answered volantes
    assert ranking["insuficientes"][0] == {"clave": "14", "etiqueta": "Jalisco", "n": 4, "pct_en_plazo": 0.75}


def test_estado_scope_equals_the_national_row(db, scenario, report):
    jal = build_report(db, Month.parse("2026-10"), estado="14", as_of=AS_OF)
    assert jal["total"] == JAL
    assert jal["estado_nombre"] == "Jalisco"
    assert [r["clave"] for r in jal["por_estado"]] == ["14"]
    assert jal["temas"] == [{"tema": "diabetes", "n": 1}]


def test_vencidos_depend_on_the_day_the_report_is_read(db, scenario):
    from datetime import date

    early = build_report(db, Month.parse("2026-10"), as_of=date(2026, 10, 22))
    assert early["total"]["volantes_vencidos"] == 1  # F is due Oct 22: not yet vencido that day; E was late


def test_admin_holiday_changes_business_days(db, scenario):
    from core.models import Holiday

    db.delete(db.get(Holiday, scenario_holiday()))
    db.commit()
    report = build_report(db, Month.parse("2026-10"), as_of=AS_OF)
    # without the Oct 12 holiday, B concludes in 8 business days: 4 5 6 8 -> median 5.5, p90 7.4
    assert report["total"]["dias_conclusion_mediana"] == 5.5
    assert report["total"]["dias_conclusion_p90"] == 7.4


def scenario_holiday():
    from tests.reports.conftest import EXTRA_HOLIDAY

    return EXTRA_HOLIDAY


def test_trend_takes_older_months_from_their_snapshot(db, make, scenario):
    from core.reports.snapshots import build_snapshot
    from tests.reports.conftest import at

    build_snapshot(db, Month.parse("2026-09"), as_of=AS_OF)
    db.commit()
    late = make.case(estado_clave="14", route=False)
    late.created_at = at(9, 21)
    db.commit()
    november = build_report(db, Month.parse("2026-11"), as_of=AS_OF)["tendencia"]
    assert november[-3] == {**november[-3], "mes": "2026-09", "fuente": "guardado", "casos_registrados": 4}
    assert november[-2]["mes"] == "2026-10" and november[-2]["casos_registrados"] == 12
    assert november[-4]["fuente"] == "calculado" and november[-4]["casos_registrados"] == 0
    october = build_report(db, Month.parse("2026-10"), as_of=AS_OF)
    assert october["tendencia"][-2]["casos_registrados"] == 5  # the previous month is always live
    assert october["total_anterior"]["casos_registrados"] == 5
