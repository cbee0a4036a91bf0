"""Retention purge: records of volantes and FURs are kept 5 years, then purged (DOMAIN.md §11).

Decision: *anonymise* the case, its volantes and FURs, and *delete* files and internal notes.
The rows stay so that monthly reports and their comparisons keep working; what identifies or
describes a person goes.

What counts as over 5 years: a case that is closed (atendida, concluida or cancelada) and whose
`closed_at` (or `created_at` when it has none) is more than RETENTION_YEARS before now — the same
calendar moment five years earlier (29 February counts from 28 February). Open cases are never
purged, however old: they are still being handled.

Per purged case (one audit event "depuracion" with counts; audit events themselves are
append-only and stay):
- Case: description emptied; curp, contacto_nombre/telefono/email, fecha_hechos_texto,
  satisfaction_comment cleared; the link to the Contact removed; anonymized_at set.
  Kept: folio, tipo, canal, estado, status, dates, unidad, concepto, monto, topic, satisfaction.
- Volantes: instructions and pause_reason cleared. Kept: numbers, dates, enlace, estado, status.
- FURs: acciones and respuesta_ciudadano cleared. Kept: resultado, amounts, dates, who filed.
- Reviews: the send-back reason cleared.
- Messages of the case: body, media, entities and template variables cleared (direction,
  channel, status, intent and times kept for statistics).
- Attachments of the case, its FURs and its messages: the stored files deleted, rows deleted.
- Notes: deleted.
- Requests for information to the affiliate (info_requests): the text asked and the closing reason
  cleared. Kept: dates, route, status.
Also purged: messages not tied to any case older than 5 years (bodies cleared, media files copied
from them deleted with their rows), and contacts with
no remaining unpurged case and no activity for 5 years (phone replaced by "anon:<id>", name and
dialogue state cleared) unless they opted out — an opted-out phone is kept so it is never
messaged again.
Access events of the system audit (logins, failed logins, logouts and case views: core.audit
ACCESS_ACTIONS) older than 5 years are deleted; they say who looked, not what happened to a case.
Every other audit event (transitions, notes, exports, permission changes) is kept (docs/audit.md).
Idempotent: anonymised rows are skipped, so running it twice purges nothing twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import and_, delete, func, null, or_, select, update
from sqlalchemy.orm import Session

from core import audit
from core.actors import SYSTEM
from core.enums import CaseStatus
from core.models import (
    Attachment,
    AuditEvent,
    Case,
    Contact,
    Fur,
    InfoRequest,
    Message,
    Note,
    Review,
    Volante,
)
from core.timeutil import now

log = logging.getLogger(__name__)

RETENTION_YEARS = 5
CLOSED_STATUSES = (CaseStatus.ATENDIDA, CaseStatus.CONCLUIDA, CaseStatus.CANCELADA)
ANON_PHONE_PREFIX = "anon:"
UPLOAD_DIR = "uploads"  # same root as backoffice.uploads


def cutoff(at: datetime) -> datetime:
    """The same moment RETENTION_YEARS earlier (29 Feb -> 28 Feb)."""
    try:
        return at.replace(year=at.year - RETENTION_YEARS)
    except ValueError:
        return at.replace(year=at.year - RETENTION_YEARS, day=28)


@dataclass
class PurgeResult:
    cases: int = 0
    volantes: int = 0
    furs: int = 0
    files: int = 0
    notes: int = 0
    messages: int = 0
    contacts: int = 0
    access_events: int = 0
    folios: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"casos": self.cases, "volantes": self.volantes, "furs": self.furs,
                "archivos": self.files, "notas": self.notes, "mensajes": self.messages,
                "contactos": self.contacts, "eventos_de_acceso": self.access_events}


def purgeable_cases_query(at: datetime):
    limit = cutoff(at)
    return (
        select(Case)
        .where(Case.anonymized_at.is_(None), Case.status.in_(CLOSED_STATUSES),
               func.coalesce(Case.closed_at, Case.created_at) < limit)
        .order_by(Case.id)
    )


def _file_path(instance_dir: Path, key: str) -> Path | None:
    """Where a storage key lives (under uploads/, or the instance dir itself); never outside."""
    if not key or key.startswith(("/", "\\")) or ".." in Path(key).parts:
        return None
    for root in (Path(instance_dir) / UPLOAD_DIR, Path(instance_dir)):
        root = root.resolve()
        path = (root / key).resolve()
        if root in path.parents and path.exists():
            return path
    return None


def _delete_attachments(session: Session, instance_dir: Path, condition) -> tuple[int, list[Path]]:
    rows = list(session.scalars(select(Attachment).where(condition)))
    paths = []
    for row in rows:
        path = _file_path(instance_dir, row.storage_key) if row.storage_key else None
        if path is not None:
            paths.append(path)
        session.delete(row)
    return len(rows), paths


def anonymise_case(session: Session, case: Case, instance_dir: Path, result: PurgeResult,
                   at: datetime) -> list[Path]:
    """Anonymise one case in the session; returns the files to delete once committed."""
    volante_ids = [v.id for v in case.volantes]
    fur_ids = list(session.scalars(select(Fur.id).where(Fur.case_id == case.id)))
    message_ids = list(session.scalars(select(Message.id).where(Message.case_id == case.id)))
    conditions = [Attachment.case_id == case.id]
    if fur_ids:
        conditions.append(Attachment.fur_id.in_(fur_ids))
    if message_ids:
        conditions.append(Attachment.message_id.in_(message_ids))
    n_files, paths = _delete_attachments(session, instance_dir, or_(*conditions))
    n_notes = session.execute(delete(Note).where(Note.case_id == case.id)).rowcount or 0
    if volante_ids:
        session.execute(update(Volante).where(Volante.id.in_(volante_ids))
                        .values(instructions="", pause_reason=None))
        session.execute(update(Review).where(Review.volante_id.in_(volante_ids)).values(reason=None))
    if fur_ids:
        session.execute(update(Fur).where(Fur.id.in_(fur_ids))
                        .values(acciones=None, respuesta_ciudadano=None))
    session.execute(update(InfoRequest).where(InfoRequest.case_id == case.id)  # what staff asked the affiliate
                    .values(text="", close_reason=None))
    if message_ids:
        session.execute(update(Message).where(Message.id.in_(message_ids))
                        .values(body="", media=null(), entities=null(), template_vars=null()))
    case.description = ""
    case.curp = None
    case.contacto_nombre = None
    case.contacto_telefono = None
    case.contacto_email = None
    case.fecha_hechos_texto = None
    case.satisfaction_comment = None
    case.contact_id = None
    case.anonymized_at = at
    counts = {"volantes": len(volante_ids), "furs": len(fur_ids), "archivos": n_files,
              "notas": n_notes, "mensajes": len(message_ids)}
    audit.record(session, SYSTEM, "depuracion", case=case,
                 reason=f"Conservación de {RETENTION_YEARS} años cumplida", data=counts)
    result.cases += 1
    result.volantes += len(volante_ids)
    result.furs += len(fur_ids)
    result.files += n_files
    result.notes += n_notes
    result.messages += len(message_ids)
    result.folios.append(case.folio)
    return paths


def _purge_loose_media(session: Session, instance_dir: Path, limit: datetime) -> list[Path]:
    """Media copied from messages that never joined a case (bot.media), past the period: rows
    now, files once committed."""
    old = select(Message.id).where(Message.case_id.is_(None), Message.created_at < limit)
    _count, paths = _delete_attachments(session, instance_dir, and_(
        Attachment.case_id.is_(None), Attachment.fur_id.is_(None), Attachment.message_id.in_(old)))
    return paths


def _purge_loose_messages(session: Session, limit: datetime) -> int:
    stmt = (update(Message)
            .where(Message.case_id.is_(None), Message.created_at < limit,
                   or_(Message.body != "", Message.media.is_not(None)))
            .values(body="", media=null(), entities=null(), template_vars=null())
            .execution_options(synchronize_session=False))
    return session.execute(stmt).rowcount or 0


def _purge_contacts(session: Session, limit: datetime) -> int:
    unpurged_case = (select(Case.id).where(Case.contact_id == Contact.id, Case.anonymized_at.is_(None))
                     .exists())
    contacts = list(session.scalars(
        select(Contact).where(
            Contact.opt_out.is_(False),
            ~Contact.phone.startswith(ANON_PHONE_PREFIX),
            func.coalesce(Contact.last_inbound_at, Contact.created_at) < limit,
            Contact.created_at < limit,
            ~unpurged_case,
        )
    ))
    for contact in contacts:
        contact.phone = f"{ANON_PHONE_PREFIX}{contact.id}"
        contact.nombre = None
        contact.dialog_state = None
    return len(contacts)


def _purge_access_events(session: Session, limit: datetime) -> int:
    """Logins and case views older than the retention period (a bulk delete: the append-only
    guard stops edits through the ORM, this is the one deletion the retention rule allows)."""
    stmt = (delete(AuditEvent).where(AuditEvent.action.in_(audit.ACCESS_ACTIONS), AuditEvent.created_at < limit)
            .execution_options(synchronize_session=False))
    return session.execute(stmt).rowcount or 0


def _delete_files(paths: list[Path]) -> None:
    """After the commit: a file that cannot be deleted is logged, never undoes the purge."""
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("could not delete purged file", extra={"error": str(exc)})


def purge(session: Session, instance_dir: Path, *, at: datetime | None = None,
          batch: int = 200) -> PurgeResult:
    """Purge everything over the retention period, committing per batch of cases.

    Files are deleted only after the batch that removed their rows committed, so a failed
    commit never leaves rows pointing at missing files.
    """
    at = at or now()
    limit = cutoff(at)
    result = PurgeResult()
    while True:
        cases = list(session.scalars(purgeable_cases_query(at).limit(batch)))
        if not cases:
            break
        paths: list[Path] = []
        for case in cases:
            paths += anonymise_case(session, case, instance_dir, result, at)
        session.commit()
        _delete_files(paths)
        if len(cases) < batch:
            break
    loose_files = _purge_loose_media(session, instance_dir, limit)
    result.files += len(loose_files)
    result.messages += _purge_loose_messages(session, limit)
    result.contacts += _purge_contacts(session, limit)
    result.access_events += _purge_access_events(session, limit)
    if result.cases or result.messages or result.contacts or result.access_events:
        audit.record(session, SYSTEM, "depuracion_resumen",
                     reason=f"Depuración de registros con más de {RETENTION_YEARS} años",
                     data=result.as_dict())
    session.commit()
    _delete_files(loose_files)
    return result
