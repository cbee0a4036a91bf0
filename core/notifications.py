"""Staff notifications: in-app rows (idempotent by dedupe_key) and their e-mail copies.

- `notify()` inserts one Notification with INSERT ... ON CONFLICT (dedupe_key) DO NOTHING, so two
  runs of a job (or two schedulers racing) never create the same notification twice.
- E-mail goes through SMTP only when SMTP_HOST is set, and only for the kinds in EMAIL_KINDS.
  The job (workers.tasks.deliver_staff_emails) sends what has `emailed_at` empty and commits after
  each message, so a message that went out is not sent again; failures are retried by the next run
  for EMAIL_RETRY_WINDOW, then left in-app only.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterable
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.models import Notification, User
from core.timeutil import now

# Notification.kind vocabulary.
VOLANTE_NUEVO = "volante_nuevo"
VOLANTE_DEVUELTO = "volante_devuelto"
VOLANTE_REASIGNADO = "volante_reasignado"
FUR_RECIBIDO = "fur_recibido"
RECORDATORIO = "recordatorio"
ESCALAMIENTO = "escalamiento"
ENTREGA_FALLIDA = "entrega_fallida"
CASO_REABIERTO = "caso_reabierto"
RESPUESTA_AFILIADO = "respuesta_afiliado"
REVISION_POR_VENCER = "revision_por_vencer"  # core.review_clock
REVISION_VENCIDA = "revision_vencida"
INFORME_NO_ENVIADO = "informe_no_enviado"  # core/reports/delivery.py, to admins

KIND_LABELS = {
    VOLANTE_NUEVO: "Volante nuevo",
    VOLANTE_DEVUELTO: "Volante devuelto",
    VOLANTE_REASIGNADO: "Volante reasignado",
    FUR_RECIBIDO: "FUR por revisar",
    RECORDATORIO: "Recordatorio",
    ESCALAMIENTO: "Volante vencido",
    ENTREGA_FALLIDA: "Mensaje no entregado",
    CASO_REABIERTO: "Caso reabierto",
    RESPUESTA_AFILIADO: "Respuesta de la persona afiliada",
    REVISION_POR_VENCER: "Revisión de FUR por vencer",
    REVISION_VENCIDA: "Revisión de FUR vencida",
    INFORME_NO_ENVIADO: "Informe mensual no enviado",
}

# What is also e-mailed (when SMTP is configured): work that lands on someone's desk.
EMAIL_KINDS = frozenset({VOLANTE_NUEVO, VOLANTE_DEVUELTO, VOLANTE_REASIGNADO, RECORDATORIO, ESCALAMIENTO,
                         CASO_REABIERTO, RESPUESTA_AFILIADO, REVISION_POR_VENCER, REVISION_VENCIDA,
                         INFORME_NO_ENVIADO})
EMAIL_RETRY_WINDOW = timedelta(days=3)


def _insert(session: Session):
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(Notification)


def notify(session: Session, user: User | int, *, kind: str, text: str, dedupe_key: str,
           case_id: int | None = None, volante_id: int | None = None) -> Notification | None:
    """Create the notification unless one with this dedupe_key exists; returns the new row or None."""
    user_id = user if isinstance(user, int) else user.id
    stmt = (
        _insert(session)
        .values(user_id=user_id, kind=kind, text=text[:4000], dedupe_key=dedupe_key[:200],
                case_id=case_id, volante_id=volante_id, created_at=now())
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(Notification.id)
    )
    new_id = session.execute(stmt).scalar()
    if new_id is None:
        return None
    return session.get(Notification, new_id)


def notify_users(session: Session, users: Iterable[User], *, kind: str, text: str, key: str,
                 case_id: int | None = None, volante_id: int | None = None) -> list[Notification]:
    """One notification per user; `key` is suffixed with the user id to form the dedupe_key."""
    created = []
    for user in users:
        row = notify(session, user, kind=kind, text=text, dedupe_key=f"{key}:u{user.id}",
                     case_id=case_id, volante_id=volante_id)
        if row is not None:
            created.append(row)
    return created


def deliver_due(session: Session, dues) -> list[Notification]:
    """Turn core.reminders.Due items into notifications (idempotent)."""
    created = []
    for due in dues:
        for user in due.recipients:
            row = notify(session, user, kind=due.notification_kind, text=due.text,
                         dedupe_key=due.dedupe_key(user), case_id=due.volante.case_id,
                         volante_id=due.volante.id)
            if row is not None:
                created.append(row)
    return created


# ---- reading and marking (the back office page) --------------------------------------------

def for_user(session: Session, user_id: int, *, unread_only: bool = False, limit: int = 50,
             offset: int = 0) -> list[Notification]:
    query = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    query = query.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit).offset(offset)
    return list(session.scalars(query))


def count_for(session: Session, user_id: int, *, unread_only: bool = False) -> int:
    query = select(func.count(Notification.id)).where(Notification.user_id == user_id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return session.scalar(query) or 0


def unread_count(session: Session, user_id: int) -> int:
    return count_for(session, user_id, unread_only=True)


def mark_read(session: Session, user_id: int, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all when `ids` is None); others' ids are ignored."""
    stmt = update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if ids is not None:
        ids = [int(i) for i in ids]
        if not ids:
            return 0
        stmt = stmt.where(Notification.id.in_(ids))
    result = session.execute(stmt.values(read_at=now()).execution_options(synchronize_session=False))
    return result.rowcount or 0


# ---- e-mail ---------------------------------------------------------------------------------

def pending_emails(session: Session, at: datetime | None = None, limit: int = 200) -> list[Notification]:
    """Notifications still to be e-mailed: right kind, recent, to an active user with an address."""
    at = at or now()
    return list(session.scalars(
        select(Notification)
        .join(User, User.id == Notification.user_id)
        .where(Notification.emailed_at.is_(None), Notification.kind.in_(EMAIL_KINDS),
               Notification.created_at >= at - EMAIL_RETRY_WINDOW, User.active.is_(True))
        .order_by(Notification.id)
        .limit(limit)
    ))


def build_email(settings, notification: Notification, user: User) -> EmailMessage:
    label = KIND_LABELS.get(notification.kind, "Aviso")
    msg = EmailMessage()
    msg["From"] = settings.smtp_from
    msg["To"] = user.email
    msg["Subject"] = f"[SINAC] {label}"
    msg.set_content(
        f"Hola, {user.nombre}:\n\n{notification.text}\n\n"
        f"Consulta tus avisos en {settings.public_base_url}/avisos\n\n"
        "Este mensaje se envió automáticamente desde SINAC; no lo respondas.\n"
    )
    return msg


def open_smtp(settings) -> smtplib.SMTP:
    """A connected (and, if configured, STARTTLS-secured and logged-in) SMTP client."""
    client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=15)
    if getattr(settings, "smtp_starttls", False):
        client.starttls()
    if getattr(settings, "smtp_user", ""):
        client.login(settings.smtp_user, getattr(settings, "smtp_password", ""))
    return client


def notify_delivery_failed(session: Session, message) -> list[Notification]:
    """Tell vinculación (in-app) that a notice to the affiliate could not be delivered, once per
    message. For the channels' final-failure path (after retries and the SMS fallback)."""
    from core.models import Case
    from core.reminders import vinculacion_recipients

    case = session.get(Case, message.case_id) if message.case_id else None
    if case is None:
        return []
    detail = f" ({message.error})" if message.error else ""
    return notify_users(
        session, vinculacion_recipients(session), kind=ENTREGA_FALLIDA,
        text=f"No se pudo entregar un mensaje al afiliado del folio {case.folio}{detail[:300]}.",
        key=f"entrega_fallida:{message.id}", case_id=case.id)
