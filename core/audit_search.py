"""The admin audit screen's search: events by user, action, date range and case folio, newest
first, a page at a time.

Pages are keyset pages (`before`: the last id of the previous page), so page 200 of a table with
millions of case views costs what page 1 costs; each filter has an index that walks ids in order
(ix_audit_events_action_id, ix_audit_events_actor_label_id, ix_audit_events_case_id_id, and the
primary key for a date range, bounded by ix_audit_events_created_at).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import AuditEvent, Case
from core.timeutil import MX_TZ

PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilter:
    usuario: str = ""  # an e-mail (the actor's label) or its beginning; "bot", "sistema"
    accion: str = ""
    desde: date | None = None  # Mexico City dates, both inclusive
    hasta: date | None = None
    folio: str = ""
    before: int | None = None  # keyset: events with a smaller id


@dataclass
class AuditPage:
    rows: list[tuple[AuditEvent, str | None]]  # (event, folio of its case)
    next_before: int | None  # the cursor of the next (older) page; None on the last one
    unknown_folio: bool = False


def _local_midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=MX_TZ).astimezone(UTC)


def search(session: Session, f: AuditFilter, *, page_size: int = PAGE_SIZE) -> AuditPage:
    stmt = select(AuditEvent, Case.folio).outerjoin(Case, Case.id == AuditEvent.case_id)
    if f.folio:
        case_id = session.scalar(select(Case.id).where(Case.folio == f.folio.strip().upper()))
        if case_id is None:
            return AuditPage([], None, unknown_folio=True)
        stmt = stmt.where(AuditEvent.case_id == case_id)
    if f.usuario:
        label = f.usuario.strip()
        if "@" in label:
            stmt = stmt.where(AuditEvent.actor_label == label.lower())
        else:  # the beginning of an e-mail, or "bot" / "sistema"
            stmt = stmt.where(AuditEvent.actor_label.startswith(label.lower(), autoescape=True))
    if f.accion:
        stmt = stmt.where(AuditEvent.action == f.accion)
    if f.desde is not None:
        stmt = stmt.where(AuditEvent.created_at >= _local_midnight_utc(f.desde))
    if f.hasta is not None:
        stmt = stmt.where(AuditEvent.created_at < _local_midnight_utc(f.hasta + timedelta(days=1)))
    if f.before is not None:
        stmt = stmt.where(AuditEvent.id < f.before)
    rows = [(event, folio) for event, folio in session.execute(
        stmt.order_by(AuditEvent.id.desc()).limit(page_size + 1))]
    more = len(rows) > page_size
    rows = rows[:page_size]
    return AuditPage(rows, rows[-1][0].id if more and rows else None)
