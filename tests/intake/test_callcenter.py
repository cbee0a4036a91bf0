"""Call-center daily file: reading (CSV/XLSX, header variants), every rejection reason,
de-duplication, all-or-nothing import, the upload page and the CLI."""

from __future__ import annotations

import io
import json
from datetime import date, datetime

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from core import callcenter as cc
from core.actors import SYSTEM
from core.models import AuditEvent, Case
from tests.support.web import csrf

TODAY = date(2026, 11, 23)
HEADER = "id_llamada,fecha,telefono,nombre,estado,tipo,descripcion,unidad,monto"


def csv_bytes(*rows: str, header: str = HEADER, encoding="utf-8") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode(encoding)


def count_cases(db) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(Case))


def run(db, data: bytes, name: str = "llamadas.csv"):
    report, jobs = cc.import_file(db, SYSTEM, data, name, today=TODAY)
    db.commit()
    return report, jobs


# -- reading -------------------------------------------------------------------------------------


def test_header_variants_accents_case_and_semicolons(db, make):
    make.enlace("14")
    data = ("ID Llamada;Fecha de la llamada;Teléfono;Nombre completo;ENTIDAD;Tipo de solicitud;"
            "Descripción;Unidad Médica;Importe;Columna rara\n"
            "A-1;21/11/2026;33 1234 5678;Ana Pérez;jalisco;Cobro indebido;Me cobraron la consulta;"
            "Centro de Salud Tonalá;350,50;x\n").encode("cp1252")
    report, jobs = run(db, data)
    assert [r.reason for r in report.rejected] == []
    assert report.ignored_columns == ["Columna rara"]
    case = db.scalar(select(Case))
    assert (case.canal, case.external_ref, case.tipo, case.estado_clave) == (
        "call_center", "A-1", "cobro_injustificado", "14")
    assert (case.contacto_telefono, case.contacto_nombre, str(case.monto), case.unidad) == (
        "+523312345678", "Ana Pérez", "350.50", "Centro de Salud Tonalá")
    assert case.status == "turnada"
    assert [j.name for j in jobs] == ["notify_volante_opened"]
    audit = db.scalar(select(AuditEvent).where(AuditEvent.action == "importado_centro_atencion"))
    assert audit.data["id_llamada"] == "A-1" and audit.data["fecha_llamada"] == "2026-11-21"


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_delimiter_is_read_from_the_header_even_with_separators_in_the_text(db, sep):
    other = ";" if sep == "," else ","
    header = sep.join(["id_llamada", "estado", "tipo", "descripcion"])
    data = (f'{header}\r\nS1{sep}Jalisco{sep}queja{sep}"Llegué, esperé{other} y nada\nsegunda línea"\r\n'
            f"S2{sep}Sonora{sep}queja{sep}Sin medicamento{other} otra vez\r\n").encode()
    report, _ = run(db, data)
    assert [r.reason for r in report.rejected] == []
    assert db.scalars(select(Case.description).order_by(Case.id)).all() == [
        f"Llegué, esperé{other} y nada\nsegunda línea", f"Sin medicamento{other} otra vez"]


@pytest.mark.parametrize("raw,clave", [
    ("Jalisco", "14"), ("JALISCO", "14"), ("jal", "14"), ("14", "14"), ("9", "09"), ("CDMX", "09"),
    ("Distrito Federal", "09"), ("Edomex", "15"), ("Estado de Mexico", "15"), ("Michoacan", "16"),
    ("michoacán de ocampo", "16"), ("Nuevo Leon", "19"), ("  yucatan ", "31"), ("Veracruz", "30"),
])
def test_sloppy_estado_names(raw, clave):
    assert cc.match_estado(raw) == clave


@pytest.mark.parametrize("raw,tipo", [
    ("Queja", "queja"), ("QUEJAS", "queja"), ("cobro injustificado", "cobro_injustificado"),
    ("Reembolso", "cobro_injustificado"), ("Solicitud de Información", "solicitud_informacion"),
    ("orientación", "solicitud_informacion"), ("cobertura", "consulta_cobertura"),
    ("consulta_cobertura", "consulta_cobertura"), ("Felicitación", "felicitacion"),
    ("Agradecimiento", "felicitacion"), ("sugerencia", "sugerencia"),
])
def test_tipo_synonyms(raw, tipo):
    assert cc.match_tipo(raw) == tipo


def test_xlsx_with_numeric_and_date_cells(db, make):
    make.enlace("09")
    wb = Workbook()
    ws = wb.active
    ws.append(["Id_Llamada", "Fecha", "Telefono", "Estado", "Tipo", "Descripcion", "Monto"])
    ws.append([98765, datetime(2026, 11, 20, 10, 30), 5512345678, "Ciudad de México", "Queja",
               "No había medicamento", None])
    ws.append([98766, date(2026, 11, 21), None, "cdmx", "cobro", "Cobro de estudio", 1200])
    ws.append([None, None, None, None, None, None, None])  # blank row: skipped
    ws.append([98767, "ayer", None, "Narnia", "queja", "x", None])
    buf = io.BytesIO()
    wb.save(buf)
    report, _jobs = run(db, buf.getvalue(), "llamadas.xlsx")
    assert [r.id_llamada for r in report.accepted] == ["98765", "98766"]
    assert [(r.number, r.reason) for r in report.rejected] == [
        (5, "Estado desconocido: «Narnia». Fecha no válida: «ayer» (usa AAAA-MM-DD o DD/MM/AAAA).")]
    cases = list(db.scalars(select(Case).order_by(Case.id)))
    assert [c.contacto_telefono for c in cases] == ["+525512345678", None]
    assert str(cases[1].monto) == "1200.00"


# -- every rejection reason ------------------------------------------------------------------------


REJECTIONS = [
    (",2026-11-20,,,Jalisco,queja,Algo pasó,,", "Falta el identificador de la llamada (id_llamada)."),
    ("L2,2026-11-20,,,Jalisco,,Algo pasó,,", "Falta el tipo de solicitud."),
    ("L3,2026-11-20,,,Jalisco,chisme,Algo pasó,,", "Tipo de solicitud desconocido: «chisme»."),
    ("L4,2026-11-20,,,,queja,Algo pasó,,", "Falta el estado."),
    ("L5,2026-11-20,,,Gondor,queja,Algo pasó,,", "Estado desconocido: «Gondor»."),
    ("L6,2026-11-20,,,Jalisco,queja,,,", "Falta la descripción."),
    ("L7,20/13/2026,,,Jalisco,queja,Algo pasó,,", "Fecha no válida: «20/13/2026» (usa AAAA-MM-DD o DD/MM/AAAA)."),
    ("L8,2027-01-01,,,Jalisco,queja,Algo pasó,,", "La fecha de la llamada está en el futuro."),
    ("L9,2026-11-20,12,,Jalisco,queja,Algo pasó,,", "Teléfono no válido: «12»."),
    ("L10,2026-11-20,,,Jalisco,cobro injustificado,Me cobraron,,", "Falta el monto (obligatorio para cobro injustificado)."),
    ("L11,2026-11-20,,,Jalisco,cobro injustificado,Me cobraron,,mucho", "Monto no válido: «mucho»."),
    ("L12,2026-11-20,,,Jalisco,queja,Algo pasó,,-5", "Monto no válido: «-5»."),
]


@pytest.mark.parametrize("row,reason", REJECTIONS, ids=[r[0].split(",")[0] or "sin-id" for r in REJECTIONS])
def test_each_rejection_reason(db, make, row, reason):
    make.enlace("14")
    report, _ = run(db, csv_bytes("OK1,2026-11-20,,,Jalisco,queja,Todo bien,,", row))
    assert [r.id_llamada for r in report.accepted] == ["OK1"]
    assert [(r.number, r.reason) for r in report.rejected] == [(3, reason)]
    assert count_cases(db) == 1


def test_curp_and_email_columns_are_validated(db):
    data = csv_bytes("C1,,,Jalisco,queja,Algo,HEGG560427MVZRRL04,ana@example.mx",
                     "C2,,,Jalisco,queja,Algo,HEGG560427MVZRRL05,",
                     "C3,,,Jalisco,queja,Algo,XX,",
                     "C4,,,Jalisco,queja,Algo,,no-es-correo",
                     header="id_llamada,fecha,telefono,estado,tipo,descripcion,curp,correo")
    report, _ = run(db, data)
    assert [r.id_llamada for r in report.accepted] == ["C1"]
    assert [r.reason for r in report.rejected] == [
        "La CURP no es válida: el dígito verificador no coincide.",
        "La CURP no tiene el formato correcto (18 caracteres).",
        "Correo electrónico no válido: «no-es-correo».",
    ]
    assert db.scalar(select(Case.curp)) == "HEGG560427MVZRRL04"


def test_duplicates_within_the_file_and_already_imported(db, make):
    make.enlace("14")
    first, _ = run(db, csv_bytes("D1,2026-11-20,,,Jalisco,queja,Primera,,"))
    folio = first.accepted[0].folio
    report, _ = run(db, csv_bytes(
        "D1,2026-11-20,,,Jalisco,queja,Otra vez,,",
        "D2,2026-11-20,,,Jalisco,queja,Nueva,,",
        "D2,2026-11-20,,,Jalisco,queja,Nueva repetida,,",
    ))
    assert [r.id_llamada for r in report.accepted] == ["D2"]
    assert [(r.number, r.reason) for r in report.rejected] == [
        (2, f"La llamada ya está registrada (folio {folio})."),
        (4, "Llamada repetida en el archivo (ya aparece en la fila 3)."),
    ]
    assert count_cases(db) == 2


@pytest.mark.parametrize("data,name,message", [
    (b"", "a.csv", "El archivo está vacío."),
    (b"id_llamada,tipo\n1,queja\n", "a.csv", "Faltan columnas obligatorias: estado, descripcion."),
    (HEADER.encode() + b"\n", "a.csv", "El archivo no tiene filas de datos."),
    (b"%PDF-1.4 hola", "a.pdf", "Formato no admitido: sube un archivo CSV o XLSX."),
    (b"no soy zip", "a.xlsx", "El archivo no es un XLSX válido."),
    (b"PK\x03\x04roto", "a.xlsx", "El archivo no es un XLSX válido."),
    (b"id\x00\x01\x02", "a.csv", "El archivo no es un CSV de texto: guárdalo como CSV o XLSX."),
])
def test_whole_file_rejections(db, data, name, message):
    with pytest.raises(cc.FileRejected) as err:
        cc.import_file(db, SYSTEM, data, name, today=TODAY)
    assert err.value.message == message
    assert count_cases(db) == 0


def test_size_limit(db):
    data = csv_bytes(*[f"S{i},2026-11-20,,,Jalisco,queja,Algo pasó,," for i in range(50)])
    with pytest.raises(cc.FileRejected, match="supera el tamaño máximo"):
        cc.import_file(db, SYSTEM, data, "a.csv", max_bytes=len(data) - 1, today=TODAY)


def test_row_limits(db, monkeypatch):
    monkeypatch.setattr("core.callcenter.reading.MAX_ROWS", 3)
    data = csv_bytes(*[f"R{i},2026-11-20,,,Jalisco,queja,Algo pasó,," for i in range(4)])
    with pytest.raises(cc.FileRejected) as err:
        cc.import_file(db, SYSTEM, data, "a.csv", max_rows=3, today=TODAY)
    assert err.value.message == "El archivo tiene más de 3 filas: divídelo en varios."
    with pytest.raises(cc.FileRejected) as err:
        cc.import_file(db, SYSTEM, data, "a.csv", max_rows=2, today=TODAY)
    assert err.value.message == ("El archivo tiene más de 2 filas: divídelo en varios "
                                 "o impórtalo con «sinac callcenter import».")


def test_web_upload_has_a_row_limit(client, as_role, db, monkeypatch):
    as_role("vinculacion")
    monkeypatch.setattr(cc, "WEB_MAX_ROWS", 2)
    token = csrf(client, "/registro/centro-de-atencion")
    data = csv_bytes(*[f"R{i},2026-11-20,,,Jalisco,queja,Algo pasó,," for i in range(3)])
    resp = client.post("/registro/centro-de-atencion", content_type="multipart/form-data",
                       data={"csrf_token": token, "archivo": (io.BytesIO(data), "grande.csv")})
    assert resp.status_code == 422
    assert "impórtalo con «sinac callcenter import»" in resp.get_data(as_text=True)
    assert count_cases(db) == 0


def test_concurrent_import_of_the_same_call_rolls_back_everything(db, make, monkeypatch):
    """Validation passed, but another import registered one call before this one flushed: the
    unique (canal, external_ref) refuses it and nothing of this file is stored."""
    data = csv_bytes("P1,2026-11-20,,,Jalisco,queja,Primera,,", "P2,2026-11-20,,,Jalisco,queja,Segunda,,")
    monkeypatch.setattr("core.callcenter.validation._already_imported", lambda session, refs: {})
    make.case("queja", "14", canal="call_center", external_ref="P2", actor=SYSTEM)
    with pytest.raises(cc.ImportFailed):
        cc.import_file(db, SYSTEM, data, "a.csv", today=TODAY)
    db.commit()
    db.expire_all()
    assert list(db.scalars(select(Case.external_ref))) == ["P2"]


# -- all or nothing --------------------------------------------------------------------------------


def test_database_failure_mid_import_stores_nothing(db, make, monkeypatch):
    make.enlace("14")
    from core.services import cases as svc

    real = svc.register_case
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OperationalError("INSERT INTO cases", {}, Exception("disk I/O error"))
        return real(*args, **kwargs)

    monkeypatch.setattr(svc, "register_case", flaky)
    data = csv_bytes(*[f"T{i},2026-11-20,,,Jalisco,queja,Llamada {i},," for i in range(5)])
    with pytest.raises(cc.ImportFailed, match="No se importó ninguna fila"):
        cc.import_file(db, SYSTEM, data, "a.csv", today=TODAY)
    db.commit()
    assert calls["n"] == 3
    assert count_cases(db) == 0
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.case_id.is_not(None))) == 0
    # the folio counter rolled back too: the next import starts where it would have
    monkeypatch.setattr(svc, "register_case", real)
    report, _ = run(db, data)
    assert [r.folio[-6:] for r in report.accepted] == ["000001", "000002", "000003", "000004", "000005"]


def test_web_upload_database_failure_imports_nothing(client, as_role, db, monkeypatch):
    as_role("vinculacion")
    from core.services import cases as svc

    def broken(*args, **kwargs):
        raise OperationalError("INSERT INTO cases", {}, Exception("server closed the connection"))

    monkeypatch.setattr(svc, "register_case", broken)
    token = csrf(client, "/registro/centro-de-atencion")
    data = csv_bytes("W1,2026-11-20,,,Jalisco,queja,Algo pasó,,")
    resp = client.post("/registro/centro-de-atencion", content_type="multipart/form-data",
                       data={"csrf_token": token, "archivo": (io.BytesIO(data), "hoy.csv")})
    assert resp.status_code == 409
    assert "No se importó ninguna fila" in resp.get_data(as_text=True)
    assert count_cases(db) == 0


# -- the upload page -------------------------------------------------------------------------------


def test_web_upload_report_lists_accepted_and_rejected(client, as_role, db, jobs, make):
    make.enlace("14")
    user = as_role("vinculacion")
    token = csrf(client, "/registro/centro-de-atencion")
    data = csv_bytes("W1,2026-11-20,3312345678,Ana,Jalisco,queja,No me atendieron,,",
                     "W2,2026-11-20,,,Atlántida,queja,Algo,,",
                     "W3,2026-11-20,,,Jalisco,felicitacion,Excelente trato,,")
    resp = client.post("/registro/centro-de-atencion", content_type="multipart/form-data",
                       data={"csrf_token": token, "archivo": (io.BytesIO(data), "2026-11-22.csv")})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "2 </span> importadas" in html.replace("2</span>", "2 </span>")
    assert "Estado desconocido: «Atlántida»." in html
    assert "<td>3</td><td>W2</td>" in html
    folios = list(db.scalars(select(Case.folio).order_by(Case.id)))
    assert len(folios) == 2 and all(f in html for f in folios)
    assert db.scalar(select(Case.created_by_id).limit(1)) == user.id
    assert [j.name for j in jobs] == ["notify_volante_opened", "notify_volante_opened"]


def test_web_report_offers_the_rejected_rows_as_csv(client, as_role, db):
    import csv as csv_mod
    from urllib.parse import unquote

    as_role("vinculacion")
    token = csrf(client, "/registro/centro-de-atencion")
    data = csv_bytes("V1,2026-11-20,,,Jalisco,queja,Bien,,", "V2,2026-11-20,,,Narnia,queja,Mal estado,,")
    html = client.post("/registro/centro-de-atencion", content_type="multipart/form-data",
                       data={"csrf_token": token, "archivo": (io.BytesIO(data), "hoy.csv")}).get_data(as_text=True)
    href = html.split('href="data:text/csv;charset=utf-8,', 1)[1].split('"', 1)[0]
    rows = list(csv_mod.reader(io.StringIO(unquote(href).lstrip("\ufeff"))))
    assert rows[0][:4] == ["fila", "motivo", "id_llamada", "tipo"]
    assert rows[1][:3] == ["3", "Estado desconocido: «Narnia».", "V2"] and "Mal estado" in rows[1]
    assert len(rows) == 2
    assert 'download="rechazadas-hoy.csv"' in html


def test_web_upload_xlsx(client, as_role, db):
    as_role("admin")
    wb = Workbook()
    wb.active.append(["id_llamada", "estado", "tipo", "descripcion"])
    wb.active.append(["X1", "Sonora", "sugerencia", "Más sillas en la sala de espera"])
    buf = io.BytesIO()
    wb.save(buf)
    token = csrf(client, "/registro/centro-de-atencion")
    resp = client.post("/registro/centro-de-atencion", content_type="multipart/form-data",
                       data={"csrf_token": token, "archivo": (io.BytesIO(buf.getvalue()), "dia.xlsx")})
    assert resp.status_code == 200
    assert db.scalar(select(Case.external_ref)) == "X1"


def test_web_upload_rejects_wrong_type_and_missing_file(client, as_role, db):
    as_role("vinculacion")
    token = csrf(client, "/registro/centro-de-atencion")
    resp = client.post("/registro/centro-de-atencion", content_type="multipart/form-data",
                       data={"csrf_token": token, "archivo": (io.BytesIO(b"\x89PNG\r\n\x1a\n...."), "foto.png")})
    assert resp.status_code == 422
    assert "Formato no admitido: sube un archivo CSV o XLSX." in resp.get_data(as_text=True)
    resp = client.post("/registro/centro-de-atencion", data={"csrf_token": token})
    assert resp.status_code == 422
    assert "Elige el archivo del centro de atención." in resp.get_data(as_text=True)
    assert count_cases(db) == 0


def test_web_upload_requires_csrf(client, as_role, db):
    as_role("vinculacion")
    data = csv_bytes("W1,2026-11-20,,,Jalisco,queja,Algo pasó,,")
    resp = client.post("/registro/centro-de-atencion", content_type="multipart/form-data",
                       data={"archivo": (io.BytesIO(data), "a.csv")})
    assert resp.status_code == 400
    assert count_cases(db) == 0


# -- CLI ------------------------------------------------------------------------------------------


def _cli(app):
    from flask.cli import FlaskGroup

    from backoffice.cli import register_commands

    group = FlaskGroup(create_app=lambda: app)
    register_commands(group)
    return group


def test_cli_import_reports_rows_and_is_quiet_when_piped(app, db, tmp_path, make):
    make.enlace("14")
    path = tmp_path / "llamadas.csv"
    path.write_bytes(csv_bytes("K1,2026-11-20,,,Jalisco,queja,Algo pasó,,",
                               "K2,2026-11-20,,,Jalisco,queja,,,"))
    result = app.test_cli_runner().invoke(_cli(app), ["callcenter", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "llamadas.csv: 1 importadas, 1 rechazadas." in result.output
    assert "fila 3: RECHAZADA (K2): Falta la descripción." in result.output
    assert "Importando" not in result.output  # no progress bar when not on a terminal
    again = app.test_cli_runner().invoke(_cli(app), ["callcenter", "import", str(path), "--json"])
    out = json.loads(again.output)
    assert out["importadas"] == []
    assert out["rechazadas"][0]["motivo"].startswith("La llamada ya está registrada")
    assert count_cases(db) == 1


def test_cli_import_whole_file_error(app, tmp_path):
    path = tmp_path / "llamadas.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    result = app.test_cli_runner().invoke(_cli(app), ["callcenter", "import", str(path)])
    assert result.exit_code != 0
    assert "Formato no admitido" in result.output


def _run_sinac(args, *, tty: bool) -> str:
    """The real `sinac` entry point in a subprocess, its stderr on a pseudo-terminal or a pipe."""
    import os
    import pty
    import subprocess
    import sys
    from pathlib import Path

    sinac = str(Path(sys.executable).parent / "sinac")
    if not tty:
        proc = subprocess.run([sinac, *args], capture_output=True, text=True, timeout=120, check=False)
        return proc.stdout + proc.stderr
    import fcntl
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a real terminal's size
    proc = subprocess.Popen([sinac, *args], stdout=subprocess.PIPE, stderr=slave, text=True)
    os.close(slave)
    out, _ = proc.communicate(timeout=120)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    return out + b"".join(chunks).decode("utf-8", "replace")


def test_cli_progress_bar_on_a_terminal_only(settings, db, tmp_path):
    path = tmp_path / "dia.csv"
    path.write_bytes(csv_bytes("Y1,2026-11-20,,,Jalisco,sugerencia,Algo,,"))
    on_tty = _run_sinac(["callcenter", "import", str(path)], tty=True)
    assert "Importando" in on_tty and "1 importadas, 0 rechazadas" in on_tty
    path.write_bytes(csv_bytes("Y2,2026-11-20,,,Jalisco,sugerencia,Algo,,"))
    piped = _run_sinac(["callcenter", "import", str(path)], tty=False)
    assert "1 importadas, 0 rechazadas" in piped and "Importando" not in piped
    assert count_cases(db) == 2
