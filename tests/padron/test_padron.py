"""Padrón (issue 17 item 8): the extract's import (rows reported back), the staff look-up (scoped
to the enlace's estado, audited), the affiliation on the case page, the HTTP backend against a
local stand-in, and the bot's guarded answer."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from core.actors import SYSTEM
from core.config import Settings
from core.models import AuditEvent, PadronAfiliado
from core.padron import importer
from core.padron.answer import CONFIRMED, GENERIC, UNAVAILABLE, own_affiliation
from core.padron.backends import HttpPadron, LocalPadron, PadronUnavailable, backend_for
from core.spreadsheets import append, workbook, xlsx_bytes
from core.timeutil import today_mx
from tests.padron.standin import PadronStandin
from tests.support.web import login, text

CURP_ROSA = "PEGR800101MJCRMS00"
CURP_JUAN = "HEGG560427MVZRRL04"
PHONE_ROSA = "+523311112222"


def _vigente() -> date:
    return today_mx() + timedelta(days=200)


def _csv(*rows: str) -> bytes:
    return ("curp;nombre completo;póliza;vigencia;entidad;celular\n" + "\n".join(rows) + "\n").encode("utf-8")


@pytest.fixture
def padron(db):
    data = _csv(f"{CURP_ROSA};Rosa Pérez Gómez;JAL-0001;{_vigente():%d/%m/%Y};Jalisco;33 1111 2222",
                f"{CURP_JUAN};Juan Hernández;VER-0002;2025-01-31;Veracruz;")
    report = importer.import_file(db, SYSTEM, data, "padron-jal.csv")
    db.commit()
    return report


def test_import_reads_variants_and_reports_bad_rows(db):
    data = _csv(f"{CURP_ROSA};Rosa Pérez Gómez;JAL-0001;{_vigente():%d/%m/%Y};Jalisco;33 1111 2222",
                "PEGR800101MJCRMS01;Con dígito malo;JAL-9;2027-01-01;Jalisco;",
                f"{CURP_JUAN};;VER-0002;mañana;Narnia;55",
                f"{CURP_ROSA};Rosa otra vez;JAL-0003;2027-01-01;Jalisco;")
    report = importer.import_file(db, SYSTEM, data, "padron.csv")
    db.commit()
    assert (report.created, report.updated, len(report.rejected)) == (1, 0, 3)
    reasons = {r.number: r.reason for r in report.rejected}
    assert "dígito verificador" in reasons[3]
    assert all(s in reasons[4] for s in ("Falta el nombre", "Vigencia no válida", "Estado desconocido",
                                         "Teléfono no válido"))
    assert "CURP repetida en el archivo" in reasons[5]
    row = db.scalar(select(PadronAfiliado))
    assert (row.curp, row.poliza, row.estado_clave, row.telefono) == (CURP_ROSA, "JAL-0001", "14", PHONE_ROSA)
    assert "fila,motivo" in importer.rejected_csv(report)


def test_a_newer_extract_updates_the_row_and_xlsx_works(db, padron):
    wb = workbook()
    ws = wb.active
    append(ws, ["CURP", "Nombre", "Poliza", "Vigencia", "Estado"])
    append(ws, [CURP_ROSA, "Rosa Pérez Gómez", "JAL-0001", date(2030, 12, 31), "14"])
    report = importer.import_file(db, SYSTEM, xlsx_bytes(wb), "padron.xlsx")
    db.commit()
    assert (report.created, report.updated) == (0, 1)
    db.expire_all()
    assert db.scalar(select(PadronAfiliado.vigencia).where(PadronAfiliado.curp == CURP_ROSA)) == date(2030, 12, 31)


def test_a_file_without_the_columns_is_refused_whole(db):
    from core.callcenter import FileRejected

    with pytest.raises(FileRejected, match="Faltan columnas obligatorias: poliza, vigencia"):
        importer.import_file(db, SYSTEM, b"curp,nombre,estado\nX,Y,Jalisco\n", "malo.csv")


def test_local_backend_by_curp_and_poliza(db, padron):
    backend = LocalPadron(db)
    assert backend.by_curp(CURP_ROSA.lower()).vigente() is True
    assert backend.by_poliza("ver-0002").vigente() is False
    assert backend.by_curp("GOMA900215HDFMRR05") is None


def test_http_backend_against_a_stand_in(db, settings, monkeypatch):
    standin = PadronStandin([{"curp": CURP_ROSA, "nombre": "Rosa", "poliza": "JAL-0001",
                              "vigencia": _vigente().isoformat(), "estado": "Jalisco", "telefono": "3311112222"}]).start()
    try:
        monkeypatch.setenv("PADRON_BACKEND", "http")
        monkeypatch.setenv("PADRON_URL", standin.url)
        monkeypatch.setenv("PADRON_TOKEN", standin.token)
        backend = backend_for(Settings.from_env(), db)
        assert isinstance(backend, HttpPadron)
        found = backend.by_curp(CURP_ROSA)
        assert (found.estado_clave, found.telefono, found.vigente()) == ("14", PHONE_ROSA, True)
        assert backend.by_poliza("JAL-0001").curp == CURP_ROSA
        assert backend.by_curp(CURP_JUAN) is None
        assert standin.requests[0]["auth"] == f"Bearer {standin.token}"
        standin.status_override = 503
        with pytest.raises(PadronUnavailable):
            backend.by_curp(CURP_ROSA)
        with pytest.raises(PadronUnavailable):
            HttpPadron(standin.url, "otro-token").by_curp(CURP_ROSA)
    finally:
        standin.stop()
    with pytest.raises(PadronUnavailable):  # nothing listening any more
        HttpPadron(standin.url, standin.token, timeout=0.5).by_curp(CURP_ROSA)


def test_bot_answer_needs_the_curp_and_the_phone_on_file(db, padron):
    backend = LocalPadron(db)
    own = own_affiliation(db, backend, PHONE_ROSA, CURP_ROSA)
    assert (own.outcome, own.vigente, own.vigencia) == (CONFIRMED, True, _vigente())
    # someone else's phone, a CURP with no phone on file, an unknown CURP: one and the same answer
    assert own_affiliation(db, backend, "+525512345678", CURP_ROSA) == own_affiliation(
        db, backend, PHONE_ROSA, CURP_JUAN) == own_affiliation(db, backend, PHONE_ROSA, "GOMA900215HDFMRR05")
    assert own_affiliation(db, backend, "+525512345678", CURP_ROSA).outcome == GENERIC
    down = HttpPadron("http://127.0.0.1:9", timeout=0.2)
    assert own_affiliation(db, down, PHONE_ROSA, CURP_ROSA).outcome == UNAVAILABLE
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "padron_consulta")).all()
    assert events and all(CURP_ROSA not in str(e.data) for e in events)


def test_bot_conversation(db, settings, make, padron):
    from tests.dialogue.conftest import Phone, joined

    rosa = Phone(db, settings, number=PHONE_ROSA)
    rosa.send("hola")
    said = joined(rosa.send(f"quiero saber si sigo vigente, mi curp es {CURP_ROSA}"))
    assert f"vigente hasta el {_vigente():%d/%m/%Y}" in said and "Rosa" not in said and "JAL-0001" not in said
    stranger = Phone(db, settings, number="+525512345678")
    stranger.send("hola")
    said = joined(stranger.send(f"¿sigue vigente la póliza de {CURP_ROSA}?"))
    assert "vigente hasta" not in said and "teléfono registrado en tu póliza" in said
    unknown = joined(stranger.send("¿sigo vigente? GOMA900215HDFMRR05"))
    assert unknown == said


def test_staff_look_up_scoped_and_audited(client, db, make, padron):
    login(client, make.enlace("14"))
    page = text(client.get("/padron/", query_string={"q": CURP_ROSA}))
    assert "Rosa Pérez Gómez" in page and "Vigente" in page
    assert 'data-testid="padron-none"' in text(client.get("/padron/", query_string={"q": "VER-0002"}))  # Veracruz
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "padron_consulta")).all()
    assert [e.data["encontrado"] for e in events] == [True, False]
    assert all(CURP_ROSA not in str(e.data) for e in events)


def test_participacion_social_cannot_look_up_or_import(client, make):
    login(client, make.user("participacion_social"))
    assert client.get("/padron/").status_code == 403
    assert client.get("/padron/importar").status_code == 403


def test_enlace_cannot_import(client, make):
    login(client, make.enlace("14"))
    assert client.get("/padron/importar").status_code == 403


def test_web_import(client, db, make):
    from tests.support.web import csrf

    login(client, make.user("vinculacion"))
    token = csrf(client, "/padron/importar")
    data = _csv(f"{CURP_ROSA};Rosa Pérez Gómez;JAL-0001;{_vigente():%d/%m/%Y};Jalisco;", "MALA;;;;;")
    import io

    resp = client.post("/padron/importar", data={"csrf_token": token, "archivo": (io.BytesIO(data), "padron.csv")},
                       content_type="multipart/form-data")
    page = text(resp)
    assert resp.status_code == 200
    assert re.search(r'data-testid="created">1<', page) and re.search(r'data-testid="rejected">1<', page)
    assert db.scalar(select(PadronAfiliado.curp)) == CURP_ROSA


def test_case_page_shows_the_affiliation(client, db, make, padron):
    case = make.case(curp=CURP_ROSA)
    expired = make.case(curp=CURP_JUAN, estado_clave="30")
    login(client, make.user("vinculacion"))
    page = text(client.get(f"/casos/{case.id}"))
    assert re.search(r'data-testid="afiliacion">.*Vigente.*hasta el ' + f"{_vigente():%d/%m/%Y}", page)
    assert "JAL-0001" in page
    assert "Vencida" in text(client.get(f"/casos/{expired.id}"))
