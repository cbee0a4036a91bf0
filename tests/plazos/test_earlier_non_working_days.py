"""Migration 0026: due days that counted a non-working day added before the rule of
core.services.non_working_days get the same move once, with the same history entry; days added
under the rule, days nobody recorded adding, weekends, clocks that started after the day was
added and closed rounds stay as they are; running it again moves nothing.

Mexico City is UTC-6 in December: 16:00 UTC is 10:00 there."""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, bindparam, select, text

from core.db import make_engine
from core.migrate import downgrade, upgrade
from core.models import AuditEvent, Case, Volante
from core.plazos import BusinessCalendar
from tests.support.scratch_db import scratch_database

# (day, when it was added, what the audit event says): Tuesday 8 and Wednesday 9 before the
# rule; Saturday 12 before the rule (never a business day); Monday 21 under the rule (it says
# how many it moved); Tuesday 22 with no event at all
HOLIDAYS = (
    ("2026-12-08", "2026-12-03 20:00:00+00:00", {"fecha": "2026-12-08", "descripcion": "Cierre"}),
    ("2026-12-09", "2026-12-03 21:00:00+00:00", {"fecha": "2026-12-09", "descripcion": "Cierre"}),
    ("2026-12-12", "2026-12-03 21:00:00+00:00", {"fecha": "2026-12-12", "descripcion": "Sábado"}),
    ("2026-12-21", "2026-12-07 12:00:00+00:00", {"fecha": "2026-12-21", "descripcion": "Cierre",
                                           "vencimientos_recorridos": 0}),
    ("2026-12-22", None, None),
)
# volante id: (status, sent_at, due_date, answered_at, review_due_date)
ROUNDS = {
    # sent Tue 1 (5 days: 2,3,4,7,8), before both days were added: 2,3,4,7,10 on today's calendar
    1: ("abierto", "2026-12-01 16:00:00+00:00", "2026-12-08", None, None),
    # sent Thu 3 after the 8th was added (its 5 days skipped it: 4,7,9,10,11), before the 9th: 14
    2: ("abierto", "2026-12-03 20:30:00", "2026-12-11", None, None),
    # 10 days from Tue 1 (to the 15th): 2,3,4,7,10,11,14,15,16,17 once the 8th and 9th are off
    3: ("abierto", "2026-12-01 16:00:00+00:00", "2026-12-15", None, None),
    # FUR filed Thu 3 before either was added, review in 3 days (4,7,8): 4,7,10
    4: ("respondido", "2026-12-01 16:00:00+00:00", "2026-12-08", "2026-12-03 15:00:00+00:00", "2026-12-08"),
    # FUR filed Fri 4, after both were added: its review clock already skipped them
    5: ("respondido", "2026-12-01 16:00:00+00:00", "2026-12-08", "2026-12-04 16:00:00+00:00", "2026-12-10"),
    # concluded: no clock runs
    6: ("aceptado", "2026-12-01 16:00:00+00:00", "2026-12-08", "2026-12-02 16:00:00+00:00", "2026-12-07"),
    # sent after both days, counting the 21st and 22nd: those were not added before the rule
    7: ("abierto", "2026-12-14 16:00:00+00:00", "2026-12-23", None, None),
}


def _fill(conn) -> None:
    for vid, (status, sent, due, answered, review_due) in ROUNDS.items():
        case_status = {"abierto": "turnada", "respondido": "respondida", "aceptado": "concluida"}[status]
        conn.execute(text(
            "INSERT INTO cases (id, folio, tipo, canal, estado_clave, status, description, search_text, created_at,"
            " updated_at, version, ronda, current_due_date) VALUES (:id, :folio, 'queja', 'sms', '14', :st, '', '',"
            " '2026-12-01 16:00:00+00:00', '2026-12-01 16:00:00+00:00', 1, 1, :due)"),
            {"id": vid, "folio": f"SINAC-2026-{vid:06d}", "st": case_status, "due": due})
        conn.execute(text(
            "INSERT INTO volantes (id, case_id, numero, estado_clave, instructions, status, plazo_dias, sent_at,"
            " due_date, answered_at, review_due_date, ronda) VALUES (:id, :id, 1, '14', '', :st, 5, :sent, :due,"
            " :answered, :review_due, 1)"),
            {"id": vid, "st": status, "sent": sent, "due": due, "answered": answered, "review_due": review_due})
        conn.execute(text("UPDATE cases SET current_volante_id = :id WHERE id = :id"), {"id": vid})
    insert_event = text(
        "INSERT INTO audit_events (actor_id, actor_label, action, data, created_at)"
        " VALUES (NULL, 'admin@test.local', 'dia_inhabil_agregado', :data, :at)"
    ).bindparams(bindparam("data", type_=JSON()))
    for day, added, data in HOLIDAYS:
        conn.execute(text("INSERT INTO holidays (fecha, descripcion) VALUES (:d, 'Cierre')"), {"d": day})
        if added:
            conn.execute(insert_event, {"data": data, "at": added})


def _state(conn):
    dates = {r.id: (r.due_date, r.review_due_date, r.current_due_date) for r in conn.execute(
        select(Volante.id, Volante.due_date, Volante.review_due_date, Case.current_due_date)
        .join(Case, Case.id == Volante.case_id).order_by(Volante.id))}
    events = [(r.case_id, r.actor_label, r.data, r.reason) for r in conn.execute(
        select(AuditEvent.case_id, AuditEvent.actor_label, AuditEvent.data, AuditEvent.reason)
        .where(AuditEvent.action == "vencimiento_recorrido").order_by(AuditEvent.id))]
    return dates, events


def test_days_added_before_the_rule_move_the_clocks_that_counted_them_once(tmp_path, database_url):
    with scratch_database(tmp_path, database_url, "nwd26") as url:
        upgrade(url, "0025")
        engine = make_engine(url)
        with engine.begin() as conn:
            _fill(conn)
        upgrade(url)
        with engine.connect() as conn:
            dates, events = _state(conn)
        d = date.fromisoformat
        assert dates == {
            1: (d("2026-12-10"), None, d("2026-12-10")),
            2: (d("2026-12-14"), None, d("2026-12-14")),
            3: (d("2026-12-17"), None, d("2026-12-17")),
            4: (d("2026-12-08"), d("2026-12-10"), d("2026-12-08")),
            5: (d("2026-12-08"), d("2026-12-10"), d("2026-12-08")),
            6: (d("2026-12-08"), d("2026-12-07"), d("2026-12-08")),
            7: (d("2026-12-23"), None, d("2026-12-23")),
        }
        # the same as counting each plazo again on the calendar as it stands
        off = BusinessCalendar({d(day) for day, *_ in HOLIDAYS})
        assert off.add(d("2026-12-01"), 5) == d("2026-12-10") and off.add(d("2026-12-01"), 10) == d("2026-12-17")
        assert off.add(d("2026-12-03"), 3) == d("2026-12-10")

        moves = [(case_id, data["plazo"], data["dia_inhabil"], data["de"], data["a"])
                 for case_id, _, data, _ in events]
        assert moves == [
            (1, "enlace", "2026-12-08", "2026-12-08", "2026-12-09"),
            (1, "enlace", "2026-12-09", "2026-12-09", "2026-12-10"),
            (2, "enlace", "2026-12-09", "2026-12-11", "2026-12-14"),
            (3, "enlace", "2026-12-08", "2026-12-15", "2026-12-16"),
            (3, "enlace", "2026-12-09", "2026-12-16", "2026-12-17"),
            (4, "revision", "2026-12-08", "2026-12-08", "2026-12-09"),
            (4, "revision", "2026-12-09", "2026-12-09", "2026-12-10"),
        ]
        assert {label for _, label, _, _ in events} == {"sistema"}
        assert all(data["volante"] == 1 for _, _, data, _ in events)
        assert events[2][3] == ("El 09/12/2026 se declaró día inhábil: El plazo del enlace vencía el 11/12/2026 "
                                "y ahora vence el 14/12/2026.")
        assert events[5][3].startswith("El 08/12/2026 se declaró día inhábil: La revisión de Vinculación vencía")

        downgrade(url, "0025")  # run again: every move is already recorded
        upgrade(url)
        with engine.connect() as conn:
            assert _state(conn) == (dates, events)
        engine.dispose()
