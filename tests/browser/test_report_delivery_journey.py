"""Issue 17 item 7 in a real browser: the report e-mailed on the 1st (the scheduled path, through
the SMTP stand-in of tests/plazos/smtp_fake.py) is listed on /informe/envios; an admin sends it
again from there and the stand-in receives it; an enlace is refused the page, and DPS reads it
but cannot re-send (no button, and a forged request is refused)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.config import Settings
from core.enums import Role
from core.models import ReportDelivery
from core.reports.months import Month
from core.reports.snapshots import build_snapshot
from tests.browser.conftest import login
from tests.plazos.conftest import filed_today, mx_time
from tests.plazos.smtp_fake import FakeSmtp
from workers import report_delivery

pytestmark = pytest.mark.browser

OCTOBER = Month.parse("2026-10")
TO = ["direccion@salud.example.mx", "dps@salud.example.mx"]


@pytest.fixture
def smtp(settings, monkeypatch):
    with FakeSmtp() as server:
        monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("SMTP_PORT", str(server.port))
        monkeypatch.setenv("REPORT_EMAIL_TO", ", ".join(TO))
        yield server


@pytest.fixture
def served(smtp, live_server):
    """The live back office built after the SMTP settings (smtp comes first)."""
    return live_server


def _sent_on_the_first(db, make) -> ReportDelivery:
    """October's cases, its frozen national report and the delivery the 1st makes of it."""
    make.enlace("14", nombre="Enlace Jalisco")
    with mx_time(2026, 10, 15, 10):
        filed_today(make, "14")
        make.case("queja", "14")
    with mx_time(2026, 11, 1, 6):
        build_snapshot(db, OCTOBER)
        db.commit()
        report_delivery.schedule_month(OCTOBER, Settings.from_env())
    db.expire_all()
    return db.scalar(select(ReportDelivery))


def _mails(smtp) -> list[tuple[str, list[str]]]:
    return [(m.rcpt_to[0], sorted(p.get_filename() for p in m.message.iter_attachments())) for m in smtp.messages]


def test_admin_sees_the_delivery_and_resends_it_others_are_refused(browser, served, smtp, make, db):
    base = served
    first = _sent_on_the_first(db, make)
    admin = make.user(Role.ADMIN, nombre="Admin SINAC")
    enlace = make.enlace("14", nombre="Otra Enlace")
    dps = make.user(Role.PARTICIPACION_SOCIAL, nombre="Dirección DPS")
    db.commit()
    files = ["informe-2026-10-nacional.pdf", "informe-2026-10-nacional.xlsx"]
    assert sorted(_mails(smtp)) == [(a, files) for a in TO]
    errors: list[str] = []

    # 1. the admin reaches the page from «Informes guardados» and reads what the stand-in received
    page = login(browser.new_context(locale="es-MX"), base, admin.email)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{base}/informe/instantaneas")
    page.click("a[href='/informe/envios']")
    page.wait_for_url(f"{base}/informe/envios")
    assert page.locator("[data-testid=no-smtp]").count() == 0
    row = page.locator(f"tr[data-delivery='{first.id}']")
    assert "octubre 2026 · Nacional" in row.inner_text() and "Programado" in row.inner_text()
    assert row.locator("[data-testid=delivery-status]").inner_text() == "Enviado"
    assert [t.strip() for t in row.locator("[data-testid=recipient-status]").all_inner_texts()] == ["enviado", "enviado"]
    for address in TO:
        assert address in row.inner_text()
    for name in files:
        assert name in row.inner_text()

    # 2. Reenviar: a new delivery to the same list, sent at once; the old row is kept (with inline
    # jobs the request renders the PDF and XLSX itself: more than the default 30 s under load)
    row.locator("button", has_text="Reenviar").click(timeout=90000)
    page.wait_for_selector("text=Se está enviando de nuevo el informe de octubre 2026 (Nacional) a 2 destinatario(s).",
                           timeout=90000)
    db.expire_all()
    again = db.scalar(select(ReportDelivery).where(ReportDelivery.resend_of_id == first.id))
    assert again is not None and again.status == "enviado" and again.requested_by == admin.email
    resent = page.locator(f"tr[data-delivery='{again.id}']")
    assert f"reenvío del envío {first.id}" in resent.inner_text()
    assert resent.locator("[data-testid=delivery-status]").inner_text() == "Enviado"
    assert page.locator("tbody tr").first.get_attribute("data-delivery") == str(again.id)  # newest first
    assert page.locator(f"tr[data-delivery='{first.id}']").count() == 1
    assert sorted(_mails(smtp)) == sorted([(a, files) for a in TO] * 2)

    # 3. an enlace is refused the page
    epage = login(browser.new_context(locale="es-MX"), base, enlace.email)
    response = epage.goto(f"{base}/informe/envios")
    assert response.status == 403 and "Sin permiso" in epage.inner_text("main")

    # 4. DPS reads the list but cannot re-send: no button, and a forged request is refused
    dpage = login(browser.new_context(locale="es-MX"), base, dps.email)
    response = dpage.goto(f"{base}/informe/envios")
    assert response.status == 200 and "octubre 2026 · Nacional" in dpage.inner_text("[data-testid=deliveries]")
    assert dpage.locator("button", has_text="Reenviar").count() == 0
    status = dpage.evaluate("""async (id) => {
        const token = document.querySelector("input[name=csrf_token]").value;
        const r = await fetch(`/informe/envios/${id}/reenviar`, {method: "POST",
            headers: {"Content-Type": "application/x-www-form-urlencoded"},
            body: new URLSearchParams({csrf_token: token})});
        return r.status;
    }""", first.id)
    assert status == 403
    assert len(smtp.messages) == 4
    assert not errors
