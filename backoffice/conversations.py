"""Conversations awaiting a person (Contact.handoff): read, reply through the same channel, release.

National operators only (vinculación, admin act; participación social reads). Replies go out
through bot.outbound.queueing.queue_replies(kind="staff") after the commit.

A contact that made a confidential report is that report's identity (docs/confidential.md): its
phone and messages are shown to Vinculación only, and only Vinculación answers it.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from backoffice.auth import current_actor, roles_required
from backoffice.canned import INSERT, insert_into
from backoffice.db import commit_and_dispatch, get_session
from core import audit, canned
from core.access import confidential_contact_ids, hide_confidential, scope_cases, sees_contact
from core.confidential import HIDDEN
from core.enums import OPEN_STATUSES, Role
from core.errors import DomainError, PermissionDenied, ValidationError
from core.models import Case, Contact, Message
from core.phones import mask_phone
from core.services import contacts

bp = Blueprint("conversations", __name__, url_prefix="/conversaciones")

READERS = (Role.VINCULACION, Role.ADMIN, Role.PARTICIPACION_SOCIAL)
ACTORS = (Role.VINCULACION, Role.ADMIN)
BODY_MAX = 1500
CONFIDENTIAL_REPLY = "Reporte confidencial: solo Vinculación Social escribe a la persona."
REPLY_FIELDS = [("body", "Respuesta")]
PAGE = 100


def _contact_or_404(contact_id: int) -> Contact:
    contact = get_session().get(Contact, contact_id)
    if contact is None:
        abort(404)
    return contact


def _sees(session, contact: Contact) -> bool:
    """May the current user see this contact's phone and messages (core.access.sees_contact)?"""
    return sees_contact(current_user, contact.id in confidential_contact_ids(session, [contact.id]))


def _contact_cases(session, contact: Contact) -> list[Case]:
    """The phone's reports this user may tie to it (a confidential one: Vinculación only)."""
    query = scope_cases(select(Case).where(Case.contact_id == contact.id), current_user)
    return list(session.scalars(hide_confidential(query, current_user).order_by(Case.id.desc())))


@bp.get("/")
@roles_required(*READERS)
def index():
    session = get_session()
    contacts = list(session.scalars(
        select(Contact).where(Contact.handoff.is_(True))
        .order_by(Contact.handoff_at.is_(None), Contact.handoff_at, Contact.id).limit(PAGE)
    ))
    last: dict[int, Message] = {}
    if contacts:
        ids = [c.id for c in contacts]
        latest = (select(func.max(Message.id)).where(Message.contact_id.in_(ids))
                  .group_by(Message.contact_id).scalar_subquery())
        for m in session.scalars(select(Message).where(Message.id.in_(latest))):
            last[m.contact_id] = m
    waiting = session.scalar(select(func.count()).select_from(Contact).where(Contact.handoff.is_(True))) or 0
    confidential = confidential_contact_ids(session, [c.id for c in contacts])
    hidden = {c.id for c in contacts if not sees_contact(current_user, c.id in confidential)}
    return render_template("conversations/index.html", contacts=contacts, last=last, waiting=waiting,
                           hidden=hidden, HIDDEN=HIDDEN)


def _render_detail(contact: Contact, *, form=None, errors=None, status=200):
    session = get_session()
    identity = _sees(session, contact)
    messages = list(session.scalars(
        select(Message).where(Message.contact_id == contact.id)
        .order_by(Message.created_at.desc(), Message.sequence.desc(), Message.id.desc()).limit(100)
    )) if identity else []
    messages.reverse()
    is_actor = current_user.role in ACTORS
    can_reply = is_actor and identity
    if not identity:
        phone = HIDDEN
    else:
        phone = contact.phone if is_actor else mask_phone(contact.phone)
    return render_template(
        "conversations/detail.html", contact=contact, messages=messages, cases=_contact_cases(session, contact),
        canned=canned.options_for(session, _open_case(session, contact)) if can_reply else [],
        picker_fields=REPLY_FIELDS, phone=phone, identity_hidden=not identity,
        can_act=is_actor, can_reply=can_reply, form=form or {}, errors=errors or {},
    ), status


@bp.get("/<int:contact_id>")
@roles_required(*READERS)
def detail(contact_id: int):
    return _render_detail(_contact_or_404(contact_id))


def _target_case(session, contact: Contact) -> Case | None:
    raw = (request.form.get("case_id") or "").strip()
    if raw.isdigit():
        stmt = scope_cases(select(Case).where(Case.contact_id == contact.id), current_user)
        case = session.scalar(stmt.where(Case.id == int(raw)))
        if case is None:
            abort(404)
        return case
    return _open_case(session, contact)


def _open_case(session, contact: Contact) -> Case | None:
    """The contact's newest open case: where a reply is recorded, and what fills its placeholders."""
    stmt = scope_cases(select(Case).where(Case.contact_id == contact.id), current_user)
    return session.scalar(stmt.where(Case.status.in_(list(OPEN_STATUSES))).order_by(Case.id.desc()).limit(1))


def _back(contact: Contact, case: Case | None):
    if request.form.get("next") == "case" and case is not None:
        return redirect(url_for("cases.detail", case_id=case.id))
    return redirect(url_for("conversations.detail", contact_id=contact.id))


def _error(contact: Contact, case: Case | None, exc: DomainError, status: int = 422):
    get_session().rollback()
    flash(exc.message, "error")
    errors = {name: exc.message for name in getattr(exc, "fields", {}) or {}} or {"body": exc.message}
    if request.form.get("next") == "case" and case is not None:
        from backoffice.case_detail import render_detail
        from backoffice.case_scope import get_case_or_404

        return render_detail(get_case_or_404(case.id), form=request.form.to_dict(), errors=errors,
                             active="reply", status=status)
    return _render_detail(contact, form=request.form.to_dict(), errors=errors, status=status)


@bp.post("/<int:contact_id>/responder")
@roles_required(*ACTORS)
def reply(contact_id: int):
    session = get_session()
    contact = _contact_or_404(contact_id)
    case = _target_case(session, contact)
    if request.form.get("accion") == INSERT:  # a canned response into the reply; nothing is sent
        form, errors = insert_into(session, request.form.to_dict(), case, ("body",))
        return _form_again(contact, case, form, errors)
    body = (request.form.get("body") or "").strip()
    try:
        if not _sees(session, contact):  # they cannot read the conversation they would answer
            raise PermissionDenied(CONFIDENTIAL_REPLY)
        if not body:
            raise ValidationError("Escribe la respuesta para el ciudadano.", fields={"body": "requerido"})
        if len(body) > BODY_MAX:
            raise ValidationError(f"La respuesta es demasiado larga (máximo {BODY_MAX} caracteres).",
                                  fields={"body": "largo"})
        if not contact.handoff:
            raise ValidationError("Esta conversación ya no espera a una persona: el bot la atiende.",
                                  fields={"body": "liberada"})
        if contact.opt_out:
            raise ValidationError("El ciudadano pidió no recibir mensajes (BAJA): no se puede enviar.",
                                  fields={"body": "baja"})
        from bot.outbound.queueing import queue_replies

        jobs = queue_replies(session, contact, [body], case_id=case.id if case else None, kind="staff",
                             sent_by_id=current_user.id)
        audit.record(session, current_actor(), "respuesta_personal", case=case,
                     data={"contact_id": contact.id})
    except DomainError as exc:
        return _error(contact, case, exc, 403 if isinstance(exc, PermissionDenied) else 422)
    commit_and_dispatch(jobs)
    flash("Respuesta enviada al ciudadano.", "success")
    return _back(contact, case)


def _form_again(contact: Contact, case: Case | None, form: dict, errors: dict):
    status = 422 if errors else 200
    if request.form.get("next") == "case" and case is not None:
        from backoffice.case_detail import render_detail
        from backoffice.case_scope import get_case_or_404

        return render_detail(get_case_or_404(case.id), form=form, errors=errors, active="reply", status=status)
    return _render_detail(contact, form=form, errors=errors, status=status)


@bp.post("/<int:contact_id>/liberar")
@roles_required(*ACTORS)
def release(contact_id: int):
    session = get_session()
    contact = _contact_or_404(contact_id)
    case = _target_case(session, contact)
    if contacts.release(session, current_actor(), contact, case=case):
        commit_and_dispatch([])
        flash("La conversación volvió al bot.", "success")
    else:
        flash("La conversación ya estaba a cargo del bot.", "info")
    if request.form.get("next") == "case" and case is not None:
        return redirect(url_for("cases.detail", case_id=case.id))
    return redirect(url_for("conversations.index"))
