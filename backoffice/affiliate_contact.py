"""Writing to the affiliate from the case page (core.services.affiliate_contact): a free message
or a request for information, through the bot's channel (bot.case_messages), never showing the
full phone. The case is looked up in the user's scope first: another estado's case answers 404
and nothing is sent. The panel's data comes from `affiliate_contact_panel(case)` in templates.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_login import current_user

from backoffice.auth import current_actor, roles_required
from backoffice.case_detail import render_detail
from backoffice.case_scope import error_status, field_errors, get_case_or_404
from backoffice.db import commit_and_dispatch, get_session
from bot.case_messages import sender
from bot.outbound.queueing import WHATSAPP_WINDOW, notification_route, within_whatsapp_window
from core.enums import CaseStatus
from core.errors import DomainError
from core.phones import mask_phone
from core.services import affiliate_contact as svc

bp = Blueprint("affiliate_contact", __name__, url_prefix="/casos")

WRITERS = tuple(sorted(svc.WRITERS))  # who may write to the affiliate: the service's rule


def _settings():
    return current_app.config["SINAC"]


def _fail(case, exc: DomainError):
    get_session().rollback()
    flash(exc.message, "error")
    case = get_case_or_404(case.id)
    return render_detail(case, form=request.form.to_dict(), errors=field_errors(exc, "body"), active="write",
                         status=error_status(exc))


@bp.post("/<int:case_id>/escribir")
@roles_required(*WRITERS)
def write(case_id: int):
    case = get_case_or_404(case_id)
    receipt = request.form.get("preset") == "recibo"
    ask = receipt or request.form.get("modo") == "solicitud"
    text = svc.RECEIPT_TEXT if receipt else request.form.get("body", "")
    session = get_session()
    actor = current_actor()
    try:
        result = svc.write_to_affiliate(session, actor, case, text, ask=ask,
                                        send=sender(session, _settings(), sent_by_id=actor.id))
    except DomainError as exc:
        return _fail(case, exc)
    commit_and_dispatch(result.jobs)
    how = svc.ROUTE_LABELS.get(result.route, result.route)
    if not ask:
        flash(f"Mensaje enviado {how}.", "success")
    elif result.request is not None and result.request.paused_clock:
        flash(f"Solicitud enviada {how}. El plazo queda en pausa hasta que la persona responda.", "success")
    else:
        flash(f"Solicitud enviada {how}.", "success")
    return redirect(url_for("cases.detail", case_id=case.id, _anchor="escribir"))


@bp.post("/<int:case_id>/solicitudes/<int:request_id>/cerrar")
@roles_required(*WRITERS)
def close(case_id: int, request_id: int):
    case = get_case_or_404(case_id)
    try:
        result = svc.close_request(get_session(), current_actor(), case, request_id)
    except DomainError as exc:
        return _fail(case, exc)
    commit_and_dispatch(result.jobs)
    flash("Solicitud cerrada sin respuesta; el plazo vuelve a correr.", "success")
    return redirect(url_for("cases.detail", case_id=case.id, _anchor="escribir"))


@bp.app_context_processor
def _panel_helper():
    return {"affiliate_contact_panel": affiliate_contact_panel}


def affiliate_contact_panel(case) -> dict:
    """What the case page's «Escribir a la persona afiliada» card shows to this user."""
    session = get_session()
    panel = {"visible": current_user.role in WRITERS, "requests": [], "reason": "", "can_write": False,
             "can_ask": False, "phone": "", "window": "", "route": "", "open_request": None,
             "labels": svc.STATUS_LABELS}
    if not panel["visible"]:
        return panel
    panel["requests"] = svc.requests_of(session, case)
    panel["open_request"] = next((r for r in panel["requests"] if r.status == svc.ABIERTA), None)
    try:
        contact = svc.writable_contact(current_actor(), case)
    except DomainError as exc:
        panel["reason"] = exc.message
        return panel
    settings = _settings()
    template_sid = settings.whatsapp_contact_template_sid or settings.whatsapp_template_sid
    panel.update(can_write=True, phone=mask_phone(contact.phone),
                 route=svc.ROUTE_LABELS[notification_route(contact, template_sid)])
    if contact.channel == "whatsapp" and within_whatsapp_window(contact):
        panel["window"] = contact.last_inbound_at + WHATSAPP_WINDOW
    pending = svc.newest_open_request(session, contact)
    pending = pending if pending is not None and svc.still_waited_for(pending) else None
    panel["can_ask"] = case.status in (CaseStatus.REGISTRADA, CaseStatus.TURNADA) and pending is None
    panel["pending_elsewhere"] = pending if pending is not None and pending.case_id != case.id else None
    return panel

