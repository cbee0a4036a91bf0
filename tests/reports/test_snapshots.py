"""Frozen snapshots: built once, unchanged when cases change; the scheduled task; the CLI."""

from __future__ import annotations

import json

import pytest
from flask.cli import FlaskGroup
from sqlalchemy import func, select

from backoffice.cli import register_commands
from core.models import ReportSnapshot
from core.reports import Month, build_report
from core.reports.snapshots import SnapshotIsFrozen, build_snapshot
from tests.reports.conftest import AS_OF, at
from tests.reports.helpers import chart_data
from tests.support.web import csrf, login

OCT = Month.parse("2026-10")


def test_snapshot_does_not_change_when_cases_change(db, make, scenario):
    snap, created = build_snapshot(db, OCT, as_of=AS_OF)
    db.commit()
    assert created and snap.scope == "nacional" and snap.data["total"]["casos_registrados"] == 12
    frozen = json.loads(json.dumps(snap.data))
    late = make.case(estado_clave="14")
    late.created_at = at(10, 20)
    scenario.cases["A"].satisfaction = 1
    db.commit()
    assert build_report(db, OCT, as_of=AS_OF)["total"]["casos_registrados"] == 13
    again, created = build_snapshot(db, OCT, as_of=AS_OF)
    assert not created and again.id == snap.id
    db.expire_all()
    assert db.get(ReportSnapshot, snap.id).data == frozen
    row = db.get(ReportSnapshot, snap.id)
    row.data = {"altered": True}
    with pytest.raises(SnapshotIsFrozen):
        db.flush()
    db.rollback()


def test_scheduled_task_builds_national_and_per_estado_once(db, scenario):
    from workers.schedule import SCHEDULE
    from workers.tasks import TASKS

    assert any(p.task == "build_monthly_report" and p.cron == "0 6 1 * *" for p in SCHEDULE)
    assert TASKS["build_monthly_report"](month="2026-10") == 33
    assert TASKS["build_monthly_report"](month="2026-10") == 0
    db.expire_all()
    scopes = set(db.scalars(select(ReportSnapshot.scope).where(ReportSnapshot.month == "2026-10")))
    assert len(scopes) == 33 and {"nacional", "estado:14", "estado:09"} <= scopes
    jal = db.scalar(select(ReportSnapshot).where(ReportSnapshot.scope == "estado:14"))
    assert jal.data["total"]["casos_registrados"] == 8 and jal.created_by == "scheduler"


def test_default_month_is_the_previous_one():
    from datetime import date

    import time_machine

    with time_machine.travel("2026-12-01 07:00:00-06:00", tick=False):
        assert Month.previous_to_today().key == "2026-11"
    assert Month.of(date(2026, 1, 15)).shift(-1).key == "2025-12"


def test_snapshot_pages_and_isolation(client, db, make, scenario):
    dps = make.user("participacion_social")
    login(client, dps)
    resp = client.post("/informe/instantaneas", data={"mes": "2026-10", "csrf_token": csrf(client, "/informe/instantaneas")})
    assert resp.status_code == 302
    snap = db.scalar(select(ReportSnapshot).where(ReportSnapshot.month == "2026-10"))
    assert snap.created_by == dps.email
    page = client.get(f"/informe/instantaneas/{snap.id}").get_data(as_text=True)
    assert "Informe guardado" in page and chart_data(page)["report"]["total"]["casos_registrados"] == 12
    assert "2026-10" in client.get("/informe/instantaneas").get_data(as_text=True)
    assert client.get(f"/informe/instantaneas/{snap.id}/exportar?formato=csv").status_code == 200
    client.post("/logout", data={"csrf_token": csrf(client, "/informe/instantaneas")})
    login(client, scenario.users["jal"])
    assert client.get(f"/informe/instantaneas/{snap.id}").status_code == 404  # national, not JAL's
    assert client.get(f"/informe/instantaneas/{snap.id}/exportar?formato=csv").status_code == 404
    assert client.post("/informe/instantaneas", data={"mes": "2026-10", "csrf_token": csrf(client, "/informe/instantaneas")}).status_code == 403
    jal_snap, _ = build_snapshot(db, OCT, estado="14", as_of=AS_OF)
    db.commit()
    listing = client.get("/informe/instantaneas").get_data(as_text=True)
    assert f"/informe/instantaneas/{jal_snap.id}" in listing and f"/informe/instantaneas/{snap.id}\"" not in listing
    assert client.get(f"/informe/instantaneas/{jal_snap.id}").status_code == 200


def _invoke(app, *args):
    group = FlaskGroup(create_app=lambda: app)
    register_commands(group)
    return app.test_cli_runner().invoke(group, list(args), catch_exceptions=False)


def test_cli_monthly_json_and_text(app, db, scenario):
    result = _invoke(app, "report", "monthly", "--month", "2026-10", "--estado", "JAL", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["mes"] == "2026-10" and data["estado"] == "14"
    assert data["total"]["casos_registrados"] == 8 and data["total"]["dias_respuesta_p90"] == 4.8
    text = _invoke(app, "report", "monthly", "--month", "2026-10")
    assert "Informe mensual 2026-10 · Nacional" in text.output and "diabetes (2)" in text.output
    bad = app.test_cli_runner().invoke(_group(app), ["report", "monthly", "--month", "octubre"])
    assert bad.exit_code == 2 and "AAAA-MM" in bad.output
    snap = _invoke(app, "report", "snapshot", "--month", "2026-10")
    assert "33 informes guardados" in snap.output
    assert db.scalar(select(func.count()).select_from(ReportSnapshot)) == 33


def _group(app):
    group = FlaskGroup(create_app=lambda: app)
    register_commands(group)
    return group
