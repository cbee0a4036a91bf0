"""cases.search_text follows every change of what the search box looks in: the case's own
fields, each FUR's texts, the notes; and it forgets what a retention purge erases."""

from __future__ import annotations

from sqlalchemy import select, text

from core.models import Case, Note
from core.models.search_text import backfill, compose, fold
from core.retention import PurgeResult, anonymise_case
from core.services import cases as svc
from core.timeutil import now


def _stored(db, case) -> str:
    db.expire_all()
    return db.scalar(select(Case.search_text).where(Case.id == case.id))


def test_compose_folds_and_joins():
    assert compose(["Cesárea  en el\nHOSPITAL", None, ""], [("Acciones", None)], [("Señora",)]) == \
        "cesarea en el hospital acciones senora"
    assert fold("ÁÉÍÓÚÜÑ") == "aeiouun"


def test_new_case_has_its_text_at_once(make, db):
    make.enlace("14")
    case = make.case(description="Me cobraron la Cesárea", unidad="Hospital Civil", concepto="Parto",
                     tipo="cobro_injustificado", monto=900)
    assert _stored(db, case) == "me cobraron la cesarea hospital civil parto"


def test_case_fur_and_note_changes_are_followed(make, db):
    enlace = make.enlace("14")
    case = make.case(description="Queja por trato")
    volante = case.open_volante
    svc.save_fur(db, volante, make.actor(enlace), {"acciones": "Llamé a la Jefa de Enfermería"}, submit=False)
    db.commit()
    assert "jefa de enfermeria" in _stored(db, case)
    svc.save_fur(db, volante, make.actor(enlace), {"acciones": "Reunión con el Director"}, submit=False)
    db.commit()
    stored = _stored(db, case)
    assert "director" in stored and "enfermeria" not in stored
    note = Note(case_id=case.id, body="Pedir el recibo de farmacia")
    db.add(note)
    db.commit()
    assert "recibo de farmacia" in _stored(db, case)
    note.body = "Ya llegó el comprobante"
    db.commit()
    stored = _stored(db, case)
    assert "comprobante" in stored and "recibo" not in stored
    db.delete(note)
    db.commit()
    assert "comprobante" not in _stored(db, case)
    case.unidad = "Centro de Salud Tlaquepaque"
    db.commit()
    assert _stored(db, case).startswith("queja por trato centro de salud tlaquepaque")


def test_purged_case_text_is_forgotten(make, db, tmp_path):
    case = make.filed_case(description="Me negaron la consulta de ginecología")
    db.add(Note(case_id=case.id, body="La afiliada se llama Rosa"))
    db.commit()
    assert "rosa" in _stored(db, case)
    anonymise_case(db, case, tmp_path, PurgeResult(), now())
    db.commit()
    stored = _stored(db, case)
    assert "ginecologia" not in stored and "rosa" not in stored and "director" not in stored


def test_backfill_rebuilds_every_case(make, db):
    make.enlace("14")
    first = make.filed_case(description="Faltó el medicamento")
    second = make.case(description="Sugiero más horarios")
    db.execute(text("UPDATE cases SET search_text = ''"))
    db.commit()
    assert backfill(db.connection()) == 2
    db.commit()
    assert _stored(db, first).startswith("falto el medicamento se hablo con el director")
    assert _stored(db, second) == "sugiero mas horarios"
