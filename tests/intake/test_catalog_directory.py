"""Coverage catalog search and the enlaces directory."""

from __future__ import annotations

import re

from core.coverage import get_engine


def _rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL)


def test_search_shows_cartera_number_name_group_restrictions(client, as_role):
    as_role("enlace")
    html = client.get("/cartera/?q=diabetes").get_data(as_text=True)
    expected = get_engine().search("diabetes")[0]
    item = next(i for i in get_engine().catalog(expected["cartera"])
                if i.numero == expected["numero"] and i.nombre == expected["nombre"])
    assert item.nombre in html
    assert f"Intervención {item.numero} del {item.cartera} {item.edicion}" in html
    assert (item.grupo or "—") in html
    assert _rows(html)


def test_filter_by_cartera(client, as_role):
    as_role("vinculacion")
    html = client.get("/cartera/?q=cancer&cartera=FPGC").get_data(as_text=True)
    rows = _rows(html)
    assert rows and all('<span class="badge">FPGC</span>' in r for r in rows)
    listing = client.get("/cartera/?cartera=smsxxi").get_data(as_text=True)
    assert len(_rows(listing)) == len(list(get_engine().catalog("SMSXXI")))


def test_no_results_message_and_bad_cartera_ignored(client, as_role):
    as_role("participacion_social")
    html = client.get("/cartera/?q=zzzqqqxxx&cartera=NARNIA").get_data(as_text=True)
    assert "No encontramos intervenciones" in html


def test_directory_lists_enlaces_with_open_volantes(client, as_role, make):
    jal = make.enlace("14", nombre="Laura Jalisco", cargo="Enlace de Atención Ciudadana")
    jal.telefono = "33 3030 3030"
    son = make.enlace("26", nombre="Pedro Sonora")
    make.enlace("26", nombre="Inactivo Sonora").active = False
    make.session.commit()
    for _ in range(2):
        make.case("queja", "14")
    make.case("queja", "26")
    as_role("vinculacion")
    html = client.get("/directorio/").get_data(as_text=True)
    assert "Laura Jalisco" in html and "Pedro Sonora" in html and "Inactivo Sonora" not in html
    assert "Enlace de Atención Ciudadana" in html and jal.email in html and "33 3030 3030" in html
    row_jal = next(r for r in re.findall(r"<tr>(.*?)</tr>", html, re.DOTALL) if "Laura Jalisco" in r)
    row_son = next(r for r in re.findall(r"<tr>(.*?)</tr>", html, re.DOTALL) if "Pedro Sonora" in r)
    assert '<td class="num">2</td>' in row_jal and '<td class="num">1</td>' in row_son
    filtered = client.get("/directorio/?estado=26").get_data(as_text=True)
    assert "Pedro Sonora" in filtered and "Laura Jalisco" not in filtered
    assert son.email in filtered


def test_enlace_sees_counts_only_for_its_own_state(client, as_role, make):
    make.enlace("26", nombre="Pedro Sonora")
    make.case("queja", "26")
    me = as_role("enlace", "14")
    make.case("queja", "14")
    html = client.get("/directorio/").get_data(as_text=True)
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.DOTALL)
    mine = next(r for r in rows if me.email in r)
    other = next(r for r in rows if "Pedro Sonora" in r)
    assert '<td class="num">1</td>' in mine
    assert '<td class="num">1</td>' not in other and "Solo ves los volantes de tu estado" in other
