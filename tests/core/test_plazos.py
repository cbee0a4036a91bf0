"""Business-day arithmetic across weekends, holidays and year ends."""

from datetime import date

from core.models import Holiday
from core.plazos import BusinessCalendar, calendar, plazo_for, set_plazo


def test_weekends_skipped():
    cal = BusinessCalendar()
    assert cal.add(date(2026, 11, 27), 1) == date(2026, 11, 30)  # Friday -> Monday
    assert cal.add(date(2026, 11, 23), 10) == date(2026, 12, 7)


def test_official_holidays_skipped():
    cal = BusinessCalendar()
    # 2026-11-16 is the third Monday of November (Revolución)
    assert not cal.is_business_day(date(2026, 11, 16))
    assert cal.add(date(2026, 11, 13), 1) == date(2026, 11, 17)
    # Christmas and New Year across the year end
    assert cal.add(date(2026, 12, 24), 2) == date(2026, 12, 29)
    assert cal.add(date(2026, 12, 31), 1) == date(2027, 1, 4)


def test_admin_extra_days(db):
    db.add(Holiday(fecha=date(2026, 12, 28), descripcion="Cierre de oficinas"))
    db.flush()
    assert calendar(db).add(date(2026, 12, 24), 2) == date(2026, 12, 30)


def test_between_counts_business_days():
    cal = BusinessCalendar()
    assert cal.between(date(2026, 11, 20), date(2026, 11, 23)) == 1
    assert cal.between(date(2026, 11, 23), date(2026, 11, 23)) == 0
    assert cal.between(date(2026, 11, 13), date(2026, 11, 20)) == 4  # holiday on the 16th


def test_plazo_defaults_and_settings(db):
    assert plazo_for(db, "queja") == 10
    assert plazo_for(db, "sugerencia") == 15
    assert plazo_for(db, "solicitud_informacion") == 5
    assert plazo_for(db, "queja", devolucion=True) == 5
    set_plazo(db, "queja", 7)
    assert plazo_for(db, "queja") == 7


def test_due_date_counts_from_the_mexico_city_day_with_frozen_time(db):
    """Turned at 23:30 in Mexico City on 31 Dec (05:30 UTC on 1 Jan): day 0 is 31 Dec."""
    from datetime import datetime

    import time_machine

    from core.timeutil import MX_TZ, today_mx

    with time_machine.travel(datetime(2026, 12, 31, 23, 30, tzinfo=MX_TZ), tick=False):
        start = today_mx()
        assert start == date(2026, 12, 31)
        # 1 Jan holiday, weekend, then 4-8 Jan
        assert calendar(db).add(start, 5) == date(2027, 1, 8)


def test_constitution_and_juarez_mondays_are_skipped():
    cal = BusinessCalendar()
    assert not cal.is_business_day(date(2027, 2, 1))  # first Monday of February
    assert not cal.is_business_day(date(2027, 3, 15))  # third Monday of March
    assert cal.add(date(2027, 1, 29), 1) == date(2027, 2, 2)
    assert cal.add(date(2027, 3, 12), 1) == date(2027, 3, 16)
