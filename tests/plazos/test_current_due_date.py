"""cases.current_due_date (core.models.current_due, migration 0025) is the current round's due
date through everything that opens a round or moves its date: registering, turning, pausing and
resuming, filing, sending back, reassigning, concluding, reopening, and a day declared
non-working after the plazo was set. Read back from the database, beside the round's own date."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from core.migrate import downgrade, upgrade
from core.models import Case, Volante
from core.services import cases as svc
from core.services.non_working_days import add_non_working_day
from core.services.reopen import reopen_case
from tests.plazos.conftest import mx_time
from tests.support.scratch_db import scratch_database


def _stored(db, case) -> tuple[date | None, date | None]:
    """(cases.current_due_date, the current round's due_date) as the database holds them."""
    db.expire_all()
    return tuple(db.execute(
        select(Case.current_due_date, Volante.due_date).select_from(Case)
        .outerjoin(Volante, Volante.id == Case.current_volante_id).where(Case.id == case.id)).one())


def _due(db, case) -> date | None:
    copied, actual = _stored(db, case)
    assert copied == actual
    return copied


def _nowhere_else(db) -> None:
    """No case of the test's database holds another date than its current round's."""
    differ = db.scalar(select(func.count()).select_from(Case)
                       .outerjoin(Volante, Volante.id == Case.current_volante_id)
                       .where(func.coalesce(Case.current_due_date, date(1900, 1, 1))
                              != func.coalesce(Volante.due_date, date(1900, 1, 1))))
    assert differ == 0


def test_every_round_and_every_move_of_its_date_reaches_the_case(db, make):
    enlace = make.enlace("14")
    enlace_cdmx = make.enlace("09")
    vinc = make.actor(make.user("vinculacion"))
    with mx_time(2026, 12, 1, 10):  # Tuesday
        waiting = make.case("queja", "14", route=False)  # registered, no round yet
        assert _due(db, waiting) is None
        svc.decide_amerita_gestion(db, waiting, vinc, True)  # turned: 10 business days
        db.commit()
        assert _due(db, waiting) == date(2026, 12, 15)
        case = make.case("queja", "14")  # registered and turned at once
        assert _due(db, case) == date(2026, 12, 15)

    with mx_time(2026, 12, 2, 10):
        svc.pause_clock(db, case, vinc, "Esperamos el expediente")
        db.commit()
    with mx_time(2026, 12, 4, 10):  # two business days paused (2, 3)
        svc.resume_clock(db, case, vinc)
        db.commit()
        assert _due(db, case) == date(2026, 12, 17)

    with mx_time(2026, 12, 7, 10):
        svc.save_fur(db, case.open_volante, make.actor(enlace), make.fur_data(fecha_respuesta=date(2026, 12, 7)),
                     submit=True)
        db.commit()
        assert _due(db, case) == date(2026, 12, 17)  # the round answered keeps its date
        svc.send_back(db, case, vinc, "Falta el oficio de la unidad")  # next round: 5 business days
        db.commit()
        assert case.current_volante_id == case.volantes[-1].id and len(case.volantes) == 2
        assert _due(db, case) == date(2026, 12, 14)

    with mx_time(2026, 12, 8, 10):  # reassigned (portabilidad): a new round in another estado
        svc.reassign_estado(db, case, vinc, "09", "Lo atendieron en la Ciudad de México")
        db.commit()
        assert len(case.volantes) == 3 and _due(db, case) == date(2026, 12, 22)
        svc.save_fur(db, case.open_volante, make.actor(enlace_cdmx),
                     make.fur_data(fecha_respuesta=date(2026, 12, 8)), submit=True)
        svc.accept_fur(db, case, vinc)  # concluded: its last round's date stays
        db.commit()
        assert case.status == "concluida" and _due(db, case) == date(2026, 12, 22)

    with mx_time(2026, 12, 9, 10):
        reopen_case(db, case, vinc, "La persona afiliada volvió a escribir")  # a new round, 10 days
        db.commit()
        assert len(case.volantes) == 4 and _due(db, case) == date(2026, 12, 23)

    with mx_time(2026, 12, 9, 18):  # a day inside the running plazos declared non-working
        add_non_working_day(db, make.actor(make.user("admin")), date(2026, 12, 11), "Cierre de oficinas")
        db.commit()
    assert _due(db, case) == date(2026, 12, 24)
    assert _due(db, waiting) == date(2026, 12, 16)
    _nowhere_else(db)


def test_a_case_closed_without_a_round_and_a_cancelled_one(db, make):
    make.enlace("14")
    vinc = make.actor(make.user("vinculacion"))
    with mx_time(2026, 12, 1, 10):
        attended = make.case("solicitud_informacion", "14")  # answered at once: atendida, no round
        cancelled = make.case("queja", "14")
        due = _due(db, cancelled)
        svc.cancel_case(db, cancelled, vinc, "Duplicado")
        db.commit()
    assert _due(db, attended) is None
    assert _due(db, cancelled) == due  # its round stays the current one, closed, with its date
    _nowhere_else(db)


def test_migration_backfills_the_date_and_goes_down_and_up(tmp_path, database_url):
    """0025 copies each case's current round date; on the test's own database engine."""
    from sqlalchemy import text

    from core.db import make_engine

    with scratch_database(tmp_path, database_url, "due25") as url:
        upgrade(url, "0024")
        engine = make_engine(url)
        with engine.begin() as conn:
            for cid in (1, 2):
                conn.execute(text(
                    "INSERT INTO cases (id, folio, tipo, canal, estado_clave, status, description, search_text,"
                    " created_at, updated_at, version, ronda) VALUES (:id, :folio, 'queja', 'sms', '14', 'turnada',"
                    " '', '', '2026-10-01', '2026-10-01', 1, 1)"), {"id": cid, "folio": f"SINAC-2026-00000{cid}"})
            for vid, due in ((1, "2026-10-15"), (2, "2026-10-22")):
                conn.execute(text(
                    "INSERT INTO volantes (id, case_id, numero, estado_clave, instructions, status, plazo_dias,"
                    " sent_at, due_date, ronda) VALUES (:id, 1, :id, '14', '', 'abierto', 10, '2026-10-01', :due, 1)"),
                    {"id": vid, "due": due})
            conn.execute(text("UPDATE cases SET current_volante_id = 2 WHERE id = 1"))
        upgrade(url, "0025")
        with engine.connect() as conn:
            rows = conn.execute(select(Case.id, Case.current_due_date).order_by(Case.id)).all()
        assert [tuple(r) for r in rows] == [(1, date(2026, 10, 22)), (2, None)]
        downgrade(url, "0024")
        upgrade(url, "0025")
        with engine.connect() as conn:
            assert conn.scalar(select(Case.current_due_date).where(Case.id == 1)) == date(2026, 10, 22)
        engine.dispose()
