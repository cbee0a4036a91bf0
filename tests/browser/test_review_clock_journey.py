"""Issue 17 item 5 in a real browser: the enlace files a FUR, Vinculación's queue shows the
review's clock and its filter, the case shows the review due date; with the clock moved past
that day (tests/plazos mx_time, frozen time in the same process as the app server) the queue's
«Revisión del FUR vencida» filter finds it and the queue and the case say it is late."""

from __future__ import annotations

import pytest

from core.enums import Role
from core.models import Case
from core.plazos import calendar, review_plazo
from core.timeutil import today_mx
from tests.browser.conftest import login
from tests.plazos.conftest import mx_time

pytestmark = pytest.mark.browser


def _dias(n: int) -> str:
    return f"{n} día hábil" if n == 1 else f"{n} días hábiles"


def _late_only(page, base: str) -> None:
    """The queue filtered from the form, as a reviewer does it."""
    page.goto(f"{base}/volantes/")
    page.select_option("#plazo", "revision_vencida")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**plazo=revision_vencida**")


def test_filed_fur_gets_a_review_clock_shown_in_the_queue_and_the_case_then_late(browser, live_server, make, db):
    base = live_server
    enlace = make.enlace("14", nombre="Enlace Jalisco")
    vinc = make.user(Role.VINCULACION, nombre="Ana Revisora")
    case = make.case("queja", "14", description="No me atendieron en urgencias del hospital general")
    db.commit()
    errors: list[str] = []

    # 1. the enlace files the FUR from the case page
    epage = login(browser.new_context(locale="es-MX"), base, enlace.email)
    epage.on("pageerror", lambda exc: errors.append(str(exc)))
    epage.goto(f"{base}/casos/{case.id}")
    epage.click("text=Responder con FUR")
    epage.fill("#acciones", "Se habló con la dirección del hospital.")
    epage.fill("#respuesta_ciudadano", "Te atenderán en urgencias sin costo.")
    epage.check("input[name=resultado][value=favorable]")
    epage.click("button[value=enviar]")
    epage.wait_for_selector("text=Respuesta enviada a Vinculación")
    db.expire_all()
    volante = db.get(Case, case.id).volantes[-1]
    cal, today = calendar(db), today_mx()
    due = volante.review_due_date
    assert due == cal.add(today, review_plazo(db))  # the filing day plus the review plazo

    # 2. Vinculación's queue: the round's badge counts the review's business days, not the enlace's plazo
    ctx = browser.new_context(locale="es-MX")
    vpage = login(ctx, base, vinc.email)
    vpage.on("pageerror", lambda exc: errors.append(str(exc)))
    vpage.goto(f"{base}/volantes/?status=respondida")
    row = vpage.locator(f"tr[data-folio='{case.folio}']")
    assert row.locator("[data-testid=plazo]").inner_text() == f"En revisión: quedan {_dias(cal.between(today, due))}"
    _late_only(vpage, base)
    assert vpage.locator(f"tr[data-folio='{case.folio}']").count() == 0  # not late yet
    assert vpage.locator("#plazo").input_value() == "revision_vencida"

    # 3. the case: the FUR on top says by when it must be reviewed
    vpage.goto(f"{base}/casos/{case.id}")
    review = vpage.locator("[data-testid=review]")
    assert review.locator("[data-testid=review-due]").inner_text() == f"revisión a más tardar el {due:%d/%m/%Y}"
    assert "vencida" not in review.locator("[data-testid=review-plazo]").inner_text()
    ctx.close()

    # 4. two business days after the due date (the clock moved, no waiting): late everywhere
    late_day = cal.add(due, 2)
    with mx_time(late_day.year, late_day.month, late_day.day, 10):
        ctx = browser.new_context(locale="es-MX")
        vpage = login(ctx, base, vinc.email)  # a new session: the old one idled out on the way
        _late_only(vpage, base)
        row = vpage.locator(f"tr[data-folio='{case.folio}']")
        assert row.locator("[data-testid=plazo]").inner_text() == "Revisión vencida hace 2 días hábiles"
        assert "vencido" in row.locator("[data-testid=plazo]").get_attribute("class")
        vpage.click(f"tr[data-folio='{case.folio}'] a[href$='/casos/{case.id}']")
        vpage.wait_for_selector("[data-testid=review]")
        assert vpage.inner_text("[data-testid=review-plazo]") == "Revisión vencida hace 2 días hábiles"
        assert f"{due:%d/%m/%Y}" in vpage.inner_text("[data-testid=review-due]")

        # 5. accepting stops the clock: the filter no longer finds it
        vpage.click("#review-form button[value=aceptar]")
        vpage.wait_for_selector("text=Respuesta aceptada")
        _late_only(vpage, base)
        assert vpage.locator(f"tr[data-folio='{case.folio}']").count() == 0
        ctx.close()
    assert not errors
