"""Snapshots only of closed months (issue 18, item 5): a snapshot of the current or a future
month is refused with a clear message on every path (core, CLI, page, scheduled job); a partial
snapshot taken earlier is rebuilt by the month-end job, once, and the trend never reads it."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime

import pytest
import time_machine
from flask.cli import FlaskGroup
from sqlalchemy import func, select

from backoffice.cli import register_commands
from core.errors import ValidationError
from core.models import ReportSnapshot
from core.reports import Month, build_report
from core.reports.snapshots import build_month_snapshots, build_snapshot, find, snapshot_is_partial
from tests.reports.conftest import at
from tests.support.counts import count
from tests.support.web import csrf, login

OCT, NOV, DEC = Month.parse("2026-10"), Month.parse("2026-11"), Month.parse("2026-12")
ON_NOV_4 = "2026-11-04 10:00:00-06:00"  # October closed, November open
ON_DEC_1 = "2026-12-01 06:00:00-06:00"  # the month-end job's run for November
PARTIAL_CASES = 3


def _cli(app, *args):
    group = FlaskGroup(create_app=lambda: app)
    register_commands(group)
    return app.test_cli_runner().invoke(group, list(args))


def _partial_snapshot(db, month: Month, taken_on: datetime, estado: str | None = None) -> ReportSnapshot:
    """A snapshot as an earlier version let anyone take: of an open month, as of that day (the
    scenario's cases are back-dated, so the figure the month had then is set by hand)."""
    data = copy.deepcopy(build_report(db, month, estado=estado, as_of=taken_on.date()))
    data["total"]["casos_registrados"] = PARTIAL_CASES
    row = ReportSnapshot(month=month.key, scope=f"estado:{estado}" if estado else "nacional", data=data,
                         created_by="dps@test.local", created_at=taken_on)
    db.add(row)
    db.commit()
    return row


def test_core_refuses_the_current_and_future_months(db, scenario):
    with time_machine.travel(ON_NOV_4, tick=False):
        with pytest.raises(ValidationError) as current:
            build_snapshot(db, NOV)
        assert current.value.message == ("Noviembre de 2026 todavía no termina: solo se guarda el informe de un "
                                         "mes ya terminado. Podrá guardarse a partir del 1 de diciembre de 2026.")
        with pytest.raises(ValidationError, match="todavía no empieza"):
            build_month_snapshots(db, DEC)
        with pytest.raises(ValidationError):  # a closed month, but computed as of a day inside it
            build_snapshot(db, OCT, as_of=date(2026, 10, 20))
        db.rollback()
        snap, created = build_snapshot(db, OCT)  # October has ended: fine
        db.commit()
    assert created and not snapshot_is_partial(snap)
    assert count(db, ReportSnapshot) == 1


def test_cli_refuses_an_open_month_in_spanish(app, db, scenario):
    with time_machine.travel(ON_NOV_4, tick=False):
        result = _cli(app, "report", "snapshot", "--month", "2026-11")
        assert result.exit_code == 2
        assert "Noviembre de 2026 todavía no termina" in result.output
        future = _cli(app, "report", "snapshot", "--month", "2027-01")
        assert future.exit_code == 2 and "todavía no empieza" in future.output
        assert count(db, ReportSnapshot) == 0
        # the live report of the open month is still available
        assert _cli(app, "report", "monthly", "--month", "2026-11").exit_code == 0


def test_page_refuses_an_open_month(client, db, make, scenario):
    dps = make.user("participacion_social")
    with time_machine.travel(ON_NOV_4, tick=False):
        login(client, dps)
        resp = client.post("/informe/instantaneas", data={"mes": "2026-11",
                                                          "csrf_token": csrf(client, "/informe/instantaneas")})
        assert resp.status_code == 302
        page = client.get(resp.headers["Location"]).get_data(as_text=True)
        assert "Noviembre de 2026 todavía no termina" in page
        assert count(db, ReportSnapshot) == 0


def test_scheduled_job_refuses_an_open_month(db, scenario):
    from workers.tasks import TASKS

    with time_machine.travel(ON_NOV_4, tick=False), pytest.raises(ValidationError, match="todavía no termina"):
        TASKS["build_monthly_report"](month="2026-11")
    assert count(db, ReportSnapshot) == 0


def test_month_end_job_rebuilds_a_partial_snapshot_once(db, make, scenario):
    from workers.tasks import TASKS

    # On Nov 4 someone froze November by hand (an earlier version allowed it); more cases come later.
    partial = _partial_snapshot(db, NOV, datetime(2026, 11, 4, 16, tzinfo=UTC))
    late = make.case(estado_clave="14")
    late.created_at = at(11, 20)
    db.commit()
    assert snapshot_is_partial(partial) and find(db, NOV) is None

    with time_machine.travel(ON_DEC_1, tick=False):
        assert TASKS["build_monthly_report"]() == 33  # November: national + 32 estados, partial replaced
        assert TASKS["build_monthly_report"]() == 0  # idempotent
    db.expire_all()
    rows = list(db.scalars(select(ReportSnapshot).where(ReportSnapshot.month == "2026-11",
                                                        ReportSnapshot.scope == "nacional")))
    assert len(rows) == 1 and not snapshot_is_partial(rows[0])  # the partial one is gone
    assert rows[0].data["total"] == build_report(db, NOV, as_of=date(2026, 12, 1))["total"]
    assert rows[0].data["total"]["casos_registrados"] == 1  # the late case; not the partial 3
    assert rows[0].created_by == "scheduler" and rows[0].data["al_dia"] == "2026-12-01"
    assert rows[0].created_at == datetime(2026, 12, 1, 12, tzinfo=UTC)


def test_month_end_job_also_rebuilds_partial_snapshots_of_earlier_months(db, scenario):
    from workers.tasks import TASKS

    _partial_snapshot(db, OCT, datetime(2026, 10, 4, 16, tzinfo=UTC), estado="14")
    with time_machine.travel(ON_DEC_1, tick=False):
        assert TASKS["build_monthly_report"]() == 33 + 1  # November, and October's partial JAL one
    db.expire_all()
    oct_jal = find(db, OCT, "14")
    assert oct_jal is not None and oct_jal.data["total"]["casos_registrados"] == 8
    assert db.scalar(select(func.count()).select_from(ReportSnapshot).where(ReportSnapshot.month == "2026-10")) == 1


def test_page_rebuilds_a_partial_snapshot_of_a_closed_month(client, db, make, scenario):
    _partial_snapshot(db, OCT, datetime(2026, 10, 4, 16, tzinfo=UTC))
    dps = make.user("participacion_social")
    with time_machine.travel(ON_NOV_4, tick=False):
        login(client, dps)
        listing = client.get("/informe/instantaneas").get_data(as_text=True)
        assert 'data-testid="snapshot-partial"' in listing
        resp = client.post("/informe/instantaneas", data={"mes": "2026-10",
                                                          "csrf_token": csrf(client, "/informe/instantaneas")})
        page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Se volvió a guardar el informe de octubre 2026" in page
    assert count(db, ReportSnapshot) == 1
    snap = find(db, OCT)
    assert snap.data["total"]["casos_registrados"] == 12 and snap.created_by == dps.email


def test_trend_never_reads_a_partial_snapshot(db, scenario):
    _partial_snapshot(db, OCT, datetime(2026, 10, 4, 16, tzinfo=UTC))
    with time_machine.travel("2026-12-15 10:00:00-06:00", tick=False):
        trend = {row["mes"]: row for row in build_report(db, DEC)["tendencia"]}
    assert trend["2026-10"]["fuente"] == "calculado"
    assert trend["2026-10"]["casos_registrados"] == 12  # the whole month, not the partial figure
