"""Which volantes need a reminder or an escalation today, and what "vencido" means.

Pure domain: no Flask, no RQ, no I/O beyond the session. The scheduled jobs
(workers.tasks.send_reminders / escalate_overdue) turn the results into notifications.

Rules (issue 7, DOMAIN.md §6):
- Only an *open* round (volante `abierto`: waiting for the enlace's FUR) runs a clock. A round
  whose FUR was filed (`respondido`) waits for vinculación's review and is not vencido.
- A paused round (`paused_at` set) is neither reminded nor vencido: its clock is stopped, and
  resuming moves the due date forward (core.services.cases.resume_clock).
- Vencido: open, not paused, and `today` is after the due date (the due day itself is in time).
  A day declared non-working after the due date was set that the clock had counted moves the
  due date one business day forward (core.services.non_working_days), as for the review's clock.
- Reminders to the enlace: "previo" when the due date is 1-2 business days ahead (normally sent
  exactly 2 business days before; 1 catches a day the scheduler missed) and "vence_hoy" on the
  due day. Escalation to vinculación once the round is vencido.
- Everything happens on business days only: on weekends and holidays the jobs do nothing, so an
  enlace is never told on Saturday about Tuesday.
- One notification per (volante, kind, due date, recipient): the dedupe key. A resumed clock
  (new due date) gets its own reminders.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session, selectinload

from core import due_notices
from core.due_notices import DueNotice
from core.enums import Role
from core.enums import VolanteStatus as VS
from core.models import Case, User, Volante
from core.plazos import BusinessCalendar

REMINDER_BEFORE = "previo"
REMINDER_TODAY = "vence_hoy"
ESCALATION = "vencido"
REMIND_DAYS_BEFORE = 2

# Notification.kind values written for these (also the e-mail subjects' key).
NOTIFICATION_KINDS = {
    REMINDER_BEFORE: "recordatorio",
    REMINDER_TODAY: "recordatorio",
    ESCALATION: "escalamiento",
}

# ---- vencido -------------------------------------------------------------------------------

def is_vencido(volante: Volante, today: date) -> bool:
    """The round is open, its clock is running and its due date has passed."""
    return volante.status == VS.ABIERTO and volante.paused_at is None and volante.due_date < today


def vencido_clause(today: date):
    """SQL condition on Volante equivalent to is_vencido (for queues and reports)."""
    return and_(Volante.status == VS.ABIERTO, Volante.paused_at.is_(None), Volante.due_date < today)


def case_vencido_clause(today: date):
    """SQL condition on Case: its open round is vencido."""
    return exists(select(Volante.id).where(Volante.case_id == Case.id, vencido_clause(today)))


def dias_de_atraso(volante: Volante, today: date, cal: BusinessCalendar) -> int:
    """Business days past the due date (0 when not vencido)."""
    if not is_vencido(volante, today):
        return 0
    return cal.between(volante.due_date, today)


def dias_restantes(volante: Volante, today: date, cal: BusinessCalendar) -> int | None:
    """Business days left until the due date (0 on the day itself); None unless the round waits
    for the enlace with its clock running and not yet past due (then see dias_de_atraso)."""
    if volante.status != VS.ABIERTO or volante.paused_at is not None or volante.due_date < today:
        return None
    return cal.between(today, volante.due_date)


def due_status(volante: Volante, today: date, cal: BusinessCalendar) -> str | None:
    """A label for badges: 'vencido', 'vence_hoy', 'por_vencer' (≤2 business days), 'pausado',
    'en_plazo'; None when the round is not waiting for the enlace."""
    if volante.status != VS.ABIERTO:
        return None
    if volante.paused_at is not None:
        return "pausado"
    if volante.due_date < today:
        return "vencido"
    if volante.due_date == today:
        return "vence_hoy"
    if cal.between(today, volante.due_date) <= REMIND_DAYS_BEFORE:
        return "por_vencer"
    return "en_plazo"


# ---- what is due today ------------------------------------------------------------------

class Due(DueNotice):
    """One reminder or escalation of the enlace's plazo about one volante, for its recipients."""

    KINDS = NOTIFICATION_KINDS

    def key_prefix(self) -> str:
        return "escalation" if self.kind == ESCALATION else "reminder"

    @property
    def text(self) -> str:
        v, case, fecha = self.volante, self.volante.case, self.fecha
        ronda = f" (vuelta {v.numero})" if v.numero > 1 else ""
        if self.kind == REMINDER_BEFORE:
            return (f"Recordatorio: el volante {case.folio}{ronda} vence el {fecha}. "
                    "Registra el FUR antes de esa fecha.")
        if self.kind == REMINDER_TODAY:
            return f"El volante {case.folio}{ronda} vence hoy, {fecha}. Registra el FUR hoy mismo."
        enlace = v.enlace.nombre if v.enlace is not None else "sin enlace asignado"
        estado = case.estado.nombre if case.estado is not None else "sin estado"
        return (f"Volante vencido: {case.folio}{ronda} de {estado} ({enlace}) venció el {fecha}; "
                f"lleva {self.atraso_text} de atraso sin FUR.")


def _open_running(session: Session):
    return (
        select(Volante)
        .where(Volante.status == VS.ABIERTO, Volante.paused_at.is_(None))
        .options(selectinload(Volante.case).selectinload(Case.estado), selectinload(Volante.enlace))
        .order_by(Volante.due_date, Volante.id)
    )


def enlace_recipients(session: Session, volante: Volante) -> tuple[User, ...]:
    """The volante's enlace; if it has none (or it was deactivated), every active enlace of its estado."""
    if volante.enlace is not None and volante.enlace.active:
        return (volante.enlace,)
    return tuple(session.scalars(
        select(User).where(User.role == Role.ENLACE, User.estado_clave == volante.estado_clave,
                           User.active.is_(True)).order_by(User.id)
    ))


def vinculacion_recipients(session: Session) -> tuple[User, ...]:
    return tuple(session.scalars(
        select(User).where(User.role == Role.VINCULACION, User.active.is_(True)).order_by(User.id)
    ))


def reminders_due(session: Session, today: date, cal: BusinessCalendar | None = None) -> list[Due]:
    """Reminders to enlaces for `today` (empty on non-business days): "vence_hoy" on the due day,
    "previo" 1-2 business days before."""
    return due_notices.reminders_due(
        session, today, cal, notice=Due, waiting=_open_running(session), before=REMINDER_BEFORE,
        on_the_day=REMINDER_TODAY, days_before=REMIND_DAYS_BEFORE,
        recipients=lambda volante: enlace_recipients(session, volante))


def escalations_due(session: Session, today: date, cal: BusinessCalendar | None = None) -> list[Due]:
    """Escalations to vinculación of every vencido round (empty on non-business days)."""
    return due_notices.escalations_due(
        session, today, cal, notice=Due, waiting=_open_running(session), kind=ESCALATION,
        recipients=lambda: vinculacion_recipients(session))
