"""`sinac seed --demo` (issue 16, item 6): a few months of realistic cases written through the
domain services, so the lifecycle and the audit trail hold; only into a database without cases,
never in production; and a fresh install's dashboard and queue then show something."""

from __future__ import annotations

from collections import Counter, defaultdict

import click
import pytest
from flask.cli import FlaskGroup
from sqlalchemy import func, select

from backoffice.cli import register_commands
from core.enums import Canal, CaseStatus, Tipo
from core.enums import VolanteStatus as VS
from core.lifecycle import TRANSITIONS
from core.models import AuditEvent, Case, Fur, Message, Note, Review, Volante
from core.plazos import calendar
from core.reports.months import Month
from core.timeutil import local_date, now, today_mx
from tests.reports.helpers import chart_data
from tests.support.web import login

PASSWORD = "Demo-password-1"


def _invoke(app, *args, catch=False):
    group = FlaskGroup(create_app=lambda: app)
    register_commands(group)
    return app.test_cli_runner().invoke(group, list(args), catch_exceptions=catch)


@pytest.fixture
def demo(app, db):
    result = _invoke(app, "seed", "--demo", "--password", PASSWORD)
    assert result.exit_code == 0, result.output
    db.expire_all()
    return result.output


def test_demo_refuses_to_run_twice(app, db, demo):
    assert "Casos de demostración:" in demo
    before = db.scalar(select(func.count()).select_from(Case))
    audit_before = db.scalar(select(func.count()).select_from(AuditEvent))
    again = _invoke(app, "seed", "--demo", "--password", PASSWORD)
    assert again.exit_code == 0
    assert "ya tiene casos" in again.output and "No se agregó nada" in again.output
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Case)) == before
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == audit_before


def test_demo_spans_months_states_channels_tipos_and_statuses(db, demo):
    cases = list(db.scalars(select(Case)))
    assert len(cases) >= 200
    months = Counter(Month.of(local_date(c.created_at)) for c in cases)
    current = Month.of(today_mx())
    assert {current.shift(-3), current.shift(-2), current.shift(-1)} <= set(months)
    assert all(months[current.shift(-i)] >= 50 for i in (1, 2, 3))
    assert {c.canal for c in cases} == set(Canal)
    assert {c.tipo for c in cases} == set(Tipo)
    statuses = Counter(c.status for c in cases)
    for status in (CaseStatus.ATENDIDA, CaseStatus.TURNADA, CaseStatus.RESPONDIDA, CaseStatus.CONCLUIDA,
                   CaseStatus.CANCELADA):
        assert statuses[status] > 0, status
    assert len({c.estado_clave for c in cases}) >= 15
    volantes = list(db.scalars(select(Volante)))
    assert any(v.status == VS.DEVUELTO for v in volantes)  # sent back, then a second round
    assert any(v.status == VS.ABIERTO and v.paused_at is None and v.due_date < today_mx() for v in volantes)
    assert db.scalar(select(func.count()).select_from(Note)) > 0
    assert db.scalar(select(func.count()).select_from(Message)) > 0
    assert any(c.satisfaction for c in cases)
    assert all(c.created_at <= now() for c in cases)


def test_demo_history_follows_the_lifecycle(db, demo):
    """Every case's audit trail replays through the transition table to its status, in time
    order; folios follow registration order; rounds, FURs and reviews agree with it."""
    allowed = {(before, str(action)): after for (before, action), after in TRANSITIONS.items()}
    trail = defaultdict(list)
    for event in db.scalars(select(AuditEvent).where(AuditEvent.case_id.is_not(None))
                            .order_by(AuditEvent.created_at, AuditEvent.id)):
        trail[event.case_id].append(event)
    cal = calendar(db)
    cases = list(db.scalars(select(Case).order_by(Case.created_at, Case.id)))
    assert [c.folio for c in cases] == sorted(c.folio for c in cases)
    for case in cases:
        status = None
        for event in trail[case.id]:
            if event.to_status is None:  # not a transition (e.g. the survey answer)
                continue
            assert (status, event.action) in allowed, (case.folio, status, event.action)
            assert allowed[(status, event.action)] == event.to_status
            assert event.created_at >= case.created_at
            status = event.to_status
        assert status == case.status, case.folio
        for volante in case.volantes:
            assert volante.due_date == cal.add(local_date(volante.sent_at), volante.plazo_dias)
            if volante.status in (VS.RESPONDIDO, VS.ACEPTADO, VS.DEVUELTO):
                fur = db.scalar(select(Fur).where(Fur.volante_id == volante.id))
                assert fur is not None and not fur.is_draft and fur.filed_at >= volante.sent_at
            if volante.status in (VS.ACEPTADO, VS.DEVUELTO):
                assert db.scalar(select(Review).where(Review.volante_id == volante.id)) is not None
        if case.status == CaseStatus.CONCLUIDA:
            assert case.volantes[-1].status == VS.ACEPTADO and case.closed_at is not None


def test_fresh_install_dashboard_and_queue_show_the_demo(client, db, demo):
    from core.models import User

    enlace = db.scalar(select(User).where(User.email == "enlace.jal@sinac.local"))
    login(client, enlace, PASSWORD)
    html = client.get("/informe/").get_data(as_text=True)
    report = chart_data(html)["report"]
    assert report["total"]["casos_registrados"] > 0 and report["estado"] == "14"
    queue = client.get("/volantes/").get_data(as_text=True)
    assert "SINAC-" in queue and "No hay volantes con esos criterios" not in queue


def test_demo_is_never_loaded_in_production(app, db):
    from dataclasses import replace

    app.config["SINAC"] = replace(app.config["SINAC"], env="production")
    result = _invoke(app, "seed", "--demo", "--password", PASSWORD, catch=True)
    assert result.exit_code != 0 and isinstance(result.exception, SystemExit | click.ClickException)
    assert "producción" in result.output and "Usuarios de demostración" not in result.output
    assert db.scalar(select(func.count()).select_from(Case)) == 0
