"""Writing to the affiliate from the case (issue 16, item 1; docs/contact_from_case.md).

An enlace of the case's estado or Vinculación sends a free message, or a request for information
("envíanos foto del recibo"), through the bot's channel without seeing the phone. A request is a
fact beside the lifecycle (an InfoRequest row; the case keeps its status) whose effect on the
plazo goes through the transition table: SOLICITAR_INFORMACION pauses the open round's clock,
RECIBIR_INFORMACION (the bot, when the affiliate answers) and CERRAR_SOLICITUD (staff closing it
unanswered, or the FUR filed meanwhile) resume it, moving the due date by the business days it
was paused, the same arithmetic as Vinculación's own pause (core.services.cases.resume_clock).

The channel is the caller's: `send(contact, case, draft)` stores the outbound message(s) by the
24-hour rule and returns an `Outgoing` (bot.case_messages.sender). Like every service here, it
flushes, never commits, and returns the jobs to enqueue after the caller's commit. Audit events
hold no free text (they are never purged): what was written lives in the messages and the
InfoRequest row, which the retention purge clears.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core import audit
from core.actors import SYSTEM, Actor
from core.enums import CaseStatus, Role
from core.enums import VolanteStatus as VS
from core.errors import NotFound, PermissionDenied, ValidationError
from core.jobs import Job, JobName, QueueName
from core.lifecycle import Action, CaseEvent
from core.models import Attachment, Case, Contact, InfoRequest, Message
from core.plazos import calendar
from core.services.transition import Result, _transition
from core.timeutil import now, today_mx

ABIERTA = "abierta"
RESPONDIDA = "respondida"
CERRADA = "cerrada"
STATUS_LABELS = {ABIERTA: "Esperando respuesta", RESPONDIDA: "Respondida", CERRADA: "Cerrada sin respuesta"}

WRITERS = frozenset({Role.ENLACE, Role.VINCULACION})
TEXT_MAX = 1000  # one WhatsApp template variable, a few SMS
STAFF_KIND = "staff"  # the outbound Message.kind, as a handoff reply: "Personal SINAC" on the case

# The request most staff need, one click on the case page.
RECEIPT_TEXT = ("Para dar seguimiento a tu reporte, ¿nos puedes enviar una foto del recibo o comprobante "
                "de pago?")

# How the message went (bot.outbound.queueing.notification_route's names), in the staff's words.
ROUTE_LABELS = {
    "whatsapp": "por WhatsApp",
    "plantilla": ("por WhatsApp con la plantilla aprobada, porque la persona no ha escrito en las últimas "
                  "24 horas"),
    "sms": "por SMS",
}
PAUSE_REASON = "Solicitud de información a la persona afiliada"


@dataclass
class Outgoing:
    """What the channel stored: the route taken, the outbound message ids in order, their send job."""

    route: str
    message_ids: list[int]
    jobs: list[Job] = field(default_factory=list)


@dataclass(frozen=True)
class Draft:
    """What to send: the full text, the same on one line without the folio (the approved
    template's variable 2; variable 1 is the folio), and the outbound Message.kind."""

    body: str
    line: str
    kind: str


Sender = Callable[[Contact, Case, Draft], Outgoing]


@dataclass
class Sent(Result):
    route: str = ""
    request: InfoRequest | None = None


# ---------------------------------------------------------------- who may write, and what

def writable_contact(actor: Actor, case: Case) -> Contact:
    """The affiliate's contact, if this actor may write to them about this case; else the reason."""
    if actor.role not in WRITERS:
        raise PermissionDenied("Tu perfil no permite escribir a la persona afiliada.")
    if actor.role == Role.ENLACE and actor.estado_clave != case.estado_clave:
        raise PermissionDenied("Este caso no pertenece a tu estado.")
    if actor.role == Role.ENLACE and case.confidencial:
        # the enlace does not see a confidential report's messages (docs/confidential.md)
        raise PermissionDenied("Reporte confidencial: solo Vinculación Social escribe a la persona.")
    if case.status not in (CaseStatus.REGISTRADA, CaseStatus.TURNADA, CaseStatus.RESPONDIDA):
        raise ValidationError("El caso ya está cerrado: no se puede escribir a la persona afiliada desde aquí.")
    contact = case.contact
    if contact is None or not contact.phone or contact.phone.startswith("anon:"):
        raise ValidationError("Este caso no tiene un teléfono de WhatsApp o SMS al cual escribir.")
    if contact.opt_out:
        raise ValidationError("La persona pidió no recibir mensajes (BAJA): no se le puede escribir.")
    return contact


def _clean(text: str | None) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError("Escribe el mensaje para la persona afiliada.", fields={"body": "requerido"})
    if len(text) > TEXT_MAX:
        raise ValidationError(f"El mensaje es demasiado largo (máximo {TEXT_MAX} caracteres).",
                              fields={"body": "largo"})
    return text


def compose(case: Case, text: str, *, ask: bool) -> Draft:
    """What the affiliate reads: about which folio, who writes, the text (and, for a request,
    that answering this message is enough)."""
    line = " ".join(text.split())
    if ask:
        after = "Responde a este mensaje y lo agregamos a tu folio."
        return Draft(f"Sobre tu folio {case.folio}, la persona que atiende tu caso te pide:\n{text}\n{after}",
                     f"{line} {after}", STAFF_KIND)
    return Draft(f"Sobre tu folio {case.folio}, la persona que atiende tu caso te escribe:\n{text}", line,
                 STAFF_KIND)


# ---------------------------------------------------------------- sending

def write_to_affiliate(session: Session, actor: Actor, case: Case, text: str, *, ask: bool,
                       send: Sender) -> Sent:
    """A free message (ask=False) or a request for information (ask=True, pauses the plazo)."""
    contact = writable_contact(actor, case)
    text = _clean(text)
    if ask:
        _check_can_ask(session, case, contact)
    outgoing = send(contact, case, compose(case, text, ask=ask))
    first = outgoing.message_ids[0] if outgoing.message_ids else None
    how = ROUTE_LABELS.get(outgoing.route, outgoing.route)
    if not ask:
        audit.record(session, actor, CaseEvent.MENSAJE_AFILIADO, case=case, reason=f"Enviado {how}.",
                     data={"ruta": outgoing.route, "message_id": first})
        return Sent(case, list(outgoing.jobs), route=outgoing.route)
    volante = case.open_volante
    pauses = volante is not None and volante.status == VS.ABIERTO and volante.paused_at is None
    request = InfoRequest(case_id=case.id, volante_id=volante.id if volante is not None else None,
                          contact_id=contact.id, requested_by_id=actor.id, text=text, route=outgoing.route,
                          message_id=first, status=ABIERTA, paused_clock=pauses, created_at=now())
    session.add(request)
    session.flush()
    reason = f"Enviada {how}." + (" El plazo queda en pausa hasta que responda." if pauses else "")
    _transition(session, case, Action.SOLICITAR_INFORMACION, actor, reason=reason,
                data={"solicitud": request.id, "ruta": outgoing.route, "message_id": first,
                      "volante": volante.numero if volante is not None else None, "pausa": pauses})
    if pauses:
        volante.paused_at = request.created_at
        volante.pause_reason = PAUSE_REASON
    return Sent(case, list(outgoing.jobs), route=outgoing.route, request=request)


def _check_can_ask(session: Session, case: Case, contact: Contact) -> None:
    if case.status == CaseStatus.RESPONDIDA:
        raise ValidationError("El FUR está en revisión: envía un mensaje, o espera la revisión para pedir información.")
    pending = open_request_for(session, contact)
    if pending is not None and pending.case_id == case.id:
        raise ValidationError("Ya hay una solicitud de información esperando respuesta en este folio: "
                              "ciérrala antes de enviar otra.", fields={"body": "pendiente"})
    if pending is not None:  # its folio may be another estado's: not named
        raise ValidationError("Esta persona tiene una solicitud de información esperando respuesta en otro "
                              "folio: podrás pedirle información cuando responda o se cierre.",
                              fields={"body": "pendiente"})


# ---------------------------------------------------------------- the affiliate's reply (the bot)

def newest_open_request(session: Session, contact: Contact) -> InfoRequest | None:
    return session.scalar(
        select(InfoRequest).where(InfoRequest.contact_id == contact.id, InfoRequest.status == ABIERTA)
        .order_by(InfoRequest.id.desc()).limit(1))


def still_waited_for(request: InfoRequest) -> bool:
    """The request's case still waits for it: open, and on the round it was sent in."""
    case = request.case
    volante = case.open_volante
    return case.status in (CaseStatus.REGISTRADA, CaseStatus.TURNADA) and (
        request.volante_id is None or (volante is not None and volante.id == request.volante_id))


def open_request_for(session: Session, contact: Contact) -> InfoRequest | None:
    """The contact's request still waiting for an answer. One whose case moved on (cancelled,
    merged, reassigned, or its round answered) is closed here and not returned."""
    request = newest_open_request(session, contact)
    if request is None or still_waited_for(request):
        return request
    request.status = CERRADA
    request.closed_at = now()
    request.close_reason = "El caso dejó de esperar esta respuesta."
    audit.record(session, SYSTEM, CaseEvent.SOLICITUD_CERRADA, case=request.case, reason=request.close_reason,
                 data={"solicitud": request.id})
    return None


def record_reply(session: Session, actor: Actor, request: InfoRequest, message: Message) -> Result:
    """The affiliate answered (text, photo or both): the message and its media go to the case,
    the request is answered, the clock resumes, and the staff hear it (job)."""
    case = request.case
    link_message(session, case, message)
    request.status = RESPONDIDA
    request.answered_at = now()
    request.reply_message_id = message.id
    days = _resume(session, case, request)
    media = len(message.media or [])
    reason = "Respondió" + (f" con {media} archivo(s)" if media else "") + "."
    if days is not None:
        reason += f" Plazo reanudado ({_days_text(days)})."
    _transition(session, case, Action.RECIBIR_INFORMACION, actor, reason=reason,
                data={"solicitud": request.id, "message_id": message.id, "archivos": media, "dias": days})
    return Result(case, [Job(JobName.NOTIFY_AFFILIATE_REPLIED, {"request_id": request.id}, QueueName.DEFAULT)])


def link_message(session: Session, case: Case, message: Message) -> None:
    """A message and its stored media belong to the case from now on."""
    message.case_id = case.id
    session.execute(update(Attachment).where(Attachment.message_id == message.id)
                    .values(case_id=case.id).execution_options(synchronize_session=False))


# ---------------------------------------------------------------- closing it unanswered

def close_request(session: Session, actor: Actor, case: Case, request_id: int,
                  reason: str = "Cerrada por el personal sin respuesta.") -> Result:
    request = session.get(InfoRequest, request_id)
    if request is None or request.case_id != case.id:
        raise NotFound("La solicitud no existe en este caso.")
    if actor.role == Role.ENLACE and actor.estado_clave != case.estado_clave:
        raise PermissionDenied("Este caso no pertenece a tu estado.")
    if request.status != ABIERTA:
        raise ValidationError("Esa solicitud ya no está abierta.")
    _close(session, actor, case, request, reason)
    return Result(case)


def close_open_requests(session: Session, actor: Actor, case: Case, reason: str) -> None:
    """Before the case leaves `turnada` on its own (the FUR filed): what waits for the affiliate
    is closed and the clock it paused resumes, so the round's due date counts the pause."""
    for request in session.scalars(select(InfoRequest).where(InfoRequest.case_id == case.id,
                                                             InfoRequest.status == ABIERTA)):
        _close(session, actor if actor.role in WRITERS or actor.is_automatic else SYSTEM, case, request, reason)


def _close(session: Session, actor: Actor, case: Case, request: InfoRequest, reason: str) -> None:
    request.status = CERRADA
    request.closed_at = now()
    request.closed_by_id = actor.id
    request.close_reason = reason
    days = _resume(session, case, request)
    text = reason + (f" Plazo reanudado ({_days_text(days)})." if days is not None else "")
    _transition(session, case, Action.CERRAR_SOLICITUD, actor, reason=text,
                data={"solicitud": request.id, "dias": days})


def _resume(session: Session, case: Case, request: InfoRequest) -> int | None:
    """Resume the clock this request paused (only that one: a pause of Vinculación's stays);
    the business days the due date moved, or None when there was nothing of it to resume."""
    volante = case.open_volante
    if (not request.paused_clock or volante is None or volante.id != request.volante_id
            or volante.paused_at is None or volante.pause_reason != PAUSE_REASON):
        return None
    cal = calendar(session)
    days = cal.between(today_mx(volante.paused_at), today_mx())
    if days:
        volante.due_date = cal.add(volante.due_date, days)
    volante.paused_at = None
    volante.pause_reason = None
    return days


def _days_text(days: int) -> str:
    if days == 0:
        return "sin días hábiles en pausa"
    return "el vencimiento se recorre 1 día hábil" if days == 1 else f"el vencimiento se recorre {days} días hábiles"


def requests_of(session: Session, case: Case) -> list[InfoRequest]:
    return list(session.scalars(select(InfoRequest).where(InfoRequest.case_id == case.id)
                                .order_by(InfoRequest.id.desc())))
