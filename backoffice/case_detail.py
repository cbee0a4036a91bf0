"""What the case page shows: transcript, data, volante rounds with FUR and review, history,
notes, duplicates and the forms of its actions (render_detail: the page, or the page again with
what the person typed and what was refused). The routes are in backoffice/cases.py."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template
from flask_login import current_user
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from backoffice import presence
from backoffice.case_scope import STAFF, show_pii
from backoffice.conversations import REPLY_FIELDS
from backoffice.db import get_session
from backoffice.padron import case_affiliation
from backoffice.review import answer_label, review_context, round_badge
from backoffice.transcript import transcript_items
from core import audit, canned
from core.access import can_edit, sees_everything, sees_identity
from core.duplicates import open_candidates
from core.enums import (
    MESSAGE_STATUS_LABELS,
    OPEN_STATUSES,
    RESULTADO_LABELS,
    VOLANTE_STATUS_LABELS,
    VOLANTE_WAITING_FOR,
    CaseStatus,
    Role,
)
from core.enums import VolanteStatus as VS
from core.estados import BY_CLAVE
from core.lifecycle import ALLOWED_ROLES, HISTORY_NAMES, Action
from core.models import (
    Attachment,
    AuditEvent,
    Case,
    Message,
    Note,
    Reopening,
    Review,
    User,
    Volante,
)
from core.phones import mask_curp, mask_phone

# The case page's names of volante statuses: the status, and what an open round waits for.
VOLANTE_STATUS_NAMES = {status: f"{label} ({VOLANTE_WAITING_FOR[status]})" if status in VOLANTE_WAITING_FOR
                        else label for status, label in VOLANTE_STATUS_LABELS.items()}


def _transcript(session, case: Case, merged_ids: list[int] = ()) -> list[dict]:
    cond = Message.case_id.in_([case.id, *merged_ids])
    if case.contact_id and sees_everything(current_user):
        # National roles also see the unlinked turns around registration (an enlace sees only
        # what the bot linked to this case: the same phone may have cases in other states).
        # the conversation that led to the case, before it had a folio
        cond = or_(cond, and_(
            Message.contact_id == case.contact_id, Message.case_id.is_(None),
            Message.created_at >= case.created_at - timedelta(hours=24),
            Message.created_at <= case.created_at + timedelta(minutes=5),
        ))
    messages = list(session.scalars(
        select(Message).where(cond).order_by(Message.created_at, Message.sequence, Message.id).limit(500)
    ))
    return transcript_items(session, messages)


def _duplicates(session, case: Case, staff: bool) -> dict:
    """What the page says about duplicates: the folio it was merged into, the folios merged into
    it, and (for staff) the possible duplicates to merge in either direction."""
    merged_into = session.get(Case, case.merged_into_id) if case.merged_into_id else None
    merged_from = list(session.scalars(select(Case).where(Case.merged_into_id == case.id).order_by(Case.id)))
    candidates, later = [], []
    if staff and case.merged_into_id is None and case.status != CaseStatus.CANCELADA:
        candidates = open_candidates(session, case)
        later = list(session.scalars(
            select(Case).where(Case.possible_duplicate_id == case.id, Case.merged_into_id.is_(None),
                               Case.status != CaseStatus.CANCELADA).order_by(Case.id)))
        # duplicates are found through the contact: a confidential case is tied to others for Vinculación only
        if not sees_identity(current_user, case):
            candidates, later = [], []
        candidates = [c for c in candidates if sees_identity(current_user, c)]
        later = [c for c in later if sees_identity(current_user, c)]
    return {"merged_into": merged_into, "merged_from": merged_from, "candidates": candidates,
            "later_duplicates": later}


def render_detail(case: Case, *, form: dict | None = None, errors: dict | None = None,
                  active: str | None = None, status: int = 200, stale: list | None = None):
    session = get_session()
    dups = _duplicates(session, case, current_user.role in STAFF)
    merged_ids = [c.id for c in dups["merged_from"]]
    folios = {c.id: c.folio for c in dups["merged_from"]}
    volantes = list(session.scalars(
        select(Volante).where(Volante.case_id == case.id).order_by(Volante.numero)
        .options(selectinload(Volante.fur), selectinload(Volante.reviews).selectinload(Review.reviewer),
                 selectinload(Volante.enlace))
    ))
    fur_ids = [v.fur.id for v in volantes if v.fur is not None]
    evidence: dict[int, list[Attachment]] = {}
    if fur_ids:
        for att in session.scalars(select(Attachment).where(Attachment.fur_id.in_(fur_ids)).order_by(Attachment.id)):
            evidence.setdefault(att.fur_id, []).append(att)
    case_files = list(session.scalars(
        select(Attachment).where(Attachment.case_id == case.id, Attachment.fur_id.is_(None),
                                 Attachment.message_id.is_(None)).order_by(Attachment.id)
    ))
    events = list(session.scalars(select(AuditEvent).where(AuditEvent.case_id.in_([case.id, *merged_ids]),
                                                          audit.history_only())
                                  .order_by(AuditEvent.created_at, AuditEvent.id)))
    seen_event = max((e.id for e in events if e.case_id == case.id), default=0)
    reopenings = list(session.scalars(select(Reopening).where(Reopening.case_id == case.id).order_by(Reopening.id)))
    notes = list(session.scalars(
        select(Note).where(Note.case_id == case.id).order_by(Note.id).options(selectinload(Note.author))
    ))
    enlaces = []
    if case.estado_clave and current_user.role in STAFF:
        enlaces = list(session.scalars(
            select(User).where(User.role == Role.ENLACE, User.estado_clave == case.estado_clave,
                               User.active.is_(True)).order_by(User.nombre)
        ))
    open_volante = case.open_volante
    user = current_user
    pii = show_pii(user)
    phone = case.contact.phone if case.contact else case.contacto_telefono
    viewers = presence.touch(session, case.id, user.id)
    identity = sees_identity(user, case)  # a confidential case: Vinculación only (docs/confidential.md)
    transcript = _transcript(session, case, merged_ids) if identity else []
    if not identity:
        case_files = []
    return render_template(
        "cases/detail.html",
        case=case, volantes=volantes, evidence=evidence, case_files=case_files, events=events, notes=notes,
        transcript=transcript, enlaces=enlaces, open_volante=open_volante,
        seen_event=seen_event, stale=stale or [], presence_text=presence.sentence(viewers),
        presence_every=presence.HEARTBEAT, event_folios=folios, reopenings=reopenings, **dups,
        can_reopen=user.role == Role.VINCULACION and case.status in (CaseStatus.CONCLUIDA, CaseStatus.ATENDIDA),
        phone=(phone if pii else mask_phone(phone)) if identity else "",
        curp=(case.curp if pii else mask_curp(case.curp)) if identity else "",
        email=(case.contacto_email if pii else ("•••" if case.contacto_email else "")) if identity else "",
        nombre=case.contacto_nombre if identity else "", identity_hidden=not identity,
        afiliacion=case_affiliation(case, identity),
        form=form or {}, errors=errors or {}, active=active,
        is_vinc=user.role == Role.VINCULACION, is_staff=user.role in STAFF, editor=can_edit(user),
        is_open=case.status in OPEN_STATUSES, estados=sorted(BY_CLAVE.values(), key=lambda e: e.nombre),
        HISTORY_NAMES=HISTORY_NAMES, MESSAGE_STATUS_LABELS=MESSAGE_STATUS_LABELS,
        VOLANTE_STATUS_NAMES=VOLANTE_STATUS_NAMES, RESULTADO_LABELS=RESULTADO_LABELS,
        can_answer=(open_volante is not None and open_volante.status == VS.ABIERTO
                    and user.role in ALLOWED_ROLES[Action.RESPONDER]),
        handoff=bool(case.contact and case.contact.handoff),
        sees_everything=sees_everything(user),
        **review_context(session, case, user, volantes, transcript), answer_label=answer_label,
        plazo=round_badge(session, open_volante),
        canned=canned.options_for(session, case) if case.contact and case.contact.handoff and user.role in STAFF
        else [], picker_fields=REPLY_FIELDS,
    ), status
