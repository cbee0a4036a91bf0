"""The national review's clock: Vinculación reviews a filed FUR within a plazo of business days.

Rules (issue 17 item 5, docs/plazos.md):
- When the enlace files the FUR, the round gets `review_due_date` = the filing day (Mexico City)
  plus `core.plazos.review_plazo` business days — the same calendar as every plazo. A change of
  the plazo applies to FURs filed from then on. A day declared non-working afterwards that the
  clock had counted moves the due date one business day forward, as for the enlace's plazo
  (core.services.non_working_days).
- The clock runs while the round is `respondido` (FUR filed, waiting for the review); accepting
  or sending the FUR back stops it. A sent-back round's next FUR gets a clock of its own.
- Revisión vencida: still waiting and today is after the review due date (the day itself is in
  time). Reviewed in plazo: accepted or sent back on or before that day.
- Reminders to every active Vinculación user: one business day before («previo») and on the day
  («vence hoy»). Escalation, once the review is late, to the head of Vinculación (admin page
  «Plazos»; every active Vinculación user when nobody is named, so it never goes nowhere).
- Business days only (the jobs do nothing on weekends and holidays), one notification per
  (round, kind, due date, recipient): the dedupe key, as for the enlaces' reminders.

Pure domain: the scheduled jobs (workers.notify send_reminders / escalate_overdue) turn these into
notifications through core.notifications.deliver_due.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, selectinload

from core import due_notices
from core.due_notices import DueNotice
from core.enums import Role
from core.enums import VolanteStatus as VS
from core.models import Case, Setting, User, Volante
from core.plazos import BusinessCalendar, calendar, review_plazo
from core.reminders import vinculacion_recipients
from core.timeutil import today_mx

REVIEW_BEFORE = "revision_previo"
REVIEW_TODAY = "revision_hoy"
REVIEW_LATE = "revision_vencida"
REMIND_DAYS_BEFORE = 1
HEAD_KEY = "revision.jefatura"  # settings row: the user id of the head of Vinculación

# Notification.kind values (core.notifications labels and e-mails them).
NOTIFICATION_KINDS = {REVIEW_BEFORE: "revision_por_vencer", REVIEW_TODAY: "revision_por_vencer",
                      REVIEW_LATE: "revision_vencida"}


def review_due_date(session: Session, filed_at: datetime, cal: BusinessCalendar | None = None) -> date:
    """The day a FUR filed at `filed_at` should be reviewed by."""
    return (cal or calendar(session)).add(today_mx(filed_at), review_plazo(session))


def awaiting_review(volante: Volante) -> bool:
    return volante.status == VS.RESPONDIDO and volante.review_due_date is not None


def is_review_late(volante: Volante, today: date) -> bool:
    return awaiting_review(volante) and volante.review_due_date < today


def review_late_clause(today: date):
    """SQL condition on Volante equivalent to is_review_late (queue filter)."""
    return and_(Volante.status == VS.RESPONDIDO, Volante.review_due_date.is_not(None),
                Volante.review_due_date < today)


def review_status(volante: Volante, today: date, cal: BusinessCalendar) -> tuple[str, int] | None:
    """('vencida', business days late) | ('vence_hoy', 0) | ('en_plazo', business days left);
    None when the round is not waiting for a review with a clock."""
    if not awaiting_review(volante):
        return None
    due = volante.review_due_date
    if due < today:
        return "vencida", cal.between(due, today)
    if due == today:
        return "vence_hoy", 0
    return "en_plazo", cal.between(today, due)


# ---- who hears it --------------------------------------------------------------------------

def head_of_vinculacion(session: Session) -> User | None:
    """The named head of Vinculación, if the account is still an active Vinculación user."""
    row = session.get(Setting, HEAD_KEY)
    if row is None or not row.value.strip().isdigit():
        return None
    user = session.get(User, int(row.value))
    if user is None or not user.active or user.role != Role.VINCULACION:
        return None
    return user


def set_head_of_vinculacion(session: Session, user_id: int | None) -> None:
    """Name the head (an active Vinculación user) or nobody; the caller commits and audits."""
    from core.errors import ValidationError

    row = session.get(Setting, HEAD_KEY)
    if user_id is None:
        if row is not None:
            session.delete(row)
        return
    user = session.get(User, user_id)
    if user is None or not user.active or user.role != Role.VINCULACION:
        raise ValidationError("Elige una cuenta activa de Vinculación Social.", fields={"jefatura": "inválida"})
    if row is None:
        session.add(Setting(key=HEAD_KEY, value=str(user_id)))
    else:
        row.value = str(user_id)


def escalation_recipients(session: Session) -> tuple[User, ...]:
    head = head_of_vinculacion(session)
    return (head,) if head is not None else vinculacion_recipients(session)


# ---- what is due today ------------------------------------------------------------------

class ReviewDue(DueNotice):
    """One review reminder or escalation about one round, for its recipients."""

    KINDS = NOTIFICATION_KINDS
    DUE_COLUMN = "review_due_date"

    def key_prefix(self) -> str:
        return "review"

    @property
    def text(self) -> str:
        v, case, fecha = self.volante, self.volante.case, self.fecha
        estado = case.estado.nombre if case.estado is not None else "sin estado"
        fur = f"el FUR del folio {case.folio} de {estado} (volante {v.numero})"
        if self.kind == REVIEW_BEFORE:
            return f"Revisión por vencer: {fur} debe revisarse a más tardar el {fecha}."
        if self.kind == REVIEW_TODAY:
            return f"La revisión de {fur} vence hoy, {fecha}: acéptalo o devuélvelo hoy mismo."
        return (f"Revisión vencida: {fur} debía revisarse a más tardar el {fecha}; "
                f"lleva {self.atraso_text} de atraso en Vinculación.")


def _waiting(session: Session):
    return (
        select(Volante)
        .where(Volante.status == VS.RESPONDIDO, Volante.review_due_date.is_not(None))
        .options(selectinload(Volante.case).selectinload(Case.estado))
        .order_by(Volante.review_due_date, Volante.id)
    )


def reminders_due(session: Session, today: date, cal: BusinessCalendar | None = None) -> list[ReviewDue]:
    """Reminders to Vinculación for `today` (empty on non-business days): "revision_hoy" on the
    due day, "revision_previo" one business day before."""
    recipients = vinculacion_recipients(session)
    return due_notices.reminders_due(
        session, today, cal, notice=ReviewDue, waiting=_waiting(session), before=REVIEW_BEFORE,
        on_the_day=REVIEW_TODAY, days_before=REMIND_DAYS_BEFORE,
        recipients=lambda _volante: recipients)


def escalations_due(session: Session, today: date, cal: BusinessCalendar | None = None) -> list[ReviewDue]:
    """Escalations of every late review to the head of Vinculación (empty on non-business days)."""
    return due_notices.escalations_due(
        session, today, cal, notice=ReviewDue, waiting=_waiting(session), kind=REVIEW_LATE,
        recipients=lambda: escalation_recipients(session))
