"""Bodies of the report-delivery jobs (issue 17 item 7; rules in core/reports/delivery.py).

- `schedule_month(month)`: after the month's snapshots are frozen (build_monthly_report), one
  delivery row per scope with recipients, committed with its `deliver_report` job (outbox).
- `deliver(delivery_id)`: claim the row, make the PDF and XLSX, send one e-mail per pending
  address through SMTP (smtplib), committing each address's outcome at once; a failure is
  recorded on the row and retried later, never raised (RQ's own retries would double the tries).
- `deliver_pending()`: the periodic sweep that sends the rows whose next try has come (retries,
  rows whose job was lost, rows left claimed by a process that died).
"""

from __future__ import annotations

import logging
import smtplib

from core import notifications as notif
from core.config import Settings
from core.enums import Role
from core.jobs import Job, JobName, QueueName
from core.models import ReportDelivery, User
from core.reports import delivery as dl
from core.reports.months import Month
from core.timeutil import now
from workers.connections import current_settings, job_session
from workers.dispatch import commit_and_enqueue

log = logging.getLogger("sinac.jobs.report_delivery")

def delivery_job(delivery_id: int) -> Job:
    return Job(JobName.DELIVER_REPORT, {"delivery_id": delivery_id}, QueueName.DEFAULT)


def schedule_month(month: Month, settings: Settings | None = None) -> list[int]:
    """Delivery rows for the month's frozen reports (idempotent), sent by their jobs."""
    settings = settings or current_settings()
    with job_session(settings) as session:
        rows = dl.schedule_month(session, month, settings)
        ids = [row.id for row in rows]
        commit_and_enqueue(session, [delivery_job(i) for i in ids], settings)
    if ids:
        log.info("monthly report %s: %d deliveries", month.key, len(ids))
    return ids


def deliver(delivery_id: int, settings: Settings | None = None) -> str | None:
    """One try at one delivery; returns its status after the try (None: not ours to send now)."""
    settings = settings or current_settings()
    with job_session(settings) as session:
        if not dl.claim(session, int(delivery_id), now()):
            session.rollback()
            return None
        session.commit()
        row = session.get(ReportDelivery, int(delivery_id))
        error = _send(session, row, settings)
        status = dl.finish_attempt(row, now(), error)
        if status == dl.FALLIDO:
            _tell_admins(session, row)
        session.commit()
        log.info("report delivery %s: %s", row.id, status, extra={"delivery_id": row.id, "error": error})
        return status


def _send(session, row: ReportDelivery, settings: Settings) -> str | None:
    """Send to every pending address; the error that ended the try, if any."""
    if not settings.smtp_host:
        return "SMTP_HOST no está configurado: el informe se enviará cuando lo esté."
    try:  # the server first: while it is away no PDF is made for nothing
        client = notif.open_smtp(settings)
    except (OSError, smtplib.SMTPException) as exc:
        return f"Servidor de correo no disponible: {exc}"
    error = None
    try:
        try:
            files = dl.attachments(session, row)
        except Exception as exc:  # a broken render is recorded on the row and retried later
            log.exception("report delivery %s: files not made", row.id)
            return f"No se pudieron generar los archivos: {exc}"[:1000]
        row.files = [{"nombre": f.filename, "bytes": len(f.body)} for f in files]
        session.commit()
        for address in dl.pending_addresses(row):
            try:
                client.send_message(dl.build_message(settings, row, address, files))
            except smtplib.SMTPRecipientsRefused as exc:
                code = next(iter(exc.recipients.values()), (0, b""))[0]
                dl.record(row, address, dl.REFUSED if 500 <= code < 600 else dl.ERROR, now(), _text(exc))
            except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
                dl.record(row, address, dl.ERROR, now(), _text(exc))
                error = f"El servidor de correo no aceptó el mensaje: {_text(exc)}"
            except (OSError, smtplib.SMTPException) as exc:
                dl.record(row, address, dl.ERROR, now(), _text(exc))
                error = f"Se interrumpió el envío: {_text(exc)}"
                session.commit()
                break
            else:
                dl.record(row, address, dl.SENT, now())
            session.commit()  # this address's outcome is kept whatever happens next
    finally:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            pass
    return error


def _text(exc: Exception) -> str:
    return " ".join(str(exc).split())[:300]


def _tell_admins(session, row: ReportDelivery) -> None:
    admins = [u for u in session.query(User).filter(User.role == Role.ADMIN, User.active.is_(True))]
    month = Month.parse(row.month)
    notif.notify_users(
        session, admins, kind=notif.INFORME_NO_ENVIADO,
        text=(f"No se pudo enviar el informe de {month.label} ({dl.scope_label(row.scope)}): {row.last_error} "
              "Puedes reenviarlo desde Informe › Envíos por correo."),
        key=f"informe_no_enviado:{row.id}")


def deliver_pending(settings: Settings | None = None) -> int:
    """Send every row whose next try has come; returns how many were tried."""
    settings = settings or current_settings()
    with job_session(settings) as session:
        ids = dl.due_ids(session, now())
    tried = 0
    for delivery_id in ids:
        if deliver(delivery_id, settings) is not None:
            tried += 1
    return tried
