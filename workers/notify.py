"""Bodies of the notification and scheduled jobs (issue 7); workers.tasks registers them.

Each function opens its own session, commits what it decided, then enqueues the outbound jobs
(`workers.dispatch.commit_and_enqueue`) and e-mails staff when SMTP is configured. All are idempotent:
staff notifications by dedupe_key, affiliate messages by (case, kind, since) in `messages`.

Affiliate notices (through bot.outbound.queueing.queue_notification, which applies the 24-hour rule,
the template with SMS fallback, and never writes to an opted-out phone):
- volante opened: folio and due date — only when the bot did not just say it in the conversation:
  the case came from call_center, buzón or oficio, or it was turned later than OPENED_BY_BOT_WINDOW
  after a WhatsApp/SMS registration (e.g. vinculación set the estado or decided amerita gestión
  afterwards). The first round only; later rounds are send-backs (internal) or reassignments.
- volante reassigned (portabilidad): folio, new estado and due date.
- volante returned (ampliar gestión): nothing to the affiliate; the enlace is notified.
- case concluded: the accepted FUR's respuesta al ciudadano, then the satisfaction question (again
  after each new conclusion of a reopened case).
- case reopened (issue 17): folio, round and the new due date (or that vinculación will turn it);
  the enlace of the new round is notified, and vinculación when the affiliate reopened it.
- case merged into another (duplicate): the folio that carries on.
A case without a phone (no Contact and no contacto_telefono) gets nothing.
"""

from __future__ import annotations

import logging
import smtplib
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import notifications as notif
from core import reminders, review_clock
from core.config import Settings, current_settings
from core.enums import RESULTADO_LABELS, Canal, CaseStatus, Direction
from core.enums import VolanteStatus as VS
from core.errors import ValidationError
from core.jobs import Job
from core.models import Case, Contact, Message, User, Volante
from core.phones import normalize_phone
from core.satisfaction import QUESTION, SURVEY_KIND
from core.timeutil import fecha_larga, now, today_mx
from workers.connections import job_session
from workers.dispatch import commit_and_enqueue

log = logging.getLogger("sinac.jobs.notify")

OPENED_BY_BOT_WINDOW = timedelta(minutes=10)
BOT_CANALES = (Canal.WHATSAPP, Canal.SMS)

# Message.kind of the affiliate notices (SURVEY_KIND for the survey question).
KIND_VOLANTE = "aviso_volante"
KIND_REASIGNADO = "aviso_reasignado"
KIND_CONCLUSION = "aviso_conclusion"
KIND_REAPERTURA = "aviso_reapertura"
KIND_FUSION = "aviso_fusion"



# ---- helpers ----------------------------------------------------------------------------------

def _one_line(text: str, limit: int = 600) -> str:
    """Template variables may not hold newlines and should stay short."""
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def contact_for_case(session: Session, case: Case) -> Contact | None:
    """The affiliate's Contact; for cases registered by staff with a phone, found or created
    (channel sms: we never heard from them on WhatsApp) and linked to the case."""
    if case.contact is not None:
        return case.contact
    if not case.contacto_telefono:
        return None
    try:
        phone = normalize_phone(case.contacto_telefono)
    except ValidationError:
        log.warning("case phone is not valid, no notice", extra={"case_id": case.id})
        return None
    contact = session.scalar(select(Contact).where(Contact.phone == phone))
    if contact is None:
        contact = Contact(phone=phone, channel=Canal.SMS, estado_clave=case.estado_clave,
                          nombre=case.contacto_nombre)
        session.add(contact)
        session.flush()
    case.contact_id = contact.id
    case.contact = contact
    return contact


def already_sent(session: Session, case_id: int, kind: str, since: datetime | None = None) -> bool:
    query = select(Message.id).where(Message.case_id == case_id, Message.direction == Direction.OUTBOUND,
                                     Message.kind == kind)
    if since is not None:
        query = query.where(Message.created_at >= since)
    return session.scalar(query.limit(1)) is not None


def _queue_notification(session: Session, contact: Contact, text: str, *, folio: str, aviso: str,
                        case_id: int, kind: str) -> list[Job]:
    from bot.outbound.queueing import queue_notification

    return list(queue_notification(session, contact, text, template_vars={"1": folio, "2": _one_line(aviso)},
                                   case_id=case_id, kind=kind))


def merge_send_jobs(jobs: list[Job]) -> list[Job]:
    """Several send_outbound jobs become one carrying every message id in order, so the answer
    always arrives before the survey question."""
    sends = [j for j in jobs if j.name == "send_outbound" and isinstance(j.kwargs.get("message_ids"), list)]
    if len(sends) < 2:
        return jobs
    ids: list[int] = []
    for job in sends:
        ids += job.kwargs["message_ids"]
    merged = Job("send_outbound", {**sends[0].kwargs, "message_ids": ids}, sends[0].queue)
    rest = [j for j in jobs if j not in sends]
    return [merged, *rest]


def opening_told_by_bot(case: Case, volante: Volante) -> bool:
    """The bot already gave folio and due date in the conversation where the case was registered."""
    return (case.canal in BOT_CANALES and volante.numero == 1
            and volante.sent_at - case.created_at <= OPENED_BY_BOT_WINDOW)


def _finish(session: Session, jobs: list[Job], settings: Settings, *, emails: bool = True) -> None:
    commit_and_enqueue(session, jobs, settings)
    if emails:
        send_staff_emails(settings)


# ---- event notifications ----------------------------------------------------------------------

@contextmanager
def _volante_job(volante_id: int, settings: Settings):
    """The session of a notice about one volante, and the volante (None when it is gone)."""
    with job_session(settings) as session:
        yield session, session.get(Volante, volante_id)


def _promise(fecha: str, *, sentence: bool = False) -> str:
    """What the affiliate is promised when a volante opens: the round's due date."""
    return f"{'Te' if sentence else 'te'} daremos respuesta a más tardar el {fecha}"


def _tell_enlaces(session: Session, volante: Volante, kind: str, text: str, *, key: str | None = None) -> None:
    """The volante's enlace (or every enlace of its estado: core.reminders.enlace_recipients) hears
    it in the back office, once per `key` (by default the kind and the volante)."""
    notif.notify_users(session, reminders.enlace_recipients(session, volante), kind=kind, text=text,
                       key=key or f"{kind}:{volante.id}", case_id=volante.case_id, volante_id=volante.id)


def volante_opened(volante_id: int, settings: Settings | None = None) -> None:
    settings = settings or current_settings()
    with _volante_job(volante_id, settings) as (session, volante):
        if volante is None:
            return
        case = volante.case
        fecha = fecha_larga(volante.due_date)
        _tell_enlaces(session, volante, notif.VOLANTE_NUEVO,
                      f"Nuevo volante {case.folio} ({case.tipo.replace('_', ' ')}): vence el {fecha}.")
        jobs: list[Job] = []
        if volante.numero == 1 and not opening_told_by_bot(case, volante):
            jobs = _tell_affiliate(
                session, case, KIND_VOLANTE, since=volante.sent_at,
                text=(f"SINAC: registramos tu solicitud con el folio {case.folio}. {_promise(fecha, sentence=True)}. "
                      "Guarda tu folio para consultar cómo va."),
                aviso=f"registramos tu solicitud; {_promise(fecha)}")
        _finish(session, jobs, settings)


def volante_reassigned(volante_id: int, settings: Settings | None = None) -> None:
    settings = settings or current_settings()
    with _volante_job(volante_id, settings) as (session, volante):
        if volante is None:
            return
        case = volante.case
        fecha = fecha_larga(volante.due_date)
        estado = case.estado.nombre if case.estado else "otro estado"
        _tell_enlaces(session, volante, notif.VOLANTE_REASIGNADO,
                      f"Se te reasignó el volante {case.folio} desde otro estado: vence el {fecha}.")
        jobs = _tell_affiliate(
            session, case, KIND_REASIGNADO, since=volante.sent_at,
            text=f"SINAC: tu folio {case.folio} ahora lo atiende {estado}. {_promise(fecha, sentence=True)}.",
            aviso=f"ahora lo atiende {estado}; {_promise(fecha)}")
        _finish(session, jobs, settings)


def volante_returned(volante_id: int, settings: Settings | None = None) -> None:
    """Internal: the enlace hears it was sent back; nothing goes to the affiliate."""
    settings = settings or current_settings()
    with _volante_job(volante_id, settings) as (session, volante):
        if volante is None:
            return
        case = volante.case
        motivo = _one_line(volante.instructions, 300)
        _tell_enlaces(session, volante, notif.VOLANTE_DEVUELTO,
                      f"Vinculación devolvió el volante {case.folio} (vuelta {volante.numero}) para ampliar "
                      f"gestión: «{motivo}». Vence el {fecha_larga(volante.due_date)}.")
        _finish(session, [], settings)


def fur_filed(volante_id: int, settings: Settings | None = None) -> None:
    """Vinculación hears (in-app) that a FUR awaits review."""
    settings = settings or current_settings()
    with _volante_job(volante_id, settings) as (session, volante):
        if volante is None or volante.fur is None:
            return
        case = volante.case
        estado = case.estado.nombre if case.estado else "sin estado"
        resultado = RESULTADO_LABELS.get(volante.fur.resultado, "").lower() or volante.fur.resultado or "sin resultado"
        notif.notify_users(
            session, reminders.vinculacion_recipients(session), kind=notif.FUR_RECIBIDO,
            text=(f"FUR por revisar: {case.folio} de {estado} (vuelta {volante.numero}), "
                  f"resultado {resultado}."),
            key=f"fur_recibido:{volante.id}:{volante.fur.id}", case_id=case.id, volante_id=volante.id)
        _finish(session, [], settings, emails=False)


def case_concluded(case_id: int, settings: Settings | None = None) -> None:
    """The accepted FUR's respuesta al ciudadano, then the satisfaction question."""
    settings = settings or current_settings()
    with job_session(settings) as session:
        case = session.get(Case, case_id)
        if case is None or case.status != CaseStatus.CONCLUIDA:
            return
        accepted = [v for v in case.volantes if v.status == VS.ACEPTADO and v.fur is not None]
        if not accepted or not (accepted[-1].fur.respuesta_ciudadano or "").strip():
            return
        respuesta = accepted[-1].fur.respuesta_ciudadano.strip()
        since = accepted[-1].closed_at  # a reopened case hears its new conclusion too
        jobs = _tell_affiliate(
            session, case, KIND_CONCLUSION, since=since,
            text=f"SINAC, respuesta a tu folio {case.folio}:\n{respuesta}",
            aviso=f"tu caso concluyó. Respuesta: {respuesta}")
        jobs += _tell_affiliate(
            session, case, SURVEY_KIND, text=QUESTION, since=since,
            aviso="¿cómo calificas la atención que recibiste? Responde con un número del 1 al 5")
        _finish(session, merge_send_jobs(jobs), settings)


def case_reopened(case_id: int, volante_id: int | None = None, settings: Settings | None = None) -> None:
    """The affiliate hears the folio is open again (with the new due date when it was turned);
    the round's enlace gets the volante; vinculación hears when the affiliate asked for it."""
    from core.models import Reopening

    settings = settings or current_settings()
    with job_session(settings) as session:
        case = session.get(Case, case_id)
        reopening = session.scalar(select(Reopening).where(Reopening.case_id == case_id)
                                   .order_by(Reopening.id.desc()).limit(1))
        if case is None or reopening is None:
            return
        volante = session.get(Volante, volante_id) if volante_id else None
        motivo = _one_line(reopening.reason, 300)
        if volante is not None:
            fecha = fecha_larga(volante.due_date)
            _tell_enlaces(session, volante, notif.CASO_REABIERTO,
                          f"Se reabrió el folio {case.folio} (ronda {reopening.ronda}): «{motivo}». "
                          f"Vence el {fecha}.", key=f"caso_reabierto:{reopening.id}")
            text = f"SINAC: reabrimos tu folio {case.folio} para darle seguimiento. {_promise(fecha, sentence=True)}."
            aviso = f"reabrimos tu folio; {_promise(fecha)}"
        else:
            text = (f"SINAC: reabrimos tu folio {case.folio} para darle seguimiento. Te avisaremos "
                    "cuando se turne a tu estado.")
            aviso = "reabrimos tu folio; te avisaremos cuando se turne a tu estado"
        if reopening.by_affiliate:
            notif.notify_users(
                session, reminders.vinculacion_recipients(session), kind=notif.CASO_REABIERTO,
                text=f"La persona afiliada reabrió el folio {case.folio} (ronda {reopening.ronda}).",
                key=f"caso_reabierto_vinc:{reopening.id}", case_id=case.id)
        jobs = _tell_affiliate(session, case, KIND_REAPERTURA, since=reopening.created_at, text=text, aviso=aviso)
        _finish(session, jobs, settings)


def case_merged(case_id: int, settings: Settings | None = None) -> None:
    """The affiliate of a merged duplicate hears which folio carries on."""
    settings = settings or current_settings()
    with job_session(settings) as session:
        case = session.get(Case, case_id)
        if case is None or case.merged_into_id is None:
            return
        survivor = session.get(Case, case.merged_into_id)
        if survivor is None:
            return
        jobs = _tell_affiliate(
            session, case, KIND_FUSION,
            text=(f"SINAC: tu folio {case.folio} trata el mismo asunto que el folio {survivor.folio}; lo "
                  f"atenderemos junto con él. Usa el folio {survivor.folio} para consultar cómo va."),
            aviso=f"tu folio trata el mismo asunto que el folio {survivor.folio}; usa ese folio para consultarlo")
        _finish(session, jobs, settings)


def _tell_affiliate(session: Session, case: Case, kind: str, *, text: str, aviso: str,
                    since: datetime | None = None) -> list[Job]:
    contact = contact_for_case(session, case)
    if contact is None:
        return []
    if already_sent(session, case.id, kind, since):
        return []
    return _queue_notification(session, contact, text, folio=case.folio, aviso=aviso, case_id=case.id,
                               kind=kind)


def affiliate_replied(request_id: int, settings: Settings | None = None) -> None:
    """The affiliate answered a request for information sent from the case: the round's enlace
    and whoever asked hear it (in-app, and e-mail with SMTP), once each."""
    from core.models import InfoRequest

    settings = settings or current_settings()
    with job_session(settings) as session:
        request = session.get(InfoRequest, request_id)
        if request is None or request.answered_at is None:
            return
        case = request.case
        volante = session.get(Volante, request.volante_id) if request.volante_id else None
        users = list(reminders.enlace_recipients(session, volante)) if volante is not None else []
        if request.requested_by is not None and request.requested_by.active and request.requested_by not in users:
            users.append(request.requested_by)
        notif.notify_users(
            session, users, kind=notif.RESPUESTA_AFILIADO,
            text=f"La persona afiliada respondió la solicitud de información del folio {case.folio}.",
            key=f"respuesta_afiliado:{request.id}", case_id=case.id, volante_id=request.volante_id)
        _finish(session, [], settings)


# ---- scheduled ----------------------------------------------------------------------------

def send_reminders(settings: Settings | None = None, today=None) -> int:
    """Reminders to enlaces (their plazo) and to Vinculación (the review's, core.review_clock)."""
    settings = settings or current_settings()
    today = today or today_mx()
    with job_session(settings) as session:
        dues = reminders.reminders_due(session, today) + review_clock.reminders_due(session, today)
        created = notif.deliver_due(session, dues)
        _finish(session, [], settings)
        return len(created)


def escalate_overdue(settings: Settings | None = None, today=None) -> int:
    """Vencido rounds to Vinculación; late reviews to the head of Vinculación (core.review_clock)."""
    settings = settings or current_settings()
    today = today or today_mx()
    with job_session(settings) as session:
        dues = reminders.escalations_due(session, today) + review_clock.escalations_due(session, today)
        created = notif.deliver_due(session, dues)
        _finish(session, [], settings)
        return len(created)


def purge_retention(settings: Settings | None = None):
    from core.retention import purge

    settings = settings or current_settings()
    with job_session(settings) as session:
        result = purge(session, settings.instance_dir)
        log.info("retention purge", extra=result.as_dict())
        return result


def send_staff_emails(settings: Settings | None = None) -> int:
    """E-mail pending notifications (SMTP_HOST set); commits after each so none goes twice."""
    settings = settings or current_settings()
    if not settings.smtp_host:
        return 0
    sent = 0
    with job_session(settings) as session:
        pending = notif.pending_emails(session)
        if not pending:
            return 0
        try:
            client = notif.open_smtp(settings)
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("smtp unavailable, e-mails left for the next run", extra={"error": str(exc)})
            return 0
        try:
            for notification in pending:
                user = session.get(User, notification.user_id)
                try:
                    client.send_message(notif.build_email(settings, notification, user))
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as exc:
                    log.warning("e-mail refused", extra={"notification_id": notification.id, "error": str(exc)})
                    continue
                except (OSError, smtplib.SMTPException) as exc:
                    log.warning("smtp failed mid-batch", extra={"error": str(exc)})
                    break
                notification.emailed_at = now()
                session.commit()
                sent += 1
        finally:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                pass
    return sent
