"""Rounds that remember (issue 16 item 2): a sent-back FUR's next round starts from it, fields
and evidence, and the reviewer sees what changed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.enums import Role
from core.errors import ValidationError
from core.models import Attachment, Fur
from core.services import cases as svc
from core.services import rounds


def _evidence(db, fur, name, key):
    att = Attachment(case_id=fur.case_id, fur_id=fur.id, filename=name, content_type="application/pdf",
                     size=10, storage_key=key, sha256=key * 2)
    db.add(att)
    db.flush()
    return att


@pytest.fixture
def sent_back(make, db):
    """A cobro whose FUR (with two evidence files) was sent back."""
    enlace = make.enlace("14")
    vin = make.actor(make.user(Role.VINCULACION, nombre="Ana Revisora"))
    case = make.filed_case("cobro_injustificado", "14", monto=500)
    first = case.volantes[0]
    _evidence(db, first.fur, "recibo.pdf", "a" * 32)
    _evidence(db, first.fur, "oficio.pdf", "b" * 32)
    svc.send_back(db, case, vin, "Falta el comprobante del reembolso")
    db.commit()
    return case, enlace, vin


def test_next_round_starts_from_every_field_and_the_evidence(sent_back, db):
    case, _, _ = sent_back
    first, second = case.volantes
    fur = second.fur
    assert fur is not None and fur.is_draft and fur.filed_at is None
    for name in rounds.FIELDS:
        assert getattr(fur, name) == getattr(first.fur, name), name
    assert fur.monto_reembolsado == Decimal("500.00") and fur.fecha_reembolso == date(2026, 11, 21)
    carried = rounds.evidence_of(db, fur.id)
    original = rounds.evidence_of(db, first.fur.id)
    assert [a.filename for a in carried] == ["recibo.pdf", "oficio.pdf"]
    # references to the same stored files, on rows of their own
    assert [a.storage_key for a in carried] == [a.storage_key for a in original]
    assert {a.id for a in carried}.isdisjoint({a.id for a in original})
    assert rounds.send_back_review(db, first).reason == "Falta el comprobante del reembolso"


def test_diff_names_changed_fields_and_evidence_added_and_removed(sent_back, db, make):
    case, enlace, _ = sent_back
    first, second = case.volantes
    assert not rounds.round_diff(db, second).anything_changed
    _recibo, oficio = rounds.evidence_of(db, second.fur.id)
    unused = rounds.remove_evidence(db, second, [oficio.id])
    assert unused == []  # the earlier round still points at the file
    _evidence(db, second.fur, "transferencia.pdf", "c" * 32)
    svc.save_fur(db, second, make.actor(enlace), {"acciones": "Se reembolsó por transferencia el 21/11."},
                 submit=True)
    db.commit()
    diff = rounds.round_diff(db, second)
    assert diff.reason == "Falta el comprobante del reembolso" and diff.previous.id == first.id
    assert [(c.name, c.before, c.after) for c in diff.changed] == [
        ("acciones", "Se habló con el director de la unidad.", "Se reembolsó por transferencia el 21/11.")]
    assert [a.filename for a in diff.added] == ["transferencia.pdf"]
    assert [a.filename for a in diff.removed] == ["oficio.pdf"]
    assert [a.filename for a in diff.kept] == ["recibo.pdf"]
    # the earlier round keeps its evidence untouched
    assert [a.filename for a in rounds.evidence_of(db, first.fur.id)] == ["recibo.pdf", "oficio.pdf"]


def test_removing_a_file_only_this_draft_holds_returns_its_key(sent_back, db):
    case, _, _ = sent_back
    second = case.volantes[1]
    mine = _evidence(db, second.fur, "foto.png", "d" * 32)
    assert rounds.remove_evidence(db, second, [mine.id]) == ["d" * 32]
    first_att = rounds.evidence_of(db, case.volantes[0].fur.id)[0]
    with pytest.raises(ValidationError, match="no pertenece a este FUR"):
        rounds.remove_evidence(db, second, [first_att.id])


def test_first_rounds_reassignments_and_reopenings_start_empty(make, db):
    make.enlace("14")
    case = make.case(estado_clave="14")
    assert case.open_volante.fur is None
    assert rounds.previous_round(db, case.open_volante) is None
    assert rounds.round_diff(db, case.open_volante) is None


def test_accepting_the_prefilled_round_files_the_copied_fur(sent_back, db, make):
    case, enlace, vin = sent_back
    second = case.volantes[1]
    svc.save_fur(db, second, make.actor(enlace), {}, submit=True)  # sent as it came
    svc.accept_fur(db, case, vin)
    db.commit()
    furs = list(db.scalars(select(Fur).where(Fur.case_id == case.id).order_by(Fur.id)))
    assert [f.is_draft for f in furs] == [False, False]
    assert case.status == "concluida"
