"""The SQL building blocks: the business-day table agrees with core.plazos, and the portable
percentiles agree with numpy's linear interpolation (PostgreSQL's percentile_cont)."""

from __future__ import annotations

import random
from datetime import date, timedelta

import numpy as np
from sqlalchemy import Integer, String, literal, select, union_all

from core.models import BusinessDay, Holiday
from core.plazos import BusinessCalendar
from core.reports.calendar import ensure_calendar
from core.reports.sql import percentiles


def test_business_days_table_matches_the_calendar(db):
    db.add(Holiday(fecha=date(2026, 10, 12), descripcion="Asueto"))
    db.commit()
    ensure_calendar(db, date(2026, 12, 31))
    db.commit()
    ordinal = dict(db.execute(select(BusinessDay.fecha, BusinessDay.ordinal)).all())
    cal = BusinessCalendar({date(2026, 10, 12)})
    rnd = random.Random(8)
    for _ in range(300):
        a = date(2025, 1, 1) + timedelta(days=rnd.randrange(700))
        b = a + timedelta(days=rnd.randrange(60))
        assert ordinal[b] - ordinal[a] == cal.between(a, b), (a, b)
    assert ordinal[date(2026, 9, 17)] - ordinal[date(2026, 9, 14)] == 2  # Sept 16 (official)


def test_calendar_rebuilds_when_a_holiday_is_added(db):
    ensure_calendar(db, date(2026, 12, 31))
    db.commit()
    before = db.get(BusinessDay, date(2026, 10, 13)).ordinal
    db.add(Holiday(fecha=date(2026, 10, 12), descripcion="Asueto"))
    db.commit()
    ensure_calendar(db, date(2026, 12, 31))
    db.commit()
    db.expire_all()
    assert db.get(BusinessDay, date(2026, 10, 12)).is_business is False
    assert db.get(BusinessDay, date(2026, 10, 13)).ordinal == before - 1


def _values_subquery(rows):
    parts = [select(literal(k, String).label("k"), literal(d, Integer).label("d")) for k, d in rows]
    return union_all(*parts).subquery()


def test_percentiles_match_numpy_linear_interpolation(db):
    rnd = random.Random(3)
    groups = {f"g{i}": [rnd.randrange(0, 30) for _ in range(rnd.randrange(1, 25))] for i in range(6)}
    rows = [(k, d) for k, values in groups.items() for d in values]
    found = percentiles(db, _values_subquery(rows))
    assert set(found) == set(groups)
    for key, values in groups.items():
        assert found[key]["n"] == len(values)
        assert found[key]["mediana"] == round(float(np.percentile(values, 50)), 2)
        assert found[key]["p90"] == round(float(np.percentile(values, 90)), 2)


def test_calendar_only_grows(db):
    ensure_calendar(db, date(2026, 12, 31))
    db.commit()
    ensure_calendar(db, date(2031, 6, 30))  # a later year widens the table
    db.commit()
    ordinal = dict(db.execute(select(BusinessDay.fecha, BusinessDay.ordinal)).all())
    assert max(ordinal) == date(2032, 12, 31)
    ensure_calendar(db, date(2026, 12, 31))  # asking for less keeps it (no rebuild ping-pong)
    db.commit()
    db.expire_all()
    assert dict(db.execute(select(BusinessDay.fecha, BusinessDay.ordinal)).all()) == ordinal
