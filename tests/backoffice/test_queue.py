"""The volantes queue: per-state scope, filters, search, counts, pagination, overdue marks."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from core.models import Case, Volante
from core.plazos import calendar
from core.timeutil import today_mx
from tests.support.web import login, text


def _rows(html: str) -> str:
    """The result table only (the search box echoes what was typed)."""
    start = html.find('data-testid="queue"')
    return "" if start < 0 else html[start:html.index("</table>", start)]


def _folios(html: str) -> set[str]:
    return set(re.findall(r"SINAC-\d{4}-\d{6}", _rows(html)))


def _count(html: str, status: str) -> int:
    return int(re.search(rf'data-status="{status}">(\d+)<', html).group(1))


def test_enlace_sees_only_own_state_with_counts(client, make, db):
    enlace = make.enlace("14")
    make.enlace("19")
    own = [make.case(estado_clave="14", description=f"Queja propia {i}") for i in range(3)]
    other = make.case(estado_clave="19", description="Queja de Nuevo León")
    login(client, enlace)
    resp = client.get("/volantes/")
    assert resp.status_code == 200
    html = text(resp)
    assert _folios(html) == {c.folio for c in own}
    assert other.folio not in html
    assert _count(html, "turnada") == 3
    assert "3 resultados" in html
    # searching the other state's folio, description or phone finds nothing
    for q in (other.folio, "Nuevo León"):
        html = text(client.get("/volantes/", query_string={"q": q}))
        assert _folios(html) == set() and "0 resultados" in html
        assert _count(html, "turnada") == 0
    # an explicit estado filter cannot widen the scope
    assert _folios(text(client.get("/volantes/", query_string={"estado": "19"}))) == set()


def test_phone_search_and_masked_display(client, make, db):
    vinc = make.user("vinculacion")
    contact = make.contact("+523312345678")
    case = make.case(estado_clave="14", contact=contact)
    make.case(estado_clave="14", description="Otra queja")
    login(client, vinc)
    html = text(client.get("/volantes/", query_string={"q": "33 1234 5678"}))
    assert _folios(html) == {case.folio}
    assert "+523312345678" not in html
    assert "5678" in html and "•" in html


def test_filters_tipo_estado_status_and_search_description(client, make, db):
    vinc = make.user("vinculacion")
    make.enlace("14")
    make.enlace("09")
    queja = make.case(tipo="queja", estado_clave="14", description="Me negaron la consulta")
    cobro = make.case(tipo="cobro_injustificado", estado_clave="09", description="Me cobraron el parto", monto=1500)
    info = make.case(tipo="solicitud_informacion", estado_clave="09", description="Requisitos de afiliación")
    login(client, vinc)
    assert _folios(text(client.get("/volantes/", query_string={"tipo": "cobro_injustificado"}))) == {cobro.folio}
    # by default the queue is the open work; "todos" adds the closed history
    assert _folios(text(client.get("/volantes/", query_string={"estado": "09"}))) == {cobro.folio}
    assert _folios(text(client.get("/volantes/", query_string={"estado": "09", "status": "todos"}))) == \
        {cobro.folio, info.folio}
    html = text(client.get("/volantes/", query_string={"status": "atendida"}))
    assert _folios(html) == {info.folio}
    assert _count(html, "turnada") == 2  # counts ignore the status filter, keep the others
    assert _folios(text(client.get("/volantes/", query_string={"q": "parto"}))) == {cobro.folio}
    assert _folios(text(client.get("/volantes/", query_string={"q": queja.folio[-6:]}))) == {queja.folio}


def test_overdue_and_due_soon_marked_and_filtered(client, make, db):
    vinc = make.user("vinculacion")
    make.enlace("14")
    late = make.case(estado_clave="14", description="Atrasada")
    soon = make.case(estado_clave="14", description="Por vencer")
    later = make.case(estado_clave="14", description="Con tiempo")
    today = today_mx()
    late.open_volante.due_date = today - timedelta(days=3)
    soon.open_volante.due_date = calendar(db).add(today, 1)
    later.open_volante.due_date = today + timedelta(days=30)
    db.commit()
    login(client, vinc)
    html = text(client.get("/volantes/"))
    late_days = calendar(db).between(today - timedelta(days=3), today)  # business days, as reminders count
    assert f"Vencido hace {late_days} día" in html and "Quedan 1 día hábil" in html
    assert f"Quedan {calendar(db).between(today, later.open_volante.due_date)} días hábiles" in html
    assert _count(html, "vencidos") == 1
    assert _folios(text(client.get("/volantes/", query_string={"plazo": "vencido"}))) == {late.folio}
    assert _folios(text(client.get("/volantes/", query_string={"plazo": "por_vencer"}))) == {soon.folio}
    # sorted by due date: the late one first
    html = _rows(text(client.get("/volantes/", query_string={"sort": "vence"})))
    assert html.index(late.folio) < html.index(soon.folio) < html.index(later.folio)


def test_enlace_filter_and_date_range(client, make, db):
    vinc = make.user("vinculacion")
    e1 = make.enlace("14", nombre="Ana Enlace")
    e2 = make.enlace("14", nombre="Beto Enlace")
    from core.actors import Actor
    from core.services import cases as svc

    c1 = make.case(estado_clave="14", route=False)
    svc.decide_amerita_gestion(db, c1, Actor.from_user(vinc), True)
    db.commit()
    c2 = make.case(estado_clave="14", route=False)
    svc.decide_amerita_gestion(db, c2, Actor.from_user(vinc), True)
    db.commit()
    enlaces = {c1.open_volante.enlace_id, c2.open_volante.enlace_id}
    assert enlaces == {e1.id, e2.id}  # load shared
    login(client, vinc)
    html = text(client.get("/volantes/", query_string={"enlace": c1.open_volante.enlace_id}))
    assert _folios(html) == {c1.folio}
    today = today_mx().isoformat()
    assert _folios(text(client.get("/volantes/", query_string={"desde": today, "hasta": today}))) == {c1.folio, c2.folio}
    assert _folios(text(client.get("/volantes/", query_string={"hasta": "2000-01-01"}))) == set()


def test_bad_filters_are_reported_in_spanish_and_kept(client, make, db):
    login(client, make.user("vinculacion"))
    resp = client.get("/volantes/", query_string={"desde": "31/02/2026", "tipo": "nada", "q": "mi búsqueda"})
    assert resp.status_code == 400
    html = text(resp)
    assert "Desde: escribe una fecha válida (AAAA-MM-DD)." in html
    assert "Tipo: elige una opción de la lista." in html
    assert 'value="31/02/2026"' in html and 'value="mi búsqueda"' in html


def test_pagination_in_sql(client, make, db):
    vinc = make.user("vinculacion")
    make.enlace("14")
    cases = [make.case(estado_clave="14", description=f"Caso {i}") for i in range(53)]
    login(client, vinc)
    first = text(client.get("/volantes/"))
    second = text(client.get("/volantes/", query_string={"page": 2}))
    assert "53 resultados · página 1 de 2" in first
    assert len(_folios(first)) == 50 and len(_folios(second)) == 3
    assert _folios(first) | _folios(second) == {c.folio for c in cases}
    assert 'rel="next"' in first and 'rel="prev"' in second


def test_cases_without_volante_are_listed_for_national_roles_only(client, make, db):
    enlace = make.enlace("14")
    info = make.case(tipo="consulta_cobertura", estado_clave="14")
    assert db.scalar(select(Volante).where(Volante.case_id == info.id)) is None
    login(client, make.user("participacion_social"))
    assert info.folio not in _rows(text(client.get("/volantes/")))  # closed: not in the open work
    assert info.folio in text(client.get("/volantes/", query_string={"status": "todos"}))
    assert info.folio in text(client.get("/volantes/", query_string={"q": info.folio}))  # search: every status
    client.get("/logout")
    client2 = client.application.test_client()
    login(client2, enlace)
    assert info.folio not in _rows(text(client2.get("/volantes/", query_string={"status": "todos"})))
    assert db.get(Case, info.id).status == "atendida"


def test_counting_stops_at_the_cap(client, make, db, monkeypatch):
    monkeypatch.setattr("backoffice.queue.COUNT_CAP", 3)
    monkeypatch.setattr("backoffice.queue.PER_PAGE", 2)
    make.enlace("14")
    for i in range(5):
        make.case(estado_clave="14", description=f"Caso {i}")
    login(client, make.user("vinculacion"))
    assert 'data-status="turnada">5<' in text(client.get("/volantes/"))  # the open work: exact
    html = text(client.get("/volantes/", query_string={"status": "todos"}))
    assert "Más de 3 resultados" in html and 'data-status="turnada"' not in html
    assert len(_folios(html)) == 2 and 'rel="next"' in html
    html = text(client.get("/volantes/", query_string={"estado": "14", "tipo": "queja", "q": "Caso 4"}))
    assert "1 resultado" in html and 'data-status="turnada">1<' in html
