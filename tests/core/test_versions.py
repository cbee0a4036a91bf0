"""Optimistic version checks (issue 17 item 3): a stale form is refused with what changed."""

from __future__ import annotations

import threading

import pytest

from core.db import session_factory
from core.enums import CaseStatus, Role
from core.models import Case, Fur, Note
from core.services import cases as svc
from core.versions import Seen, StaleVersion, last_event_id


def test_review_from_a_stale_page_is_refused_and_names_the_change(make, db):
    make.enlace("20")
    ana = make.user(Role.VINCULACION, nombre="Ana Revisora")
    beto = make.user(Role.VINCULACION, nombre="Beto Revisor")
    case = make.filed_case()
    seen = Seen(case.version, last_event_id(db, case.id))
    svc.send_back(db, case, make.actor(ana), "Falta el nombre del médico", seen=seen)
    db.commit()
    with pytest.raises(StaleVersion) as exc:
        svc.accept_fur(db, case, make.actor(beto), seen=seen)
    db.rollback()
    changes = exc.value.changes
    assert [(c.who, c.action, c.reason) for c in changes] == [("Ana Revisora", "devolver", "Falta el nombre del médico")]
    assert case.status == CaseStatus.TURNADA
    # a fresh page goes through
    svc.reassign_estado(db, case, make.actor(beto), "20", "Portabilidad", seen=Seen(case.version))
    assert case.estado_clave == "20"


def test_note_and_reassign_check_the_version(make, db):
    vin = make.actor(make.user(Role.VINCULACION))
    case = make.case("queja", "14")
    stale = Seen(case.version, last_event_id(db, case.id))
    svc.add_note(db, case, vin, "Llamé al afiliado", seen=stale)
    db.commit()
    with pytest.raises(StaleVersion) as exc:
        svc.add_note(db, case, vin, "Otra nota", seen=stale)
    db.rollback()
    assert [c.action for c in exc.value.changes] == ["nota"]
    with pytest.raises(StaleVersion):
        svc.reassign_estado(db, case, vin, "20", "Portabilidad", seen=stale)
    db.rollback()
    assert [n.body for n in db.query(Note).filter_by(case_id=case.id)] == ["Llamé al afiliado"]


def test_fur_draft_from_a_stale_form_names_who_saved_and_what(make, db):
    ana = make.enlace("14", nombre="Ana Enlace")
    beto = make.enlace("14", nombre="Beto Enlace")
    case = make.case("queja", "14")
    volante = case.open_volante
    # both open an empty form (version 0: no draft yet); Ana saves first
    svc.save_fur(db, volante, make.actor(ana), {"acciones": "Llamé al director"}, submit=False, seen=Seen(0))
    db.commit()
    assert volante.fur.version == 1 and volante.fur.updated_by_id == ana.id
    with pytest.raises(StaleVersion) as exc:
        svc.save_fur(db, volante, make.actor(beto), {"acciones": "Visité la unidad", "respuesta_ciudadano": ""},
                     submit=False, seen=Seen(0))
    db.rollback()
    assert "Ana Enlace" in exc.value.message
    assert [(c.field, c.value) for c in exc.value.changes] == [("acciones", "Llamé al director")]
    assert db.get(Fur, volante.fur.id).acciones == "Llamé al director"
    # from the current version it saves and bumps
    svc.save_fur(db, volante, make.actor(beto), {"acciones": "Visité la unidad"}, submit=False, seen=Seen(1))
    db.commit()
    assert (volante.fur.version, volante.fur.acciones, volante.fur.updated_by_id) == (2, "Visité la unidad", beto.id)


def test_two_simultaneous_reviews_one_wins(make, db, settings, is_postgres):
    """Two transactions that read the same version: the conditional UPDATE lets one through."""
    make.enlace("14")
    vin = make.actor(make.user(Role.VINCULACION))
    case = make.filed_case()
    case_id, version = case.id, case.version
    factory = session_factory(settings.database_url)
    s1, s2 = factory(), factory()
    c1, c2 = s1.get(Case, case_id), s2.get(Case, case_id)
    assert c1.version == c2.version == version
    svc.accept_fur(s1, c1, vin, seen=Seen(version))
    outcome = {}

    def second():
        try:
            svc.send_back(s2, c2, vin, "Falta evidencia", seen=Seen(version))
            s2.commit()
            outcome["second"] = "saved"
        except StaleVersion:
            s2.rollback()
            outcome["second"] = "stale"
        except Exception as exc:  # noqa: BLE001 (SQLite may say "database is locked")
            s2.rollback()
            outcome["second"] = type(exc).__name__

    thread = threading.Thread(target=second)
    thread.start()
    thread.join(0.5)  # PostgreSQL: blocked on the row lock until the first commits
    s1.commit()
    thread.join(30)
    s1.close(), s2.close()
    db.expire_all()
    final = db.get(Case, case_id)
    assert final.status == CaseStatus.CONCLUIDA
    assert outcome["second"] in (("stale",) if is_postgres else ("stale", "OperationalError"))
