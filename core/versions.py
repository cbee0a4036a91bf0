"""Optimistic concurrency: a form saved from an old version of a case or FUR draft is refused.

Forms carry what they were rendered from (`Seen`: the version, and the last audit event shown).
Every change claims the next version with one conditional UPDATE (`version = version + 1 WHERE
version = <the version read>`), so of two people saving from the same version the second finds no
row to update, even when both requests run at the same moment: PostgreSQL re-checks the WHERE once
the first transaction commits and SQLite serialises writers. The loser gets StaleVersion, which
says who changed what since; the back office re-renders the form with the user's text kept.

A caller that does not say what it saw (`Seen()`: the bot, jobs, older clients) is not checked but
still bumps the version, so staff forms opened before its change are refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from core.audit import history_only
from core.errors import DomainError
from core.models import AuditEvent, User

CHANGES_SHOWN = 10


@dataclass(frozen=True)
class Seen:
    """What a form was rendered from: the object's version and the newest audit event shown."""

    version: int | None = None
    event_id: int | None = None

    @classmethod
    def from_form(cls, form, prefix: str = "") -> Seen:
        return cls(_int(form.get(f"{prefix}version")), _int(form.get(f"{prefix}seen_event")))


def _int(value) -> int | None:
    value = str(value or "").strip()
    return int(value) if value.isdigit() else None


@dataclass(frozen=True)
class Change:
    """One thing someone else did since the form was opened (plain values: they outlive a rollback)."""

    who: str
    when: datetime | None
    action: str  # an audit action name, or "fur" for a draft saved by someone else
    reason: str | None = None
    field: str | None = None  # for a FUR draft: the field whose saved value differs from the form's
    value: str | None = None


class StaleVersion(DomainError):
    code = "stale_version"

    def __init__(self, message: str, *, changes: list[Change]):
        super().__init__(message)
        self.changes = changes


def claim(session: Session, obj, seen: Seen | None = None) -> None:
    """Bump `obj.version` if it is still what the form saw; else raise StaleVersion (with no
    changes: the caller that knows the object adds them, see claim_case and claim_fur)."""
    model = type(obj)
    current = obj.version or 1
    if seen is not None and seen.version is not None and seen.version != current:
        raise StaleVersion("stale", changes=[])
    result = session.execute(
        update(model).where(model.id == obj.id, model.version == current)
        .values(version=model.version + 1).execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise StaleVersion("stale", changes=[])
    set_committed_value(obj, "version", current + 1)


def claim_case(session: Session, case, seen: Seen | None = None) -> None:
    try:
        claim(session, case, seen)
    except StaleVersion:
        changes = changes_since(session, case.id, seen.event_id if seen else None)
        raise StaleVersion(
            "Alguien más cambió este caso mientras lo tenías abierto; revisa lo que cambió. "
            "Tu texto se conservó: vuelve a enviarlo si todavía aplica.", changes=changes) from None


def changes_since(session: Session, case_id: int, event_id: int | None) -> list[Change]:
    """The case's audit events after `event_id` (the newest ones when unknown), with names."""
    query = (select(AuditEvent, User.nombre).outerjoin(User, User.id == AuditEvent.actor_id)
             .where(AuditEvent.case_id == case_id, history_only()))
    if event_id is not None:
        query = query.where(AuditEvent.id > event_id)
    rows = session.execute(query.order_by(AuditEvent.id.desc()).limit(CHANGES_SHOWN)).all()
    return [Change(who=nombre or event.actor_label, when=event.created_at, action=event.action,
                   reason=event.reason) for event, nombre in reversed(rows)]


def last_event_id(session: Session, case_id: int) -> int:
    from sqlalchemy import func

    return session.scalar(select(func.max(AuditEvent.id)).where(AuditEvent.case_id == case_id, history_only())) or 0


def claim_fur(session: Session, fur, seen: Seen | None, posted: dict, fields) -> None:
    """Claim a FUR draft; when stale, the changes are the fields whose saved value differs from
    what the user posted, with who saved the draft last."""
    try:
        claim(session, fur, seen)
    except StaleVersion:
        session.refresh(fur)
        who = fur.updated_by.nombre if fur.updated_by is not None else "otra persona"
        changes = []
        for name in fields:
            saved = _text(getattr(fur, name, None))
            if name in posted and saved != _text(posted[name]):
                changes.append(Change(who=who, when=fur.updated_at, action="fur", field=name, value=saved))
        raise StaleVersion(
            f"{who} guardó este FUR mientras lo editabas. Abajo ves lo que guardó en cada campo que "
            "difiere; tu texto se conservó en el formulario: revísalo y vuelve a guardar.",
            changes=changes) from None


def _text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()
