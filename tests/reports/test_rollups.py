"""Issue 22 item 1, third round: the report's figures of ended months are stored
(core.reports.rollups, migration 0022) and read back while nothing they count has changed.
Every step below goes through the real services (registering, filing a FUR, sending back,
accepting, reopening, reassigning) or changes what the report reads by other ways (a holiday, a
row moved by hand), and after each one the report read with the stored figures must be the
report computed live, national and per state."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, text, update

from core.models import Holiday, ReportRollup, ReportRollupMonth, Volante
from core.reports import Month, build_report, figures, rollups
from core.services import cases as svc
from core.services.reopen import reopen_case
from core.timeutil import clock_at, today_mx

SEP, OCT, NOV = Month(2026, 9), Month(2026, 10), Month(2026, 11)
AS_OF = date(2026, 12, 7)


def at(month: int, day: int, hour: int = 16) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@pytest.fixture
def computed(monkeypatch):
    """The windows month_parts and compute were asked for (what was not read from the store)."""
    seen: list[tuple[str, list[str]]] = []
    parts, trend = figures.month_parts, figures.compute

    def month_parts(session, window, *args, **kw):
        seen.append(("meses", [m.key for m in window.months]))
        return parts(session, window, *args, **kw)

    def compute(session, window, *args, **kw):
        seen.append(("tendencia", [m.key for m in window.months]))
        return trend(session, window, *args, **kw)

    monkeypatch.setattr(figures, "month_parts", month_parts)
    monkeypatch.setattr(figures, "compute", compute)
    return seen


def _same_as_live(db, monkeypatch, month: Month = NOV, estado: str | None = None, computed=None) -> dict:
    """The report with the stored figures (storing what was missing), then computed live: equal.
    `computed` (the fixture's list) keeps only what the first, stored, report computed."""
    stored = build_report(db, month, estado=estado, as_of=AS_OF)
    db.commit()
    kept = list(computed or [])
    with monkeypatch.context() as m:
        m.setattr(rollups, "code_fingerprint", lambda: None)  # no stored figure read or written
        live = build_report(db, month, estado=estado, as_of=AS_OF)
    db.rollback()
    if computed is not None:
        computed[:] = kept
    stored.pop("generado"), live.pop("generado")
    assert stored == live
    return stored


def _check(db, monkeypatch) -> None:
    for estado in (None, "14", "09"):
        _same_as_live(db, monkeypatch, NOV, estado)
        _same_as_live(db, monkeypatch, OCT, estado)


def test_stored_months_follow_every_change(db, make, monkeypatch, computed):
    vin, jal = make.user("vinculacion"), make.enlace("14")
    va, ej = make.actor(vin), make.actor(jal)
    with clock_at(at(9, 10)):
        early = make.case("queja", "14")
    with clock_at(at(10, 5)):
        a = make.case("queja", "14")
        b = make.case("cobro_injustificado", "14", canal="sms")
    with clock_at(at(9, 14)):
        svc.save_fur(db, early.open_volante, ej, make.fur_data(), submit=True)
        db.commit()
    assert rollups.code_fingerprint()  # the report code is on disk: figures are stored
    _check(db, monkeypatch)
    stored = db.scalar(select(func.count()).select_from(ReportRollup))
    assert stored >= 2 * 3 * 2  # both months of each report, three scopes, two report months

    computed.clear()
    report = _same_as_live(db, monkeypatch, computed=computed)
    assert computed == []  # nothing changed: every month read back
    assert report["total"]["casos_registrados"] == 0 and report["total_anterior"]["casos_registrados"] == 2

    # a FUR filed in October: October is computed again, September's trend total is not
    with clock_at(at(10, 9)):
        svc.save_fur(db, a.open_volante, ej, make.fur_data(), submit=True)
        db.commit()
    computed.clear()
    report = _same_as_live(db, monkeypatch, computed=computed)
    assert ("meses", ["2026-10", "2026-11"]) in computed or ("meses", ["2026-10"]) in computed
    assert not [w for kind, w in computed if kind == "tendencia"]
    assert report["total_anterior"]["volantes_respondidos"] == 1
    _check(db, monkeypatch)

    # sent back and filed again in November, accepted; the September case accepted in October
    with clock_at(at(11, 3)):
        svc.send_back(db, a, va, "Ampliar gestión: falta la constancia.")
        db.commit()
    with clock_at(at(11, 4)):
        svc.save_fur(db, a.open_volante, ej, make.fur_data(resultado="no_favorable"), submit=True)
        db.commit()
    with clock_at(at(11, 5)):
        svc.accept_fur(db, a, va)
        db.commit()
    with clock_at(at(10, 20)):
        svc.accept_fur(db, early, va)
        db.commit()
    _check(db, monkeypatch)
    report = _same_as_live(db, monkeypatch)
    assert report["total"]["concluidos"] == 1 and report["total"]["volantes_devueltos"] == 1

    # reopened in November, then the cobro reassigned to Ciudad de México
    with clock_at(at(11, 10)):
        reopen_case(db, a, va, "La persona afiliada volvió a escribir: no la atendieron.")
        db.commit()
    with clock_at(at(11, 12)):
        svc.reassign_estado(db, b, va, "09", "Se atendió en la Ciudad de México.")
        db.commit()
    _check(db, monkeypatch)
    assert _same_as_live(db, monkeypatch)["total"]["reaperturas"] == 1

    # an extra holiday changes every business-day count; the report rebuilds its calendar
    db.add(Holiday(fecha=date(2026, 10, 7), descripcion="Asueto"))
    db.commit()
    _check(db, monkeypatch)

    # a row moved by hand, as the report tests do: the sending goes back to September
    db.execute(update(Volante).where(Volante.id == b.volantes[0].id).values(sent_at=at(9, 30)))
    db.commit()
    _check(db, monkeypatch)
    assert _same_as_live(db, monkeypatch, OCT)["total_anterior"]["volantes_abiertos"] == 2


def test_a_change_committed_while_the_report_computes_is_not_lost(db, make, monkeypatch, is_postgres,
                                                                   settings):
    """The generation is read before the month's rows: a change committed in between leaves what
    the report stores behind, and the next report computes that month again. (SQLite serialises
    writers: nothing commits while a report that stores is open, so this is PostgreSQL's case.)"""
    if not is_postgres:
        pytest.skip("SQLite serialises writers")
    from core.db import session_factory

    with clock_at(at(10, 5)):
        case = make.case("queja", "14")
    build_report(db, NOV, as_of=AS_OF)
    db.commit()
    db.execute(update(Volante).where(Volante.case_id == case.id).values(plazo_dias=12))
    db.commit()  # October's stored figures are now stale: the report computes it again …
    parts = figures.month_parts

    def meanwhile(session, window, *args, **kw):  # … and once it has read the rows, another writer commits
        found = parts(session, window, *args, **kw)
        with session_factory(settings.database_url)() as other:
            other.execute(update(Volante).where(Volante.case_id == case.id).values(sent_at=at(11, 2)))
            other.commit()
        return found

    monkeypatch.setattr(figures, "month_parts", meanwhile)
    build_report(db, NOV, as_of=AS_OF)
    db.commit()
    monkeypatch.setattr(figures, "month_parts", parts)
    report = _same_as_live(db, monkeypatch)
    assert report["total"]["volantes_abiertos"] == 1 and report["total_anterior"]["volantes_abiertos"] == 0


def test_a_report_in_the_writers_own_transaction_counts_its_change(db, make):
    """A change not yet committed is the report's own transaction's: its months are computed
    (on PostgreSQL the triggers count them only at commit)."""
    with clock_at(at(10, 5)):
        case = make.case("queja", "14")
    build_report(db, NOV, as_of=AS_OF)
    db.commit()
    db.execute(update(Volante).where(Volante.case_id == case.id).values(sent_at=at(11, 2)))
    report = build_report(db, NOV, as_of=AS_OF)
    assert report["total"]["volantes_abiertos"] == 1 and report["total_anterior"]["volantes_abiertos"] == 0
    db.rollback()


def test_open_months_are_not_stored(db, make, monkeypatch):
    """The month the report is read in is computed live every time, and a report read on a day
    inside a month (as_of) stores nothing of it: its vencidos still move."""
    with clock_at(at(11, 20)):
        make.case("queja", "14")
    build_report(db, NOV, as_of=date(2026, 11, 25))
    db.commit()
    assert db.scalar(select(func.count()).select_from(ReportRollup).where(ReportRollup.month == NOV.key)) == 0
    current = Month.of(today_mx())
    build_report(db, current)
    db.commit()
    assert db.scalar(select(func.count()).select_from(ReportRollup).where(ReportRollup.month == current.key)) == 0


def test_triggers_count_the_months_a_change_touches(db, make):
    """The generation of a month moves with the rows counted in it, and only with those."""
    with clock_at(at(10, 5)):
        case = make.case("queja", "14")
    build_report(db, NOV, as_of=AS_OF)
    db.commit()

    def generations() -> dict:
        return dict(db.execute(select(ReportRollupMonth.month, ReportRollupMonth.generation)).all())

    before = generations()
    db.execute(text("UPDATE cases SET updated_at = updated_at WHERE id = :id"), {"id": case.id})
    db.execute(update(type(case)).where(type(case).id == case.id).values(description="Otra descripción"))
    db.commit()
    assert generations() == before  # not a column the report reads
    db.execute(update(Volante).where(Volante.case_id == case.id).values(plazo_dias=11))
    db.commit()
    after = generations()
    assert after["2026-10"] == before["2026-10"] + 1 and after.get("2026-11") == before.get("2026-11")
    make.case("queja", "14")  # a case registered today: its month is open, nothing counted
    if (today_mx() + timedelta(days=3)).month == today_mx().month:  # (the triggers count a month's last two days)
        assert Month.of(today_mx()).key not in generations()


def test_migration_needs_no_backfill(tmp_path):
    """A database filled before 0022 gets the tables and triggers; the first report stores its
    ended months, and reading them back gives the live figures."""
    from bench.generate import generate
    from core.db import session_factory
    from core.migrate import downgrade, upgrade

    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url, "0021")
    generate(url, 1500, today=date(2026, 12, 7), progress=False)
    upgrade(url)
    Session = session_factory(url)
    with Session() as s:
        first = build_report(s, NOV, as_of=AS_OF)
        s.commit()
        assert s.scalar(select(func.count()).select_from(ReportRollup)) == 12  # two months, ten of trend
        again = build_report(s, NOV, as_of=AS_OF)
        first.pop("generado"), again.pop("generado")
        assert again == first and first["total"]["casos_registrados"] > 0
        s.execute(update(Volante).where(Volante.id == 1).values(plazo_dias=3))  # a change after the upgrade
        s.commit()
        assert s.scalar(select(func.sum(ReportRollupMonth.generation))) > 0
    downgrade(url, "0021")
    with Session() as s:
        names = {row[0] for row in s.execute(text("SELECT name FROM sqlite_master WHERE name LIKE 'report_rollup%'"))}
        assert names == set()
        s.execute(update(Volante).where(Volante.id == 1).values(plazo_dias=4))  # no trigger left behind
        s.commit()


def _migration():
    import importlib.util
    from pathlib import Path

    import core.migrate

    path = Path(core.migrate.MIGRATIONS) / "versions" / "0022_report_rollups.py"
    spec = importlib.util.spec_from_file_location("migration_0022", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_triggers_watch_every_date_and_column_the_stored_figures_read():
    """A new event on another date, or a case figure reading another column, must be added to
    the triggers (migration 0022 or a later one), or its stored month would not follow it."""
    from sqlalchemy.sql import visitors

    from core.models import Case, Reopening
    from core.reports import events

    mig = _migration()
    dates = {"volantes": {*mig.VOLANTE_TIMES, *mig.VOLANTE_DATES}, "cases": set(mig.CASE_TIMES),
             "reopenings": set(mig.REOPENING_TIMES)}
    every = (*events.volante_events(events.Window(NOV, NOV)), *events.case_events(events.Window(NOV, NOV)),
             *events.reopening_events(events.Window(NOV, NOV)), figures._TOPICS)
    for event in every:
        assert event.at.key in dates[event.at.table.name], event.name
        read = [event.where, *[v for _n, v in event.figures]]
        columns = {c for expr in read if expr is not None and not isinstance(expr, bool)
                   for part in (expr if isinstance(expr, tuple) else (expr,)) if part is not True
                   for c in visitors.iterate(part) if getattr(c, "table", None) is Case.__table__}
        assert {c.key for c in columns} <= set(mig.CASE_COLUMNS), event.name
    assert Reopening.__table__.name in dates
