"""The queue's pages over the open work read through its own indexes (stop 30): every order pages
through each case exactly once, the due-date order puts cases without a round last, filters on
the current round (enlace, plazo) find the same cases as before in any order, and the overdue
chip counts what the overdue list shows."""

from __future__ import annotations

import re
from datetime import timedelta

from core.actors import Actor
from core.plazos import calendar
from core.services import cases as svc
from core.timeutil import today_mx
from tests.support.web import login, text


def _folios_in_order(html: str) -> list[str]:
    start = html.find('data-testid="queue"')
    if start < 0:
        return []
    rows = html[start:html.index("</table>", start)]
    return re.findall(r'data-folio="(SINAC-\d{4}-\d{6})"', rows)


def _pages(client, **query) -> list[str]:
    """Every folio listed, page after page, in the order shown."""
    folios, page = [], 1
    while True:
        html = text(client.get("/volantes/", query_string={**query, "page": page}))
        folios += _folios_in_order(html)
        if 'rel="next"' not in html:
            return folios
        page += 1


def test_every_order_pages_through_the_open_work_once(client, make, db, monkeypatch):
    monkeypatch.setattr("backoffice.queue.PER_PAGE", 3)
    vinc = make.user("vinculacion")
    make.enlace("14")
    make.enlace("09")
    cases = [make.case(estado_clave=("14", "09")[i % 2], description=f"Caso {i}") for i in range(7)]
    unrouted = make.case(estado_clave="14", route=False, description="Sin turnar")  # registrada, no round
    closed = make.case(tipo="solicitud_informacion", estado_clave="09")  # atendida: not open work
    today = today_mx()
    for i, case in enumerate(cases):  # due dates out of the registration order
        case.open_volante.due_date = today + timedelta(days=(i * 5) % 7)
    db.commit()
    login(client, vinc)
    open_work = [c.folio for c in cases] + [unrouted.folio]

    newest = _pages(client)
    assert newest == list(reversed(open_work))  # registered one after the other: newest first
    assert _pages(client, sort="antiguos") == open_work
    by_due = _pages(client, sort="vence")
    expected = [c.folio for c in sorted(cases, key=lambda c: (c.open_volante.due_date, c.id))]
    assert by_due == expected + [unrouted.folio]  # no round, no due date: last
    assert closed.folio not in newest
    # a page past the end shows the last one
    html = text(client.get("/volantes/", query_string={"page": 999}))
    assert "página 3 de 3" in html and _folios_in_order(html) == newest[6:]


def test_round_filters_in_every_order(client, make, db):
    vinc = make.user("vinculacion")
    ana = make.enlace("14", nombre="Ana Enlace")
    beto = make.enlace("14", nombre="Beto Enlace")
    cases = []
    for _ in range(4):
        case = make.case(estado_clave="14", route=False)
        svc.decide_amerita_gestion(db, case, Actor.from_user(vinc), True)
        db.commit()
        cases.append(case)
    today = today_mx()
    late = [c for c in cases if c.open_volante.enlace_id == ana.id]
    assert late and len(late) < len(cases) and beto.id in {c.open_volante.enlace_id for c in cases}
    for case in cases:
        case.open_volante.due_date = today - timedelta(days=3) if case in late[:1] else today + timedelta(days=20)
    paused = cases[-1]
    paused.open_volante.due_date = today - timedelta(days=3)
    paused.open_volante.paused_at = paused.created_at  # a stopped clock is not overdue
    db.commit()
    login(client, vinc)
    mine = {c.folio for c in late}
    for sort in ("recientes", "antiguos", "vence", "folio"):
        assert set(_pages(client, enlace=ana.id, sort=sort)) == mine, sort
        assert set(_pages(client, enlace=ana.id, plazo="vencido", sort=sort)) == {late[0].folio}, sort
        assert set(_pages(client, plazo="vencido", sort=sort)) == {late[0].folio}, sort
    html = text(client.get("/volantes/", query_string={"plazo": "vencido"}))
    assert 'data-status="vencidos">1<' in html and "1 resultado" in html
    assert 'data-status="vencidos">1<' in text(client.get("/volantes/"))


def test_overdue_chip_counts_what_its_link_lists(client, make, db):
    """The chip links to the open work's overdue list; under «todos» it counts that list too,
    even if a closed case were left with a running round past due."""
    make.enlace("14")
    late = make.case(estado_clave="14")
    stray = make.case(estado_clave="14")
    for case in (late, stray):
        case.open_volante.due_date = today_mx() - timedelta(days=5)
    stray.status = "concluida"  # not something the services do: a closed case's round still running
    db.commit()
    login(client, make.user("vinculacion"))
    for query in ({}, {"status": "todos"}, {"plazo": "vencido"}):
        assert 'data-status="vencidos">1<' in text(client.get("/volantes/", query_string=query)), query
    assert _pages(client, plazo="vencido") == [late.folio]


def test_enlace_due_date_order_is_their_state_only(client, make, db):
    enlace = make.enlace("14")
    make.enlace("19")
    own = [make.case(estado_clave="14") for _ in range(3)]
    other = make.case(estado_clave="19")
    cal = calendar(db)
    for n, case in enumerate(own):
        case.open_volante.due_date = cal.add(today_mx(), 3 - n)
    other.open_volante.due_date = today_mx() - timedelta(days=10)
    db.commit()
    login(client, enlace)
    assert _pages(client, sort="vence") == [c.folio for c in reversed(own)]
