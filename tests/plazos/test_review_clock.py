"""The national review's clock (issue 17 item 5): a plazo for Vinculación's review of a filed FUR,
reminders before it, escalation to the head of Vinculación after it, the queue's badge and the
admin page — with frozen time, through the real jobs and pages."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from core import notifications as notif
from core import review_clock
from core.models import Holiday, Notification, Setting
from core.plazos import BusinessCalendar
from core.services import cases as svc
from tests.plazos.conftest import filed_today, mx_time
from tests.support.web import csrf_from, login, text
from workers import notify


def _review_notes(db) -> list[tuple[int, str, str]]:
    db.expire_all()
    return sorted((n.user_id, n.kind, n.dedupe_key.split(":")[2]) for n in db.scalars(
        select(Notification).where(Notification.kind.in_([notif.REVISION_POR_VENCER, notif.REVISION_VENCIDA]))))


def _filed_on(make, y, m, d, hour=10, **kw):
    with mx_time(y, m, d, hour):
        return filed_today(make, **kw)


def test_the_review_is_due_three_business_days_after_filing(db, make):
    case = _filed_on(make, 2026, 11, 12)  # Thursday; Monday 16 Nov is Revolution Day (official)
    assert case.volantes[-1].review_due_date == date(2026, 11, 18)  # 13, 17, 18


def test_late_night_filing_counts_from_the_mexico_city_day_and_admin_days_off(db, make):
    db.add(Holiday(fecha=date(2026, 12, 2), descripcion="Cierre administrativo"))
    db.commit()
    case = _filed_on(make, 2026, 11, 27, hour=23)  # Friday 23:00 local = Saturday UTC
    assert case.volantes[-1].review_due_date == date(2026, 12, 3)  # 30, 1, (2 off), 3


def test_the_review_plazo_is_a_setting_and_applies_to_furs_filed_from_then_on(db, make):
    first = _filed_on(make, 2026, 11, 23)
    db.add(Setting(key="plazo.revision", value="1"))
    db.commit()
    second = _filed_on(make, 2026, 11, 23)
    assert (first.volantes[-1].review_due_date, second.volantes[-1].review_due_date) == (
        date(2026, 11, 26), date(2026, 11, 24))


def test_reminders_to_vinculacion_the_business_day_before_and_on_the_day_once(db, make):
    vinc1, vinc2 = make.user("vinculacion"), make.user("vinculacion")
    make.user("vinculacion").active = False
    db.commit()
    case = _filed_on(make, 2026, 11, 19)  # Thursday -> due Tuesday 24 (Friday 20, Monday 23, Tuesday 24)
    assert case.volantes[-1].review_due_date == date(2026, 11, 24)
    with mx_time(2026, 11, 20, 8):  # two business days before: nothing yet
        assert notify.send_reminders() == 0
    with mx_time(2026, 11, 21, 8):  # Saturday: the jobs do nothing
        assert notify.send_reminders() == 0
    with mx_time(2026, 11, 23, 8):
        assert notify.send_reminders() == 2
        assert notify.send_reminders() == 0  # twice: nothing twice
    with mx_time(2026, 11, 24, 8):
        assert notify.send_reminders() == 2
    assert _review_notes(db) == sorted([
        (vinc1.id, "revision_por_vencer", "revision_previo"), (vinc2.id, "revision_por_vencer", "revision_previo"),
        (vinc1.id, "revision_por_vencer", "revision_hoy"), (vinc2.id, "revision_por_vencer", "revision_hoy")])
    note = db.scalar(select(Notification).where(Notification.user_id == vinc1.id).order_by(Notification.id))
    assert case.folio in note.text and "martes 24 de noviembre de 2026" in note.text
    assert note.case_id == case.id and note.volante_id == case.volantes[-1].id


def test_late_review_escalates_to_the_head_once_and_stops_when_reviewed(db, make):
    vinc, head = make.user("vinculacion"), make.user("vinculacion", nombre="Jefa de Vinculación")
    review_clock.set_head_of_vinculacion(db, head.id)
    db.commit()
    case = _filed_on(make, 2026, 11, 19)  # review due Tuesday 24
    with mx_time(2026, 11, 24, 9):
        assert notify.escalate_overdue() == 0  # the due day itself is in time
    with mx_time(2026, 11, 26, 9):
        assert notify.escalate_overdue() == 1
        assert notify.escalate_overdue() == 0
    with mx_time(2026, 11, 27, 9):
        assert notify.escalate_overdue() == 0  # once per due date, not every day
    assert _review_notes(db) == [(head.id, "revision_vencida", "revision_vencida")]
    text_ = db.scalar(select(Notification.text).where(Notification.kind == notif.REVISION_VENCIDA))
    assert case.folio in text_ and "2 días hábiles de atraso" in text_
    with mx_time(2026, 11, 27, 10):
        svc.accept_fur(db, case, make.actor(vinc))
        db.commit()
    other = _filed_on(make, 2026, 11, 27)
    with mx_time(2026, 12, 8, 9):
        notify.escalate_overdue()
    assert {n.volante_id for n in db.scalars(select(Notification).where(
        Notification.kind == notif.REVISION_VENCIDA))} == {case.volantes[-1].id, other.volantes[-1].id}


def test_without_a_head_every_active_vinculacion_user_hears_it(db, make):
    vinc1, vinc2 = make.user("vinculacion"), make.user("vinculacion")
    gone = make.user("vinculacion")
    review_clock.set_head_of_vinculacion(db, gone.id)
    gone.active = False  # a head who left: nobody is left without the escalation
    db.commit()
    _filed_on(make, 2026, 11, 19)
    with mx_time(2026, 11, 25, 9):
        assert notify.escalate_overdue() == 2
    assert {u for u, _k, _s in _review_notes(db)} == {vinc1.id, vinc2.id}


def test_review_late_reminders_are_e_mailed_with_smtp(db, make, monkeypatch):
    from tests.plazos.smtp_fake import FakeSmtp

    head = make.user("vinculacion", email="jefa@sinac.local")
    review_clock.set_head_of_vinculacion(db, head.id)
    db.commit()
    case = _filed_on(make, 2026, 11, 19)
    with FakeSmtp() as smtp:
        monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("SMTP_PORT", str(smtp.port))
        with mx_time(2026, 11, 25, 9):
            notify.escalate_overdue()
    mail = [m for m in smtp.messages if "jefa@sinac.local" in m.rcpt_to]
    assert len(mail) == 1 and mail[0].message["Subject"] == "[SINAC] Revisión de FUR vencida"
    assert case.folio in mail[0].message.get_content()


def test_review_status_counts_business_days(db, make):
    case = _filed_on(make, 2026, 11, 19)
    volante, cal = case.volantes[-1], BusinessCalendar()
    assert review_clock.review_status(volante, date(2026, 11, 20), cal) == ("en_plazo", 2)
    assert review_clock.review_status(volante, date(2026, 11, 24), cal) == ("vence_hoy", 0)
    assert review_clock.review_status(volante, date(2026, 11, 30), cal) == ("vencida", 4)
    with mx_time(2026, 11, 30, 10):
        svc.send_back(db, case, make.actor(make.user("vinculacion")), "Falta la constancia.")
        db.commit()
    assert review_clock.review_status(volante, date(2026, 11, 30), cal) is None  # reviewed: clock stopped
    assert case.volantes[-1].review_due_date is None  # the next round's clock starts when its FUR is filed


def test_queue_shows_days_left_and_late_reviews(client, db, make):
    late = _filed_on(make, 2026, 11, 2)
    fresh = _filed_on(make, 2026, 12, 7, hour=9)
    vinc = make.user("vinculacion")
    with mx_time(2026, 12, 7, 12):
        login(client, vinc)
        page = text(client.get("/volantes/", query_string={"status": "respondida"}))

        def badge(folio):
            row = page[page.index(f'data-folio="{folio}"'):]
            row = row[:row.index("</tr>")]
            return row.split('data-testid="plazo">')[1].split("<")[0]

        assert badge(fresh.folio) == "En revisión: quedan 3 días hábiles"
        assert badge(late.folio).startswith("Revisión vencida hace ")
        only_late = text(client.get("/volantes/", query_string={"plazo": "revision_vencida"}))
        assert late.folio in only_late and fresh.folio not in only_late
        case_page = text(client.get(f"/casos/{fresh.id}"))
        assert "revisión a más tardar el 10/12/2026" in case_page


def test_admin_sets_the_review_plazo_and_the_head(client, db, make):
    head = make.user("vinculacion", nombre="Laura Jefa")
    admin = make.user("admin")
    with mx_time(2026, 11, 19, 9):
        login(client, admin)
        _admin_sets(client, db, make, head)


def _admin_sets(client, db, make, head):
    page = text(client.get("/admin/plazos"))
    assert "Revisión del FUR por Vinculación" in page and "Laura Jefa" in page
    data = {"csrf_token": csrf_from(page), "queja": "10", "cobro_injustificado": "10", "solicitud_informacion": "5",
            "consulta_cobertura": "5", "sugerencia": "15", "felicitacion": "15", "devolucion": "5",
            "revision": "2", "jefatura": str(head.id)}
    assert client.post("/admin/plazos", data=data).status_code == 302
    db.expire_all()
    assert review_clock.head_of_vinculacion(db).id == head.id
    case = _filed_on(make, 2026, 11, 19)
    assert case.volantes[-1].review_due_date == date(2026, 11, 23)
    bad = client.post("/admin/plazos", data={**data, "jefatura": "999999"})
    assert bad.status_code == 422 and "Laura Jefa" in text(bad)
