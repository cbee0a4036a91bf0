"""Reminders to the enlace, escalation to vinculación, vencido — with frozen time."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from core import notifications as notif
from core import reminders
from core.models import Case, Holiday, Notification, Volante
from core.plazos import BusinessCalendar
from core.services import cases as svc
from tests.plazos.conftest import mx_time
from workers import notify


def _kinds(db) -> list[tuple[int, str, str]]:
    db.expire_all()
    return sorted((n.user_id, n.kind, n.dedupe_key.split(":")[2])
                  for n in db.scalars(select(Notification).where(Notification.kind.in_(
                      [notif.RECORDATORIO, notif.ESCALAMIENTO]))))


def _setup(make):
    enlace = make.enlace("14")
    vinc = make.user("vinculacion")
    with mx_time(2026, 11, 20, 10):  # Friday
        case = make.case("queja", "14")
    return enlace, vinc, case


def test_due_date_of_a_queja_turned_on_friday(db, make):
    _, _, case = _setup(make)
    # 10 business days after Friday 20 Nov 2026 -> Friday 4 Dec 2026
    assert case.open_volante.due_date == date(2026, 12, 4)
    assert case.open_volante.plazo_dias == 10


def test_turned_late_at_night_counts_from_the_mexico_city_day(db, make):
    make.enlace("14")
    with mx_time(2026, 11, 20, 23, 30):  # 05:30 UTC on Saturday 21
        case = make.case("solicitud_informacion", "14", amerita_gestion=True)
    # 5 business days after Friday 20 -> Friday 27
    assert case.open_volante.due_date == date(2026, 11, 27)


def test_due_date_across_christmas_and_new_year(db, make):
    make.enlace("14")
    with mx_time(2026, 12, 23, 9):
        case = make.case("queja", "14")
    # 24, 28, 29, 30, 31 Dec (25 Dec and 1 Jan are official holidays), 4-8 Jan
    assert case.open_volante.due_date == date(2027, 1, 8)


def test_due_date_skips_admin_extra_day_and_revolution_day(db, make):
    make.enlace("14")
    db.add(Holiday(fecha=date(2026, 11, 18), descripcion="Cierre administrativo"))
    db.commit()
    with mx_time(2026, 11, 13, 12):  # Friday before the 3rd Monday of November (holiday)
        case = make.case("solicitud_informacion", "14", amerita_gestion=True)
    # 17, 19, 20, 23, 24 (16 official holiday, 18 admin extra day)
    assert case.open_volante.due_date == date(2026, 11, 24)


def test_reminders_fire_two_business_days_before_and_on_due_day_once(db, make):
    enlace, _vinc, case = _setup(make)
    with mx_time(2026, 12, 1, 8):  # Tuesday: 3 business days before
        assert notify.send_reminders() == 0
    with mx_time(2026, 12, 2, 8):  # Wednesday: 2 business days before
        assert notify.send_reminders() == 1
        assert notify.send_reminders() == 0  # run twice: nothing twice
    with mx_time(2026, 12, 3, 8):  # Thursday: catch-up window, already sent
        assert notify.send_reminders() == 0
    with mx_time(2026, 12, 4, 8):  # due day
        assert notify.send_reminders() == 1
        assert notify.send_reminders() == 0
    assert _kinds(db) == [(enlace.id, "recordatorio", "previo"), (enlace.id, "recordatorio", "vence_hoy")]
    texts = [n.text for n in db.scalars(select(Notification).order_by(Notification.id))]
    assert "vence el viernes 4 de diciembre de 2026" in texts[0]
    assert case.folio in texts[1] and "vence hoy" in texts[1]


def test_reminder_before_a_weekend_goes_out_on_friday(db, make):
    enlace = make.enlace("14")
    with mx_time(2026, 11, 24, 10):  # Tuesday
        case = make.case("solicitud_informacion", "14", amerita_gestion=True)
    assert case.open_volante.due_date == date(2026, 12, 1)  # Tuesday next week
    with mx_time(2026, 11, 27, 8):  # Friday: Mon 30 and Tue 1 are the 2 business days left
        assert notify.send_reminders() == 1
    with mx_time(2026, 11, 28, 8):  # Saturday: nothing happens on non-business days
        assert reminders.reminders_due(db, date(2026, 11, 28)) == []
    assert _kinds(db) == [(enlace.id, "recordatorio", "previo")]


def test_escalation_once_after_due_and_not_on_weekends(db, make):
    _enlace, vinc, case = _setup(make)
    other_vinc = make.user("vinculacion")
    with mx_time(2026, 12, 4, 9):  # due day: not yet vencido
        assert notify.escalate_overdue() == 0
    with mx_time(2026, 12, 5, 9):  # Saturday
        assert notify.escalate_overdue() == 0
    with mx_time(2026, 12, 7, 9):  # Monday: vencido
        assert notify.escalate_overdue() == 2  # both vinculación users
        assert notify.escalate_overdue() == 0
    with mx_time(2026, 12, 8, 9):
        assert notify.escalate_overdue() == 0
    assert _kinds(db) == sorted([(vinc.id, "escalamiento", "vencido"), (other_vinc.id, "escalamiento", "vencido")])
    text = db.scalar(select(Notification.text).where(Notification.user_id == vinc.id))
    assert case.folio in text and "Jalisco" in text and "1 día hábil de atraso" in text


def test_paused_volante_gets_no_reminder_and_is_not_vencido(db, make):
    enlace, vinc, case = _setup(make)
    actor = make.actor(vinc)
    with mx_time(2026, 12, 1, 9):
        svc.pause_clock(db, case, actor, "Esperamos la copia del recibo del afiliado")
        db.commit()
    with mx_time(2026, 12, 2, 8):
        assert notify.send_reminders() == 0
    with mx_time(2026, 12, 9, 8):
        assert notify.escalate_overdue() == 0
        volante = db.get(Volante, case.open_volante.id)
        assert not reminders.is_vencido(volante, date(2026, 12, 9))
        # resuming moves the due date by the 6 business days paused (2-9 Dec)
        svc.resume_clock(db, case, actor)
        db.commit()
    assert case.open_volante.due_date == date(2026, 12, 14)
    with mx_time(2026, 12, 10, 8):  # 2 business days before the new due date
        assert notify.send_reminders() == 1
    assert _kinds(db) == [(enlace.id, "recordatorio", "previo")]


def test_answered_round_is_not_reminded_nor_vencido(db, make):
    make.user("vinculacion")
    with mx_time(2026, 11, 20, 10):
        case = make.filed_case("queja", "14")
    with mx_time(2026, 12, 4, 8):
        assert notify.send_reminders() == 0
    with mx_time(2026, 12, 10, 8):
        # the enlace's round is not vencido; only the national review is late (core.review_clock)
        assert notify.escalate_overdue() == 1
    assert _kinds(db) == []
    assert db.scalar(select(Notification.kind)) == notif.REVISION_VENCIDA
    assert reminders.due_status(case.volantes[-1], date(2026, 12, 10), BusinessCalendar()) is None


def test_sent_back_round_gets_its_own_due_date_and_reminders(db, make):
    enlace = make.enlace("14")
    vinc = make.user("vinculacion")
    with mx_time(2026, 11, 20, 10):
        case = make.filed_case("queja", "14")
    with mx_time(2026, 11, 23, 10):
        svc.send_back(db, case, make.actor(vinc), "Falta la fecha de la cita")
        db.commit()
    second = case.open_volante
    assert second.numero == 2 and second.due_date == date(2026, 11, 30)  # 5 business days
    with mx_time(2026, 11, 26, 8):
        assert notify.send_reminders() == 1
    note = db.scalar(select(Notification).where(Notification.kind == notif.RECORDATORIO))
    assert note.volante_id == second.id and "(vuelta 2)" in note.text
    assert note.user_id == enlace.id


def test_volante_without_enlace_reminds_every_enlace_of_the_estado(db, make):
    with mx_time(2026, 11, 20, 10):
        case = make.case("queja", "14")  # no enlace existed yet
    assert case.open_volante.enlace_id is None
    a, b = make.enlace("14"), make.enlace("14")
    make.enlace("09")  # another estado: never
    with mx_time(2026, 12, 2, 8):
        assert notify.send_reminders() == 2
    assert {uid for uid, _, _ in _kinds(db)} == {a.id, b.id}


def test_vencido_python_and_sql_agree(db, make):
    _, vinc, case = _setup(make)
    with mx_time(2026, 11, 23, 10):
        paused = make.case("queja", "14")
        svc.pause_clock(db, paused, make.actor(vinc), "Esperamos documentos")
        answered = make.filed_case("queja", "14")
        db.commit()
    cal = BusinessCalendar()
    for day, expected in [(date(2026, 12, 4), set()), (date(2026, 12, 7), {case.id}),
                          (date(2027, 1, 15), {case.id})]:
        sql = set(db.scalars(select(Volante.case_id).where(reminders.vencido_clause(day))))
        py = {v.case_id for v in db.scalars(select(Volante)) if reminders.is_vencido(v, day)}
        cases = set(db.scalars(select(Case.id).where(reminders.case_vencido_clause(day))))
        assert sql == py == cases == expected
    assert answered.id not in cases and paused.id not in cases
    volante = case.open_volante
    assert reminders.due_status(volante, date(2026, 12, 1), cal) == "en_plazo"
    assert reminders.due_status(volante, date(2026, 12, 2), cal) == "por_vencer"
    assert reminders.due_status(volante, date(2026, 12, 4), cal) == "vence_hoy"
    assert reminders.due_status(volante, date(2026, 12, 7), cal) == "vencido"
    assert reminders.dias_de_atraso(volante, date(2026, 12, 9), cal) == 3
    assert db.scalar(select(func.count(Notification.id))) == 0
