"""A dashboard bar opens exactly the cases it counts (issue 16, item 6), whatever their status,
and the dashboard opens on a month that has data. Built on the October 2026 scenario of
conftest.py, whose figures are worked out by hand in test_figures.py."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from core.models import Case
from core.report_links import FIGURES, default_month
from core.reports.months import Month
from tests.reports.helpers import chart_data
from tests.support.web import login


def _rows(html: str) -> str:
    start = html.find('data-testid="queue"')
    return "" if start < 0 else html[start:html.index("</table>", start)]


def _listed(client, **params) -> tuple[set[str], str]:
    resp = client.get("/volantes/", query_string={"mes": "2026-10", **params})
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    html = resp.get_data(as_text=True)
    return set(re.findall(r"SINAC-\d{4}-\d{6}", _rows(html))), html


def _folios(scenario, names: str) -> set[str]:
    return {scenario.cases[n].folio for n in names}


def _banner(html: str) -> str:
    match = re.search(r'data-testid="figure".*?</section>', html, re.DOTALL)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(0))) if match else ""


def test_each_bar_opens_exactly_its_cases(client, scenario):
    login(client, scenario.users["vinc"])
    report = chart_data(client.get("/informe/?mes=2026-10").get_data(as_text=True))["report"]
    total = report["total"]
    # Registered in October, cancelled M left out; closed ones (A, E, I-L) included: the list
    # does not fall back to the open cases.
    folios, html = _listed(client, cifra="casos_registrados")
    assert folios == _folios(scenario, "ABDEFGHIJKLN")
    assert len(folios) == total["casos_registrados"] == 12
    assert "12 casos" in _banner(html) and "Contactos registrados" in _banner(html)
    # chart-plazo: in plazo, late, vencidos
    folios, html = _listed(client, cifra="respondidos_en_plazo")
    assert folios == _folios(scenario, "ABCH")  # five FURs: B answered twice in time
    assert "5 volantes en 4 casos" in _banner(html) and total["respondidos_en_plazo"] == 5
    folios, _ = _listed(client, cifra="respondidos_fuera_de_plazo")
    assert folios == _folios(scenario, "E")
    assert total["volantes_respondidos"] - total["respondidos_en_plazo"] == 1
    folios, _ = _listed(client, cifra="volantes_vencidos")
    assert folios == _folios(scenario, "EF") and total["volantes_vencidos"] == 2


def test_breakdown_bars_by_tipo_canal_and_estado(client, scenario):
    login(client, scenario.users["vinc"])
    report = chart_data(client.get("/informe/?mes=2026-10").get_data(as_text=True))["report"]
    for dim, rows in (("tipo", report["por_tipo"]), ("canal", report["por_canal"])):
        for row in rows:
            for figure in ("casos_registrados", "volantes_abiertos", "volantes_vencidos"):
                folios, html = _listed(client, cifra=figure, **{dim: row["clave"]})
                counted = row["actual"][figure]
                if figure == "casos_registrados":
                    assert len(folios) == counted, (dim, row["clave"], figure)
                else:  # rounds: the banner says how many, in how many cases
                    assert re.search(rf"\b{counted} volantes? en {len(folios)} casos?\b", _banner(html)) or \
                        counted == len(folios) == 0, (dim, row["clave"], figure, _banner(html))
    # by estado: the state that handled the round. H's first round was Jalisco's (reassigned
    # to CDMX on Oct 6), so it is one of Jalisco's volantes opened in October.
    folios, _ = _listed(client, cifra="volantes_abiertos", estado="14")
    assert folios == _folios(scenario, "ABEFGHM")
    folios, _ = _listed(client, cifra="volantes_respondidos", estado="09")
    assert folios == _folios(scenario, "CH")


def test_filters_still_narrow_a_bar_and_bad_values_are_reported(client, scenario):
    login(client, scenario.users["vinc"])
    folios, _ = _listed(client, cifra="casos_registrados", status="atendida")
    assert folios == _folios(scenario, "IJKL")
    resp = client.get("/volantes/", query_string={"cifra": "casos_registrados", "mes": "2099-01"})
    assert resp.status_code == 400 and "Mes del informe" in resp.get_data(as_text=True)
    resp = client.get("/volantes/", query_string={"cifra": "no_existe", "mes": "2026-10"})
    assert resp.status_code == 400


def test_enlace_bar_shows_its_estado_cases_only(client, scenario):
    login(client, scenario.users["jal"])
    report = chart_data(client.get("/informe/?mes=2026-10").get_data(as_text=True))["report"]
    assert report["total"]["casos_registrados"] == 8
    # even asking for another estado, the enlace gets Jalisco's (I and K were never turned)
    folios, _ = _listed(client, cifra="casos_registrados", estado="09")
    assert folios == _folios(scenario, "ABEFGIKN")


def test_every_linked_figure_is_a_report_figure():
    from core.reports.monthly import LABELS

    assert set(FIGURES) - {"respondidos_fuera_de_plazo"} <= set(LABELS)


def test_dashboard_opens_on_the_latest_month_with_data(client, db, scenario):
    login(client, scenario.users["vinc"])
    html = client.get("/informe/").get_data(as_text=True)
    # the scenario's last case is N (Oct 31, local time); nothing in the months after it
    assert "Informe mensual · octubre 2026" in html
    assert chart_data(html)["report"]["total"]["casos_registrados"] == 12


def test_default_month_rule(db, make):
    today = date(2026, 12, 6)
    assert default_month(db, today=today) == Month(2026, 11)  # nothing at all: the last ended month
    case = make.case(estado_clave="14", route=False)
    case.created_at = datetime(2026, 12, 2, 18, tzinfo=UTC)
    db.commit()
    assert default_month(db, today=today) == Month(2026, 12)  # only this month has cases
    assert default_month(db, "09", today=today) == Month(2026, 11)
    old = make.case(estado_clave="09", route=False)
    old.created_at = datetime(2026, 8, 20, 18, tzinfo=UTC)
    db.commit()
    assert default_month(db, "09", today=today) == Month(2026, 8)
    last = make.case(estado_clave="14", route=False)
    last.created_at = datetime(2026, 11, 30, 18, tzinfo=UTC)
    db.commit()
    assert default_month(db, today=today) == Month(2026, 11)  # the ended month has cases: that one
    assert db.get(Case, last.id).created_at.month == 11
