"""The frozen monthly reports sent by e-mail (issue 17 item 7, docs/reports.md «Envío por correo»).

On the 1st, once the month's snapshots are frozen (workers: build_monthly_report), every scope
with recipients — the national report and each estado's — gets one `ReportDelivery` row, and a
job sends it: one e-mail per address with the report as PDF (core/reports/pdf.py) and XLSX
(core/reports/export.py, the dashboard's exporter). Rules:
- Recipients: national = REPORT_EMAIL_TO (environment) plus the admin page's list; an estado's =
  the admin page's list for it (none: that estado's report is not sent).
- Each address's outcome is committed as soon as it is known, so a retry goes only to the
  addresses still pending (only a crash between the server's acceptance and that commit can
  give one address a second copy).
- A failed try (SMTP down, refused connection, a temporary 4xx) is recorded on the row
  (`last_error`, `attempts`) and retried later (RETRY_DELAYS) by the periodic job; after
  MAX_ATTEMPTS or RETRY_WINDOW the row is `fallido` and admins are told in-app. A permanent
  refusal of one address (5xx) is final for that address. Nothing is lost: an admin re-sends a
  row from the directorate's page (a new row, to the recipients of that moment).
- One sender at a time per row: a sender claims the row (`claimed_until`) with one UPDATE.

Pure domain (no RQ, no Flask): workers/report_delivery.py sends; the caller commits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import ValidationError
from core.estados import BY_CLAVE
from core.models import ReportDelivery, ReportSnapshot, Setting
from core.reports.months import Month
from core.reports.snapshots import NACIONAL, estado_of, find, scope_for
from core.timeutil import MX_TZ

PENDIENTE, ENVIADO, FALLIDO = "pendiente", "enviado", "fallido"
STATUS_LABELS = {PENDIENTE: "Pendiente", ENVIADO: "Enviado", FALLIDO: "Fallido"}
SENT, REFUSED, ERROR = "enviado", "rechazado", "error"  # one address's outcome
RETRY_DELAYS = (timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1), timedelta(hours=3),
                timedelta(hours=6), timedelta(hours=12))
MAX_ATTEMPTS = 10
RETRY_WINDOW = timedelta(days=3)
CLAIM_LEASE = timedelta(minutes=15)
SETTING_PREFIX = "informe.destinatarios."
MAX_RECIPIENTS = 50
_ADDRESS = re.compile(r"^[^@\s,;<>\"']+@[^@\s,;<>\"']+\.[A-Za-z]{2,}$")
PDF, XLSX = "application/pdf", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---- recipients ---------------------------------------------------------------------------

def parse_addresses(text: str | None) -> tuple[list[str], list[str]]:
    """'a@x.mx, b@x.mx; c@x.mx' (any mix of commas, semicolons, spaces, lines) -> (valid in order
    without repeats, invalid as typed)."""
    valid, invalid = [], []
    for part in re.split(r"[\s,;]+", text or ""):
        if not part:
            continue
        if _ADDRESS.match(part):
            if part.lower() not in (v.lower() for v in valid):
                valid.append(part)
        else:
            invalid.append(part)
    return valid, invalid


def setting_key(estado: str | None) -> str:
    return SETTING_PREFIX + (estado or NACIONAL)


def configured(session: Session, estado: str | None) -> list[str]:
    """The admin page's list for the scope."""
    row = session.get(Setting, setting_key(estado))
    return parse_addresses(row.value if row else "")[0]


def recipients_for(session: Session, settings, estado: str | None) -> list[str]:
    """Who gets the scope's report: national = REPORT_EMAIL_TO + the admin page's list."""
    listed = configured(session, estado)
    if estado:
        return listed
    merged = parse_addresses(" ".join(settings.report_email_to))[0]
    for address in listed:
        if address.lower() not in (m.lower() for m in merged):
            merged.append(address)
    return merged


def set_recipients(session: Session, estado: str | None, text: str) -> list[str]:
    """Save the admin page's list for the scope (the caller commits and audits); refuses any
    address that is not one, naming it."""
    valid, invalid = parse_addresses(text)
    name = "nacional" if not estado else estado
    if invalid:
        raise ValidationError("Estas direcciones de correo no son válidas: " + ", ".join(invalid[:5]) + ".",
                              fields={name: "inválido"})
    if len(valid) > MAX_RECIPIENTS:
        raise ValidationError(f"Máximo {MAX_RECIPIENTS} direcciones por informe.", fields={name: "largo"})
    row = session.get(Setting, setting_key(estado))
    if not valid:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(Setting(key=setting_key(estado), value=", ".join(valid)))
    else:
        row.value = ", ".join(valid)
    return valid


# ---- making deliveries -------------------------------------------------------------------

def _new(session: Session, snapshot: ReportSnapshot, recipients: list[str], *, dedupe_key: str | None,
         requested_by: str, resend_of_id: int | None = None) -> ReportDelivery | None:
    row = ReportDelivery(month=snapshot.month, scope=snapshot.scope, snapshot_id=snapshot.id,
                         recipients=list(recipients), results={}, files=[], status=PENDIENTE, attempts=0,
                         dedupe_key=dedupe_key, requested_by=requested_by[:200], resend_of_id=resend_of_id)
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:  # a second scheduler made the month's row first
        return None
    return row


def schedule_month(session: Session, month: Month, settings) -> list[ReportDelivery]:
    """One delivery per scope of the month that has a complete snapshot and recipients, once
    (dedupe key auto:<month>:<scope>); returns the rows made now. The caller commits, then
    enqueues `deliver_report` for each."""
    made = []
    for estado in [None, *BY_CLAVE]:
        recipients = recipients_for(session, settings, estado)
        if not recipients:
            continue
        key = f"auto:{month.key}:{scope_for(estado)}"
        if session.scalar(select(ReportDelivery.id).where(ReportDelivery.dedupe_key == key)) is not None:
            continue
        snapshot = find(session, month, estado)
        if snapshot is None:
            continue
        row = _new(session, snapshot, recipients, dedupe_key=key, requested_by="scheduler")
        if row is not None:
            made.append(row)
    return made


def resend(session: Session, delivery: ReportDelivery, requested_by: str, settings) -> ReportDelivery:
    """The same frozen report again, to the scope's recipients of this moment (a new row)."""
    recipients = recipients_for(session, settings, estado_of(delivery.scope))
    if not recipients:
        raise ValidationError("Este informe ya no tiene destinatarios: agrégalos en Administración › Envío de informes.")
    if session.get(ReportSnapshot, delivery.snapshot_id) is None:
        raise ValidationError("El informe guardado de ese envío ya no existe.")
    snapshot = session.get(ReportSnapshot, delivery.snapshot_id)
    return _new(session, snapshot, recipients, dedupe_key=None, requested_by=requested_by, resend_of_id=delivery.id)


# ---- sending (the worker's side) -------------------------------------------------------

def due_ids(session: Session, at: datetime, limit: int = 100) -> list[int]:
    """Pending rows whose next try has come and that nobody is sending."""
    return list(session.scalars(
        select(ReportDelivery.id)
        .where(ReportDelivery.status == PENDIENTE,
               or_(ReportDelivery.next_attempt_at.is_(None), ReportDelivery.next_attempt_at <= at),
               or_(ReportDelivery.claimed_until.is_(None), ReportDelivery.claimed_until < at))
        .order_by(ReportDelivery.id).limit(limit)))


def claim(session: Session, delivery_id: int, at: datetime) -> bool:
    """Take the row for one sending (one UPDATE: two senders never both win); the caller commits."""
    result = session.execute(
        update(ReportDelivery)
        .where(ReportDelivery.id == delivery_id, ReportDelivery.status == PENDIENTE,
               or_(ReportDelivery.claimed_until.is_(None), ReportDelivery.claimed_until < at))
        .values(claimed_until=at + CLAIM_LEASE).execution_options(synchronize_session=False))
    return (result.rowcount or 0) == 1


def pending_addresses(row: ReportDelivery) -> list[str]:
    results = row.results or {}
    return [a for a in row.recipients if results.get(a, {}).get("estado") not in (SENT, REFUSED)]


def record(row: ReportDelivery, address: str, outcome: str, at: datetime, error: str | None = None) -> None:
    entry = {"estado": outcome, "at": at.isoformat(timespec="seconds")}
    if error:
        entry["error"] = error[:300]
    row.results = {**(row.results or {}), address: entry}  # a new dict: JSON columns track assignment


def finish_attempt(row: ReportDelivery, at: datetime, error: str | None = None) -> str:
    """Close one try: enviado when every address took it; else the next try, or fallido when the
    tries are over or only refused addresses are left. Returns the status."""
    row.claimed_until = None
    results = row.results or {}
    if all(results.get(a, {}).get("estado") == SENT for a in row.recipients):
        row.status, row.sent_at, row.next_attempt_at = ENVIADO, at, None
        return row.status
    row.attempts = (row.attempts or 0) + 1
    refused = [a for a in row.recipients if results.get(a, {}).get("estado") == REFUSED]
    row.last_error = (error or (f"Rechazado por el servidor: {', '.join(refused)}" if refused else None)
                      or "Error al enviar")[:1000]
    created = row.created_at or at
    if not pending_addresses(row) or row.attempts >= MAX_ATTEMPTS or at - created >= RETRY_WINDOW:
        row.status, row.next_attempt_at = FALLIDO, None
    else:
        row.next_attempt_at = at + RETRY_DELAYS[min(row.attempts, len(RETRY_DELAYS)) - 1]
    return row.status


@dataclass(frozen=True)
class Attachment:
    filename: str
    mimetype: str
    body: bytes


def attachments(session: Session, row: ReportDelivery) -> list[Attachment]:
    """The frozen report as PDF and XLSX (made again on each try from the unchanging snapshot)."""
    from core.reports.enlaces import for_mailing
    from core.reports.export import report_xlsx
    from core.reports.pdf import report_pdf

    snapshot = session.get(ReportSnapshot, row.snapshot_id)
    if snapshot is None:
        raise ValidationError("El informe guardado de este envío ya no existe.")
    estado = estado_of(row.scope)
    base = f"informe-{row.month}-{BY_CLAVE[estado].abreviatura.lower() if estado in BY_CLAVE else 'nacional'}"
    data = for_mailing(snapshot.data, national=estado is None)  # a state's list may hold its enlaces
    return [Attachment(f"{base}.pdf", PDF, report_pdf(data, snapshot.created_at)),
            Attachment(f"{base}.xlsx", XLSX, report_xlsx(data))]


def scope_label(scope: str) -> str:
    estado = estado_of(scope)
    return BY_CLAVE[estado].nombre if estado in BY_CLAVE else "Nacional"


def build_message(settings, row: ReportDelivery, address: str, files: list[Attachment]) -> EmailMessage:
    month = Month.parse(row.month)
    msg = EmailMessage()
    msg["From"] = settings.smtp_from
    msg["To"] = address
    msg["Subject"] = f"[SINAC] Informe mensual de {month.label} · {scope_label(row.scope)}"
    msg.set_content(
        f"Buen día:\n\nSe adjunta el informe mensual de SINAC de {month.label} ({scope_label(row.scope)}), "
        "tal como quedó guardado al cierre del mes, en PDF y en Excel.\n\n"
        f"También puede consultarse en {settings.public_base_url}/informe/instantaneas\n\n"
        "Este mensaje se envió automáticamente desde SINAC; no lo respondas.\n")
    for f in files:
        maintype, subtype = f.mimetype.split("/", 1)
        msg.add_attachment(f.body, maintype=maintype, subtype=subtype, filename=f.filename)
    return msg


def local(moment: datetime | None) -> str:
    return moment.astimezone(MX_TZ).strftime("%d/%m/%Y %H:%M") if moment else ""


def history(session: Session, limit: int = 200) -> list[ReportDelivery]:
    """Past deliveries, newest first (the directorate's page)."""
    return list(session.scalars(select(ReportDelivery).order_by(ReportDelivery.id.desc()).limit(limit)))
