"""Rounds that remember (issue 16 item 2, docs/rounds.md).

When vinculación sends a FUR back, the next round's FUR starts as a draft copied from the round
sent back: every field, and its evidence carried over as references (new attachment rows that
point at the same stored file, so removing one from the draft never touches the earlier round).
The enlace sees the reviewer's reason above the form; the reviewer of the next round sees what
changed against the round sent back, field by field, with evidence added and removed.

Functions flush, never commit; the caller commits (and deletes the files `remove_evidence`
returns, after the commit).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.enums import ReviewDecision
from core.enums import VolanteStatus as VS
from core.errors import ValidationError
from core.models import Attachment, Fur, Review, Volante
from core.services.fur import FUR_FORM_FIELDS as FIELDS


def carry_forward(session: Session, previous: Volante, nuevo: Volante) -> Fur | None:
    """Start `nuevo`'s FUR as a draft copied from `previous`'s (fields and evidence)."""
    old = previous.fur
    if old is None or nuevo.fur is not None:
        return None
    fur = Fur(volante_id=nuevo.id, case_id=old.case_id, is_draft=True, version=1,
              **{name: getattr(old, name) for name in FIELDS})
    session.add(fur)
    nuevo.fur = fur
    session.flush()
    for att in evidence_of(session, old.id):
        session.add(Attachment(case_id=att.case_id, fur_id=fur.id, filename=att.filename,
                               content_type=att.content_type, size=att.size, storage_key=att.storage_key,
                               url=att.url, sha256=att.sha256, uploaded_by_id=att.uploaded_by_id))
    session.flush()
    return fur


def evidence_of(session: Session, fur_id: int) -> list[Attachment]:
    return list(session.scalars(select(Attachment).where(Attachment.fur_id == fur_id).order_by(Attachment.id)))


def previous_round(session: Session, volante: Volante) -> Volante | None:
    """The round sent back just before `volante` (None for a first round, or after a
    reassignment or a reopening, which start afresh)."""
    if volante.numero <= 1:
        return None
    before = session.scalar(select(Volante).where(Volante.case_id == volante.case_id,
                                                  Volante.numero == volante.numero - 1))
    if before is None or before.status != VS.DEVUELTO:
        return None
    return before


def send_back_review(session: Session, volante: Volante) -> Review | None:
    """The reviewer's decision that sent `volante` back (its reason is shown to the enlace)."""
    return session.scalar(select(Review).where(Review.volante_id == volante.id,
                                               Review.decision == ReviewDecision.DEVUELTA)
                          .order_by(Review.id.desc()).limit(1))


@dataclass(frozen=True)
class FieldChange:
    name: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass
class RoundDiff:
    """What changed from the round sent back (`previous`) to the current one."""

    previous: Volante
    reason: str | None
    fields: list[FieldChange] = field(default_factory=list)
    added: list[Attachment] = field(default_factory=list)
    removed: list[Attachment] = field(default_factory=list)
    kept: list[Attachment] = field(default_factory=list)

    @property
    def changed(self) -> list[FieldChange]:
        return [f for f in self.fields if f.changed]

    @property
    def anything_changed(self) -> bool:
        return bool(self.changed or self.added or self.removed)


def shown(value) -> str:
    """A field's value as the diff and the form show it ('' when empty)."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value).strip()


def _file_key(att: Attachment) -> str:
    """The stored file an attachment row points at: carried rows share it with the original."""
    return att.storage_key or (f"url:{att.url}" if att.url else f"id:{att.id}")


def round_diff(session: Session, volante: Volante) -> RoundDiff | None:
    """The diff of `volante`'s FUR against the round sent back before it (None when there is none)."""
    previous = previous_round(session, volante)
    if previous is None or previous.fur is None or volante.fur is None:
        return None
    review = send_back_review(session, previous)
    diff = RoundDiff(previous=previous, reason=review.reason if review else None)
    for name in FIELDS:
        diff.fields.append(FieldChange(name, shown(getattr(previous.fur, name)), shown(getattr(volante.fur, name))))
    before = evidence_of(session, previous.fur.id)
    after = evidence_of(session, volante.fur.id)
    before_keys = {_file_key(a) for a in before}
    after_keys = {_file_key(a) for a in after}
    diff.added = [a for a in after if _file_key(a) not in before_keys]
    diff.kept = [a for a in after if _file_key(a) in before_keys]
    diff.removed = [a for a in before if _file_key(a) not in after_keys]
    return diff


def remove_evidence(session: Session, volante: Volante, attachment_ids) -> list[str]:
    """Take evidence off the open round's draft. Returns the storage keys no other row uses any
    more (files uploaded to this draft alone), to delete once the caller has committed."""
    ids = {int(i) for i in attachment_ids}
    if not ids:
        return []
    fur = volante.fur
    if fur is None or not fur.is_draft or volante.status != VS.ABIERTO:
        raise ValidationError("Este FUR ya no admite cambios en su evidencia.", fields={"evidencia": "cerrado"})
    rows = list(session.scalars(select(Attachment).where(Attachment.id.in_(ids), Attachment.fur_id == fur.id)))
    if len(rows) != len(ids):
        raise ValidationError("La evidencia que quieres quitar no pertenece a este FUR.",
                              fields={"evidencia": "inválido"})
    keys = {r.storage_key for r in rows if r.storage_key}
    for row in rows:
        session.delete(row)
    session.flush()
    if not keys:
        return []
    still_used = set(session.scalars(select(Attachment.storage_key).where(Attachment.storage_key.in_(keys))))
    return sorted(keys - still_used)
