"""A day declared non-working after a plazo was set (core.services.non_working_days,
docs/plazos.md): both clocks — the enlace's plazo and Vinculación's review — move a due day
that counted it one business day forward, so they remind on the new day and are late only after
it; rounds that had not counted it stay; removing the day brings nothing earlier. Frozen time,
the real admin page and jobs."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from core import notifications as notif
from core import reminders, review_clock
from core.lifecycle import CaseEvent
from core.models import AuditEvent, Holiday, Notification
from core.plazos import calendar
from core.services import cases as svc
from core.services.non_working_days import add_non_working_day, remove_non_working_day
from core.timeutil import today_mx
from tests.plazos.conftest import filed_today, mx_time
from tests.support.web import csrf, login, text
from workers import notify


def _notes(db) -> list[tuple[str, str]]:
    """(kind, due date) of every reminder and escalation so far, oldest first."""
    db.expire_all()
    return [(n.dedupe_key.split(":")[2], n.dedupe_key.split(":")[3]) for n in db.scalars(
        select(Notification).where(Notification.kind.in_([
            notif.RECORDATORIO, notif.ESCALAMIENTO, notif.REVISION_POR_VENCER, notif.REVISION_VENCIDA]))
        .order_by(Notification.id))]


def test_a_due_day_that_becomes_a_holiday_moves_both_clocks_to_the_next_business_day(client, db, make):
    make.enlace("14")
    make.user("vinculacion")
    admin = make.user("admin")
    with mx_time(2026, 12, 1, 10):  # Tuesday: 5 business days -> Tuesday 8 Dec
        asked = make.case("solicitud_informacion", "14", amerita_gestion=True)
    with mx_time(2026, 12, 3, 10):  # Thursday: the review's 3 business days -> Tuesday 8 Dec
        filed = filed_today(make)
    volante, reviewed = asked.open_volante, filed.volantes[-1]
    assert (volante.due_date, reviewed.review_due_date) == (date(2026, 12, 8), date(2026, 12, 8))
    with mx_time(2026, 12, 4, 8):  # Friday: the enlace's reminder two business days ahead
        assert notify.send_reminders() == 1

    with mx_time(2026, 12, 4, 12):  # then an admin closes the offices on Tuesday 8
        login(client, admin)
        resp = client.post("/admin/dias-inhabiles", follow_redirects=True, data={
            "csrf_token": csrf(client, "/admin/dias-inhabiles"), "fecha": "2026-12-08",
            "descripcion": "Cierre de oficinas"})
    assert resp.status_code == 200
    assert "Se recorrió 1 día hábil el vencimiento de 2 volantes o revisiones" in text(resp)
    db.expire_all()
    assert (volante.due_date, reviewed.review_due_date) == (date(2026, 12, 9), date(2026, 12, 9))
    for case, plazo in ((asked, "enlace"), (filed, "revision")):
        event = db.scalar(select(AuditEvent).where(AuditEvent.case_id == case.id,
                                                   AuditEvent.action == CaseEvent.VENCIMIENTO_RECORRIDO))
        assert event.data == {"volante": 1, "plazo": plazo, "dia_inhabil": "2026-12-08",
                              "de": "2026-12-08", "a": "2026-12-09"}
        assert "vencía el 08/12/2026 y ahora vence el 09/12/2026" in event.reason

    with mx_time(2026, 12, 7, 8):  # Monday: one business day before the new due day, for both
        assert notify.send_reminders() == 2
    with mx_time(2026, 12, 8, 9):  # the holiday: nothing, and nobody is late
        assert notify.send_reminders() == 0 and notify.escalate_overdue() == 0
    with mx_time(2026, 12, 9, 9):  # the new due day: «vence hoy» for both, still in time
        assert notify.send_reminders() == 2 and notify.escalate_overdue() == 0
        db.expire_all()
        assert not reminders.is_vencido(volante, today_mx())
        assert not review_clock.is_review_late(reviewed, today_mx())
    with mx_time(2026, 12, 10, 9):  # late from the day after, one business day of delay
        assert notify.escalate_overdue() == 2
    assert _notes(db) == [
        ("previo", "2026-12-08"),
        ("previo", "2026-12-09"), ("revision_previo", "2026-12-09"),
        ("vence_hoy", "2026-12-09"), ("revision_hoy", "2026-12-09"),
        ("vencido", "2026-12-09"), ("revision_vencida", "2026-12-09")]
    late = db.scalars(select(Notification).where(Notification.kind.in_(
        [notif.ESCALAMIENTO, notif.REVISION_VENCIDA]))).all()
    assert all("1 día hábil" in n.text and "miércoles 9 de diciembre de 2026" in n.text for n in late)


def test_a_day_off_inside_the_plazo_is_recounted_and_only_clocks_that_counted_it_move(db, make):
    make.enlace("14")
    actor = make.actor(make.user("admin"))
    with mx_time(2026, 11, 20, 10):
        earlier = make.case("solicitud_informacion", "14", amerita_gestion=True)  # due Friday 27 Nov
    with mx_time(2026, 12, 1, 10):
        running = make.case("solicitud_informacion", "14", amerita_gestion=True)  # due Tuesday 8 Dec
        paused = make.case("solicitud_informacion", "14", amerita_gestion=True)
    with mx_time(2026, 12, 2, 10):
        svc.pause_clock(db, paused, make.actor(make.user("vinculacion")), "Esperamos el recibo")
        db.commit()
    with mx_time(2026, 12, 3, 10):
        later = make.case("solicitud_informacion", "14", amerita_gestion=True)  # sent on the day itself
    before_later = later.open_volante.due_date

    with mx_time(2026, 12, 3, 18):  # Thursday 3 declared non-working that same evening
        moved = add_non_working_day(db, actor, date(2026, 12, 3), "Cierre por mantenimiento")
        db.commit()
    assert {m.volante.case_id for m in moved} == {running.id, paused.id}
    cal = calendar(db)
    # the same as counting its 5 business days again on today's calendar: 2, 4, 7, 8, 9
    assert running.open_volante.due_date == cal.add(date(2026, 12, 1), 5) == date(2026, 12, 9)
    assert earlier.open_volante.due_date == date(2026, 11, 27)
    assert later.open_volante.due_date == before_later
    with mx_time(2026, 12, 4, 10):  # resuming adds the paused business days on the same calendar: 4
        svc.resume_clock(db, paused, make.actor(make.user("vinculacion")))
        db.commit()
    # its clock ran on the 2nd, then 7, 8, 9, 10 (the 3rd is off, the 4th was paused): 5
    assert paused.open_volante.due_date == date(2026, 12, 10)

    # a Saturday was never counted; removing a day brings no due date earlier
    assert add_non_working_day(db, actor, date(2026, 12, 5), "Sábado") == []
    remove_non_working_day(db, actor, db.get(Holiday, date(2026, 12, 3)))
    db.commit()
    db.expire_all()
    assert running.open_volante.due_date == date(2026, 12, 9)
