"""The monthly report by e-mail (issue 17 item 7): on the 1st the frozen national and per-estado
reports go as PDF and XLSX through SMTP (a real socket: tests/plazos/smtp_fake.py), failures are
recorded and retried, never lost, and the directorate's page lists the deliveries and lets an
admin send one again."""

from __future__ import annotations

import io
import socket
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from core import notifications as notif
from core.config import Settings
from core.models import AuditEvent, Notification, ReportDelivery
from core.reports import delivery as dl
from core.reports.months import Month
from core.timeutil import now
from tests.plazos.conftest import filed_today, mx_time
from tests.plazos.smtp_fake import FakeSmtp
from tests.support.web import csrf_from, login, text
from workers import report_delivery
from workers.jobs.reports import build_monthly_report

OCTOBER = Month.parse("2026-10")


@pytest.fixture
def october(db, make):
    """A few October cases (so the report has figures) and the recipients: REPORT_EMAIL_TO for
    the national report, the admin page's list for Jalisco; no other estado has any."""
    make.enlace("14")
    with mx_time(2026, 10, 15, 10):
        filed_today(make, "14")
        make.case("queja", "14")
    dl.set_recipients(db, "14", "jalisco@salud.example.mx")
    db.commit()


@pytest.fixture
def smtp(monkeypatch, october):
    with FakeSmtp() as server:
        monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("SMTP_PORT", str(server.port))
        monkeypatch.setenv("REPORT_EMAIL_TO", "direccion@salud.example.mx, dps@salud.example.mx")
        yield server


def _first_of_november():
    """The scheduled job itself: every snapshot of October, then the deliveries."""
    with mx_time(2026, 11, 1, 6):
        build_monthly_report()


def _frozen_and_sent(db):
    """The same for the two scopes that have recipients only (quicker than 33 snapshots)."""
    from core.reports.snapshots import build_snapshot

    with mx_time(2026, 11, 1, 6):
        build_snapshot(db, OCTOBER)
        build_snapshot(db, OCTOBER, estado="14")
        db.commit()
        report_delivery.schedule_month(OCTOBER, Settings.from_env())


def _rows(db) -> list[ReportDelivery]:
    db.expire_all()
    return list(db.scalars(select(ReportDelivery).order_by(ReportDelivery.id)))


def _parts(message) -> dict[str, bytes]:
    return {part.get_filename(): part.get_content() for part in message.iter_attachments()}


def test_the_first_sends_the_national_and_estado_reports_as_pdf_and_xlsx(db, smtp):
    _first_of_november()
    mails = {m.rcpt_to[0]: m.message for m in smtp.messages}
    assert sorted(mails) == ["direccion@salud.example.mx", "dps@salud.example.mx", "jalisco@salud.example.mx"]
    national = mails["direccion@salud.example.mx"]
    assert national["Subject"] == "[SINAC] Informe mensual de octubre 2026 · Nacional"
    files = _parts(national)
    assert sorted(files) == ["informe-2026-10-nacional.pdf", "informe-2026-10-nacional.xlsx"]
    pdf = PdfReader(io.BytesIO(files["informe-2026-10-nacional.pdf"]))
    first_page = pdf.pages[0].extract_text()
    assert "Informe mensual SINAC · octubre 2026" in first_page and "Nacional" in first_page
    assert "Volantes abiertos" in first_page and "Revisiones vencidas" in "".join(p.extract_text() for p in pdf.pages)
    sheet = load_workbook(io.BytesIO(files["informe-2026-10-nacional.xlsx"]))["Resumen"]
    assert "octubre 2026" in sheet["A1"].value
    jalisco = _parts(mails["jalisco@salud.example.mx"])
    assert sorted(jalisco) == ["informe-2026-10-jal.pdf", "informe-2026-10-jal.xlsx"]
    assert "Jalisco" in PdfReader(io.BytesIO(jalisco["informe-2026-10-jal.pdf"])).pages[0].extract_text()
    # per-enlace rows (issue 17 item 6): in the directorate's report; a state's list may hold its
    # enlaces, who read only their own row, so the state's report carries none
    national_enlaces = load_workbook(io.BytesIO(files["informe-2026-10-nacional.xlsx"]))["Por enlace"]
    assert len(list(national_enlaces.iter_rows(min_row=2, values_only=True))) == 1
    state_enlaces = load_workbook(io.BytesIO(jalisco["informe-2026-10-jal.xlsx"]))["Por enlace"]
    assert list(state_enlaces.iter_rows(min_row=2, values_only=True)) == []

    rows = _rows(db)
    assert [(r.scope, r.status) for r in rows] == [("nacional", "enviado"), ("estado:14", "enviado")]
    assert rows[0].results["dps@salud.example.mx"]["estado"] == "enviado" and rows[0].sent_at is not None
    assert [f["nombre"] for f in rows[0].files] == ["informe-2026-10-nacional.pdf", "informe-2026-10-nacional.xlsx"]
    _first_of_november()  # the job again (a retry, a second scheduler): nothing new, nothing twice
    assert len(_rows(db)) == 2 and len(smtp.messages) == 3


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_smtp_down_is_recorded_retried_and_sent_later(db, smtp, monkeypatch):
    monkeypatch.setenv("SMTP_PORT", str(_closed_port()))
    _frozen_and_sent(db)
    rows = _rows(db)
    assert {r.status for r in rows} == {"pendiente"} and smtp.messages == []
    national = rows[0]
    assert national.attempts == 1 and "Servidor de correo no disponible" in national.last_error
    assert national.next_attempt_at - national.created_at < timedelta(minutes=6)
    with mx_time(2026, 11, 1, 6, 2):  # before the next try: left alone
        assert report_delivery.deliver_pending(Settings.from_env()) == 0
    monkeypatch.setenv("SMTP_PORT", str(smtp.port))  # the server is back
    with mx_time(2026, 11, 1, 6, 10):
        assert report_delivery.deliver_pending(Settings.from_env()) == 2
    assert [r.status for r in _rows(db)] == ["enviado", "enviado"]
    assert len(smtp.messages) == 3


def test_tries_end_after_the_window_and_admins_are_told(db, smtp, monkeypatch, make):
    admin = make.user("admin")
    monkeypatch.setenv("SMTP_PORT", str(_closed_port()))
    _frozen_and_sent(db)
    for hours in (1, 3, 12, 30, 60, 80):
        with mx_time(2026, 11, 1 + hours // 24, 6 + hours % 24):
            report_delivery.deliver_pending(Settings.from_env())
    rows = _rows(db)
    assert {r.status for r in rows} == {"fallido"} and all(r.attempts >= 2 for r in rows)
    notes = list(db.scalars(select(Notification).where(Notification.kind == notif.INFORME_NO_ENVIADO)))
    assert {n.user_id for n in notes} == {admin.id} and len(notes) == 2
    assert "octubre 2026 (Nacional)" in " ".join(n.text for n in notes)


def test_a_refused_address_is_final_and_the_others_get_it_once(db, smtp, make):
    make.user("admin")
    smtp.state.refuse.add("dps@salud.example.mx")
    _frozen_and_sent(db)
    national = _rows(db)[0]
    assert national.status == "fallido"  # nothing left that a retry could deliver
    assert national.results["dps@salud.example.mx"]["estado"] == "rechazado"
    assert national.results["direccion@salud.example.mx"]["estado"] == "enviado"
    with mx_time(2026, 11, 2, 9):
        report_delivery.deliver_pending(Settings.from_env())
    assert sum(1 for m in smtp.messages if m.rcpt_to == ["direccion@salud.example.mx"]) == 1


def test_one_sender_at_a_time(db, october):
    from core.reports.snapshots import build_snapshot

    with mx_time(2026, 11, 1, 6):
        snapshot, _ = build_snapshot(db, OCTOBER)
    row = ReportDelivery(month="2026-10", scope="nacional", snapshot_id=snapshot.id, recipients=["a@x.mx"],
                         results={}, files=[], status="pendiente", attempts=0, requested_by="prueba")
    db.add(row)
    db.commit()
    at = now()
    assert dl.claim(db, row.id, at) is True
    db.commit()
    assert dl.claim(db, row.id, at) is False  # a second sender while the first holds it
    assert dl.due_ids(db, at) == []
    later = at + dl.CLAIM_LEASE + timedelta(seconds=1)
    assert dl.due_ids(db, later) == [row.id]  # a sender that died: its lease ends
    assert dl.claim(db, row.id, later) is True


@pytest.fixture
def smtp_client(smtp, db):
    """A client of an app built with the SMTP settings (the `client` fixture's predate them)."""
    from backoffice.app import create_app

    return create_app(Settings.from_env(), TESTING=True, RATELIMIT_ENABLED=False).test_client()


def test_directorate_page_lists_deliveries_and_an_admin_resends(db, smtp, smtp_client, make):
    client = smtp_client
    _frozen_and_sent(db)
    dps, admin = make.user("participacion_social"), make.user("admin")
    login(client, dps)
    page = text(client.get("/informe/envios"))
    assert "octubre 2026 · Nacional" in page and "octubre 2026 · Jalisco" in page
    assert "direccion@salud.example.mx" in page and "informe-2026-10-nacional.pdf" in page
    assert page.count('data-testid="delivery-status">Enviado') == 2 and "Reenviar" not in page
    national = _rows(db)[0]
    resp = client.post(f"/informe/envios/{national.id}/reenviar", data={"csrf_token": csrf_from(page)})
    assert resp.status_code == 403
    client.post("/logout", data={"csrf_token": csrf_from(page)})
    login(client, admin)
    page = text(client.get("/informe/envios"))
    resp = client.post(f"/informe/envios/{national.id}/reenviar", data={"csrf_token": csrf_from(page)})
    assert resp.status_code == 302
    rows = _rows(db)
    assert len(rows) == 3 and rows[-1].resend_of_id == national.id and rows[-1].status == "enviado"
    assert rows[-1].requested_by != "scheduler"
    assert len(smtp.messages) == 5  # the two national addresses again
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "informe_reenviado")) is not None
    assert client.post("/informe/envios/999999/reenviar", data={"csrf_token": csrf_from(page)}).status_code == 404


def test_an_admin_sends_a_month_to_a_list_added_after_the_first(db, smtp, smtp_client, make):
    _frozen_and_sent(db)  # national and Jalisco sent on the 1st
    from core.reports.snapshots import build_snapshot

    with mx_time(2026, 11, 1, 6):
        build_snapshot(db, OCTOBER, estado="09")
    dl.set_recipients(db, "09", "cdmx@salud.example.mx")
    db.commit()
    client = smtp_client
    login(client, make.user("admin"))
    page = text(client.get("/informe/envios"))
    resp = client.post("/informe/envios/mes", data={"csrf_token": csrf_from(page), "mes": "2026-10"})
    assert resp.status_code == 302
    rows = _rows(db)
    assert [(r.scope, r.status) for r in rows][-1] == ("estado:09", "enviado") and len(rows) == 3
    assert [m.rcpt_to for m in smtp.messages][-1] == ["cdmx@salud.example.mx"] and len(smtp.messages) == 4
    again = client.post("/informe/envios/mes", data={"csrf_token": csrf_from(page), "mes": "2026-10"})
    assert "No hay informes de octubre 2026 por enviar" in text(client.get(again.headers["Location"]))
    assert len(_rows(db)) == 3  # nothing twice
    future = client.post("/informe/envios/mes", data={"csrf_token": csrf_from(page), "mes": "2099-01"})
    assert future.status_code == 302 and len(_rows(db)) == 3


def test_an_enlace_sees_no_deliveries(client, make, db):
    login(client, make.enlace("14"))
    assert client.get("/informe/envios").status_code == 403
    assert client.get("/admin/informes").status_code == 403
    assert client.post("/informe/envios/mes", data={"mes": "2026-10"}).status_code in (400, 403)


def test_admin_page_sets_the_recipients_and_refuses_bad_addresses(client, db, make):
    login(client, make.user("admin"))
    page = text(client.get("/admin/informes"))
    assert "Informe nacional" in page and "Jalisco" in page
    bad = client.post("/admin/informes", data={"csrf_token": csrf_from(page), "nacional": "direccion@salud.example.mx",
                                               "14": "jalisco@salud, otra@salud.example.mx"})
    assert bad.status_code == 422 and "jalisco@salud" in text(bad)
    assert dl.configured(db, None) == []  # nothing saved
    ok = client.post("/admin/informes", data={"csrf_token": csrf_from(page), "nacional": "direccion@salud.example.mx",
                                              "14": "jalisco@salud.example.mx; otra@salud.example.mx"})
    assert ok.status_code == 302
    db.expire_all()
    assert dl.configured(db, "14") == ["jalisco@salud.example.mx", "otra@salud.example.mx"]
    assert dl.recipients_for(db, Settings.from_env({"REPORT_EMAIL_TO": "dps@salud.example.mx"}), None) == [
        "dps@salud.example.mx", "direccion@salud.example.mx"]
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "destinatarios_informe")) is not None


@pytest.mark.parametrize("typed,valid,invalid", [
    ("a@x.mx, b@y.mx;c@z.mx\nd@w.mx", ["a@x.mx", "b@y.mx", "c@z.mx", "d@w.mx"], []),
    ("a@x.mx A@X.MX", ["a@x.mx"], []),
    ("nombre sin arroba, a@x", [], ["nombre", "sin", "arroba", "a@x"]),
    ("", [], []),
])
def test_addresses_are_read_as_typed(typed, valid, invalid):
    assert dl.parse_addresses(typed) == (valid, invalid)
