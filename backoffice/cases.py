"""The case page: transcript, data, volante rounds with FUR and review, audit, notes, actions.

Every lookup is scoped (core.access): another state's case answers 404, never 403.
Actions call core.services.cases with the current actor, commit, then dispatch the jobs.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from backoffice import presence
from backoffice.auth import current_actor, roles_required
from backoffice.conversations import REPLY_FIELDS
from backoffice.db import commit_and_dispatch, get_session
from backoffice.padron import case_affiliation
from backoffice.review import answer_label, review_context, round_badge
from backoffice.transcript import transcript_items
from core import audit, canned
from core.access import (
    can_edit,
    can_see_case,
    scope_cases,
    scope_volantes,
    sees_everything,
    sees_identity,
)
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
from core.errors import DomainError, PermissionDenied, ValidationError
from core.estados import BY_CLAVE
from core.lifecycle import HISTORY_NAMES
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
from core.services import cases as svc
from core.services.merge import merge_cases
from core.services.reopen import reopen_case
from core.versions import Seen, StaleVersion

bp = Blueprint("cases", __name__, url_prefix="/casos")

STAFF = (Role.VINCULACION, Role.ADMIN)
NOTE_MAX = svc.NOTE_MAX

# The case page's names of volante statuses: the status, and what an open round waits for.
VOLANTE_STATUS_NAMES = {status: f"{label} ({VOLANTE_WAITING_FOR[status]})" if status in VOLANTE_WAITING_FOR
                        else label for status, label in VOLANTE_STATUS_LABELS.items()}


# ---------------------------------------------------------------- scoped lookups (404 outside scope)

def get_case_or_404(case_id: int, *, options=()) -> Case:
    session = get_session()
    stmt = scope_cases(select(Case).where(Case.id == case_id), current_user)
    if options:
        stmt = stmt.options(*options)
    case = session.scalar(stmt)
    if case is None or not can_see_case(current_user, case):
        abort(404)
    return case


def get_volante_or_404(volante_id: int) -> Volante:
    session = get_session()
    stmt = scope_volantes(select(Volante).where(Volante.id == volante_id), current_user)
    volante = session.scalar(stmt)
    if volante is None or not can_see_case(current_user, volante.case):
        abort(404)
    return volante


def require_editor() -> None:
    """Participación social reads only: any change answers 403."""
    if not can_edit(current_user):
        abort(403)


def show_pii(user) -> bool:
    """Full CURP and phone for national operators; masked for enlaces and supervisors."""
    return user.role in STAFF


def error_status(exc: DomainError) -> int:
    if isinstance(exc, StaleVersion):
        return 409
    return 403 if isinstance(exc, PermissionDenied) else 422


def field_errors(exc: DomainError, default_field: str | None = None) -> dict[str, str]:
    if isinstance(exc, ValidationError) and exc.fields:
        return {name: exc.message for name in exc.fields}
    return {default_field: exc.message} if default_field else {}


# ---------------------------------------------------------------- page

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
                    and user.role in (Role.ENLACE, Role.VINCULACION, Role.ADMIN)),
        handoff=bool(case.contact and case.contact.handoff),
        sees_everything=sees_everything(user),
        **review_context(session, case, user, volantes, transcript), answer_label=answer_label,
        plazo=round_badge(session, open_volante),
        canned=canned.options_for(session, case) if case.contact and case.contact.handoff and user.role in STAFF
        else [], picker_fields=REPLY_FIELDS,
    ), status


@bp.get("/<int:case_id>")
@login_required
def detail(case_id: int):
    case = get_case_or_404(case_id)
    page = render_detail(case)
    session = get_session()
    audit.record_view(session, current_actor(), case)  # who opened which case (docs/audit.md)
    session.commit()
    return page


@bp.get("/<int:case_id>/presencia")
@login_required
def viewers(case_id: int):
    """The open page's heartbeat: who else is viewing the case now."""
    case = get_case_or_404(case_id)
    text = presence.sentence(presence.touch(get_session(), case.id, current_user.id))
    return jsonify({"text": text})


# ---------------------------------------------------------------- actions

def _run(case: Case, action: str, fn, *, success: str, default_field: str | None = None):
    """Run a service call; on DomainError roll back and re-render with what the user typed."""
    session = get_session()
    try:
        result = fn()
    except DomainError as exc:
        session.rollback()
        case = get_case_or_404(case.id)
        flash(exc.message, "error")
        stale = exc.changes if isinstance(exc, StaleVersion) else None
        form = request.form.to_dict()
        if stale is not None:  # the user's text stays; the page's version is the fresh one
            form.pop("version", None)
            form.pop("seen_event", None)
        return render_detail(case, form=form, errors=field_errors(exc, default_field),
                             active=action, status=error_status(exc), stale=stale)
    commit_and_dispatch(result.jobs)
    flash(success, "success")
    return redirect(url_for("cases.detail", case_id=case.id))


@bp.post("/<int:case_id>/gestion")
@roles_required(*STAFF)
def decide(case_id: int):
    case = get_case_or_404(case_id)
    choice = request.form.get("amerita", "")
    if choice not in ("si", "no"):
        return _run(case, "decide", _raise(ValidationError("Indica si el caso amerita gestión.",
                                                            fields={"amerita": "requerido"})),
                    success="")
    return _run(case, "decide", lambda: svc.decide_amerita_gestion(
        get_session(), case, current_actor(), choice == "si",
        reason=(request.form.get("reason") or "").strip() or None,
        instructions=(request.form.get("instructions") or "").strip()[:5000],
    ), success="Decisión registrada.", default_field="amerita")


def _raise(exc):
    def fn():
        raise exc
    return fn


def _int_or_none(value):
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


@bp.post("/<int:case_id>/turnar")
@roles_required(*STAFF)
def turn(case_id: int):
    case = get_case_or_404(case_id)
    raw = request.form.get("enlace_id", "")
    enlace_id = _int_or_none(raw)
    if raw.strip() and enlace_id is None:
        return _run(case, "turn", _raise(ValidationError("Elige un enlace de la lista.", fields={"enlace": "inválido"})),
                    success="")
    return _run(case, "turn", lambda: svc.turn_to_enlace(
        get_session(), case, current_actor(), enlace_id=enlace_id,
        instructions=(request.form.get("instructions") or "").strip()[:5000],
    ), success="Caso turnado al enlace.", default_field="enlace")


@bp.post("/<int:case_id>/reasignar")
@roles_required(Role.VINCULACION)
def reassign(case_id: int):
    case = get_case_or_404(case_id)
    return _run(case, "reassign", lambda: svc.reassign_estado(
        get_session(), case, current_actor(), (request.form.get("estado") or "").strip(),
        request.form.get("reason", ""), seen=Seen.from_form(request.form),
    ), success="Caso reasignado al nuevo estado.", default_field="reason")


@bp.post("/<int:case_id>/cancelar")
@roles_required(Role.VINCULACION)
def cancel(case_id: int):
    case = get_case_or_404(case_id)
    return _run(case, "cancel", lambda: svc.cancel_case(
        get_session(), case, current_actor(), request.form.get("reason", ""), seen=Seen.from_form(request.form),
    ), success="Caso cancelado.", default_field="reason")


@bp.post("/<int:case_id>/reabrir")
@roles_required(Role.VINCULACION)
def reopen(case_id: int):
    case = get_case_or_404(case_id)
    return _run(case, "reopen", lambda: reopen_case(
        get_session(), case, current_actor(), request.form.get("reason", ""), seen=Seen.from_form(request.form),
    ), success="Caso reabierto: inicia una nueva ronda con su propio plazo.", default_field="reason")


@bp.post("/<int:case_id>/fusionar")
@roles_required(Role.VINCULACION)
def merge(case_id: int):
    """Merge this case (the duplicate) into the folio typed or chosen (the case that carries on)."""
    case = get_case_or_404(case_id)
    folio = (request.form.get("survivor") or "").strip().upper()

    def run():
        survivor = get_session().scalar(scope_cases(select(Case).where(Case.folio == folio), current_user))
        if survivor is None:
            raise ValidationError("Escribe o elige el folio que sigue en trámite.", fields={"survivor": "inválido"})
        return merge_cases(get_session(), case, survivor, current_actor(), request.form.get("reason", ""),
                           seen=Seen.from_form(request.form))

    return _run(case, "merge", run, success="Folio fusionado: el caso sigue en el folio elegido.",
                default_field="survivor")


@bp.post("/<int:case_id>/pausar")
@roles_required(Role.VINCULACION)
def pause(case_id: int):
    case = get_case_or_404(case_id)
    return _run(case, "pause", lambda: svc.pause_clock(
        get_session(), case, current_actor(), request.form.get("reason", ""),
    ), success="Plazo pausado.", default_field="reason")


@bp.post("/<int:case_id>/reanudar")
@roles_required(Role.VINCULACION)
def resume(case_id: int):
    case = get_case_or_404(case_id)
    return _run(case, "resume", lambda: svc.resume_clock(get_session(), case, current_actor()),
                success="Plazo reanudado.")


@bp.post("/<int:case_id>/revision")
@roles_required(Role.VINCULACION)
def review(case_id: int):
    case = get_case_or_404(case_id)
    decision = request.form.get("decision", "")
    seen = Seen.from_form(request.form)
    if decision == "aceptar":
        return _run(case, "review", lambda: svc.accept_fur(get_session(), case, current_actor(), seen=seen),
                    success="Respuesta aceptada: el caso quedó concluido y se avisará al ciudadano.",
                    default_field="decision")
    if decision == "devolver":
        return _run(case, "review", lambda: svc.send_back(
            get_session(), case, current_actor(), request.form.get("reason", ""), seen=seen,
        ), success="FUR devuelto al enlace con un nuevo plazo.", default_field="reason")
    return _run(case, "review", _raise(ValidationError("Elige aceptar o devolver.", fields={"decision": "requerido"})),
                success="")


@bp.post("/<int:case_id>/notas")
@login_required
def add_note(case_id: int):
    require_editor()
    case = get_case_or_404(case_id)
    return _run(case, "note", lambda: svc.add_note(
        get_session(), case, current_actor(), request.form.get("body", ""), seen=Seen.from_form(request.form),
    ), success="Nota agregada.", default_field="body")

