"""REPORTS_DATABASE_URL: the dashboard's figures are read from that database (a read replica in
production), while logging in and the export's audit record stay on DATABASE_URL."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

from sqlalchemy import select

from core.actors import BOT
from core.db import session_factory
from core.migrate import upgrade
from core.models import AuditEvent
from core.reports.calendar import ensure_calendar
from core.services import cases as svc
from core.timeutil import clock_at
from tests.reports.helpers import chart_data
from tests.support.web import login


def test_the_dashboard_reads_the_report_database(settings, db, make, tmp_path):
    from backoffice.app import create_app

    replica = f"sqlite:///{tmp_path / 'replica.db'}"
    upgrade(replica)
    with session_factory(replica)() as other, clock_at(datetime(2026, 10, 7, 16, tzinfo=UTC)):
        for _ in range(3):  # three cases only the "replica" holds
            svc.register_case(other, BOT, tipo="sugerencia", canal="sms", estado_clave="14",
                              description="Que abran más temprano", route=False)
        ensure_calendar(other, date(2026, 10, 31))  # what replication of the primary would bring
        other.commit()
    with clock_at(datetime(2026, 10, 8, 16, tzinfo=UTC)):
        make.case("queja", "14")  # one case only the primary holds
    dps = make.user("participacion_social")  # the account exists on the primary only

    plain = create_app(settings, TESTING=True, RATELIMIT_ENABLED=False).test_client()
    login(plain, dps)
    data = chart_data(plain.get("/informe/?mes=2026-10").get_data(as_text=True))
    assert data["report"]["total"]["casos_registrados"] == 1  # without the setting: the primary

    app = create_app(dataclasses.replace(settings, reports_database_url=replica), TESTING=True,
                     RATELIMIT_ENABLED=False)
    client = app.test_client()
    login(client, dps)
    data = chart_data(client.get("/informe/?mes=2026-10").get_data(as_text=True))
    assert data["report"]["total"]["casos_registrados"] == 3
    assert client.get("/informe/exportar?mes=2026-10&formato=csv").status_code == 200
    db.expire_all()
    assert db.scalar(select(AuditEvent.id).where(AuditEvent.action == "exportacion").limit(1)) is not None
