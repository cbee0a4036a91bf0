"""Issue 17 in a real browser: vinculación reopens a concluded case (the affiliate hears it
through the Twilio stand-in), merges a duplicate, and two reviewers on the same case see each
other («también lo está viendo …», Redis presence) and the slower one's stale decision is
refused with what changed and their text kept."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.models import Case
from core.services import cases as svc
from core.timeutil import now
from tests.browser.conftest import login

pytestmark = pytest.mark.browser

AFFILIATE = "+523311113333"


@pytest.fixture
def redis_env(redis_url, settings, monkeypatch):
    from backoffice import presence

    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setattr(presence, "_down_until", 0.0)


@pytest.fixture
def served(redis_env, live_server):
    """The live back office with presence in a real Redis (redis_env comes first)."""
    return live_server



def test_reopen_merge_and_collision(browser, served, standin, make, db):
    base = served
    make.enlace("14", nombre="Enlace Jalisco")
    ana = make.user("vinculacion", nombre="Ana Revisora")
    beto = make.user("vinculacion", nombre="Beto Revisor")
    contact = make.contact(AFFILIATE, last_inbound_at=now())
    concluded = make.filed_case(contact=contact, description="No me dieron el medicamento")
    svc.accept_fur(db, concluded, make.actor(ana))
    first = make.case("cobro_injustificado", "14", contact=contact, monto=450, unidad="Hospital Civil",
                      description="Me cobraron 450 por el ultrasonido")
    dup = make.case("cobro_injustificado", "14", contact=contact, monto=450,
                    description="Lo del cobro del ultrasonido, otra vez")
    filed = make.filed_case(description="Me trataron mal en urgencias")
    db.commit()

    ana_ctx = browser.new_context(locale="es-MX")
    beto_ctx = browser.new_context(locale="es-MX")
    apage = login(ana_ctx, base, ana.email)

    # 1. reopen: the reason is required; then a new round with its own plazo
    apage.goto(f"{base}/casos/{concluded.id}")
    apage.click("#reopen-form button[type=submit]")
    assert "Escribe el motivo de la reapertura." in apage.inner_text("main")
    apage.fill("#reopen-reason", "La persona llamó: sigue sin recibir el medicamento.")
    apage.click("#reopen-form button[type=submit]")
    apage.wait_for_selector("text=Caso reabierto")
    assert "Ronda 2" in apage.inner_text("h1")
    assert "Ronda 2 · Volante 2" in apage.inner_text("#volante-2")
    assert any(f"reabrimos tu folio {concluded.folio}" in m["body"] and AFFILIATE.lstrip("+") in m["to"]
               for m in standin.messages())

    # 2. duplicate: flagged on the later case, merged into the earlier one
    apage.goto(f"{base}/casos/{dup.id}")
    assert first.folio in apage.inner_text("[data-testid=possible-duplicate]")
    assert apage.input_value("#merge-survivor") == first.folio
    apage.fill("#merge-reason", "Mismo cobro reportado dos veces")
    apage.click("#merge-form button[type=submit]")
    apage.wait_for_selector("text=Folio fusionado")
    assert first.folio in apage.inner_text("[data-testid=merged-into]")
    apage.click(f"[data-testid=merged-into] >> text={first.folio}")
    apage.wait_for_selector("[data-testid=merged-from]")
    timeline = apage.inner_text("#historial + ol, .timeline")
    assert dup.folio in timeline and "Fusionado en otro folio" in timeline

    # 3. collision: both reviewers open the same FUR; each sees the other
    apage.goto(f"{base}/casos/{filed.id}")
    bpage = login(beto_ctx, base, beto.email)
    bpage.goto(f"{base}/casos/{filed.id}")
    assert "También lo está viendo Ana Revisora." in bpage.inner_text("[data-testid=presence]")
    apage.wait_for_selector("[data-testid=presence]:has-text('Beto Revisor')", timeout=25000)  # heartbeat
    # Ana sends it back; Beto, on his stale page, writes and accepts
    apage.fill("#review-reason", "Falta el nombre del médico que atendió.")
    apage.click("button[value=devolver]")
    apage.wait_for_selector("text=FUR devuelto al enlace")
    bpage.fill("#review-reason", "Mi comentario de revisión")
    bpage.click("button[value=aceptar]")
    stale = bpage.inner_text("[data-testid=stale]")
    assert "Ana Revisora" in stale and "Devuelto al enlace" in stale and "Falta el nombre del médico" in stale
    assert "Alguien más cambió este caso" in bpage.inner_text("main")
    assert bpage.inner_text("[data-testid=kept-text]") == "Mi comentario de revisión"  # the form is gone
    db.expire_all()
    assert db.get(Case, filed.id).status == "turnada"
    assert db.scalar(select(Case.merged_into_id).where(Case.id == dup.id)) == first.id
    ana_ctx.close()
    beto_ctx.close()
