"""The case page's routes: showing it (and who else has it open), and the actions on it — each
calls core.services with the current actor; the view commits, then dispatches the jobs, or shows
the page again with what was typed and why it was refused.

What the page shows is backoffice/case_detail.py; the scoped lookups (another state's case
answers 404, never 403) backoffice/case_scope.py.
"""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from backoffice import presence
from backoffice.auth import current_actor, roles_required
from backoffice.case_detail import render_detail
from backoffice.case_scope import STAFF, error_status, field_errors, get_case_or_404, require_editor
from backoffice.db import commit_and_dispatch, get_session
from core import audit
from core.access import scope_cases
from core.enums import Role
from core.errors import DomainError, ValidationError
from core.models import Case
from core.services import cases as svc
from core.services.merge import merge_cases
from core.services.reopen import reopen_case
from core.versions import Seen, StaleVersion

bp = Blueprint("cases", __name__, url_prefix="/casos")


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
