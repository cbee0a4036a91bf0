"""Non-working days an admin adds or removes, and what that does to the clocks already running.

The rule (DOMAIN.md §6: plazos are counted in business days, minus the days kept in a table;
docs/plazos.md «A day declared non-working after a plazo was set»): a plazo is its number of
business days on the calendar as it stands, for both clocks — the enlace's plazo for the FUR
(core.reminders) and Vinculación's for the review (core.review_clock). So a day declared
non-working that one of them had counted (after the day it started, up to its due day) costs it
nothing: its due day moves one business day forward. A due day that became a holiday moves to
the next business day; a day off in the middle of the plazo moves the due day past the next
business day. A due day is therefore always a business day, and the reminders «vence hoy» and
before it (core.due_notices) fall on days the jobs run.

Removing a non-working day brings no due date earlier: people were told those dates.

Each moved round gets an entry in its case's history (CaseEvent.VENCIMIENTO_RECORRIDO); the
day itself is a system audit event. The caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from core import audit
from core.actors import Actor
from core.enums import VolanteStatus as VS
from core.lifecycle import CaseEvent
from core.models import Holiday, Volante
from core.plazos import BusinessCalendar, calendar
from core.timeutil import today_mx

CLOCK_ENLACE = "enlace"  # the enlace's plazo for the FUR: Volante.due_date, from the day it was sent
CLOCK_REVISION = "revision"  # Vinculación's for the review: Volante.review_due_date, from the filing day


@dataclass(frozen=True)
class Moved:
    volante: Volante
    clock: str  # CLOCK_ENLACE | CLOCK_REVISION
    before: date
    after: date


def add_non_working_day(session: Session, actor: Actor, day: date, descripcion: str) -> list[Moved]:
    """Record `day` as non-working and move the due day of every running clock that counted it."""
    was_business_day = calendar(session).is_business_day(day)
    session.add(Holiday(fecha=day, descripcion=descripcion))
    session.flush()
    moved = shift_clocks_for(session, actor, day) if was_business_day else []
    audit.record(session, actor, "dia_inhabil_agregado",
                 data={"fecha": day.isoformat(), "descripcion": descripcion, "vencimientos_recorridos": len(moved)})
    return moved


def remove_non_working_day(session: Session, actor: Actor, holiday: Holiday) -> None:
    """The day counts again for plazos set from now on; no due date comes earlier."""
    audit.record(session, actor, "dia_inhabil_eliminado",
                 data={"fecha": holiday.fecha.isoformat(), "descripcion": holiday.descripcion})
    session.delete(holiday)


def shift_clocks_for(session: Session, actor: Actor, day: date, cal: BusinessCalendar | None = None) -> list[Moved]:
    """Move by one business day (on `cal`, the calendar with `day` already off) the due day of
    every round whose running clock counted `day`: started before it and due on or after it."""
    cal = cal or calendar(session)
    moved: list[Moved] = []
    rounds = session.scalars(
        select(Volante)
        .where(or_(and_(Volante.status == VS.ABIERTO, Volante.due_date >= day),
                   and_(Volante.status == VS.RESPONDIDO, Volante.review_due_date >= day)))
        .options(selectinload(Volante.case))
        .order_by(Volante.id))
    for volante in rounds:
        if volante.status == VS.ABIERTO:
            clock, started, column = CLOCK_ENLACE, volante.sent_at, "due_date"
        else:
            clock, started, column = CLOCK_REVISION, volante.answered_at, "review_due_date"
        if started is None or today_mx(started) >= day:
            continue
        before = getattr(volante, column)
        after = cal.add(before, 1)
        setattr(volante, column, after)
        moved.append(Moved(volante, clock, before, after))
        audit.record(session, actor, CaseEvent.VENCIMIENTO_RECORRIDO, case=volante.case,
                     reason=reason_text(clock, day, before, after),
                     data={"volante": volante.numero, "plazo": clock, "dia_inhabil": day.isoformat(),
                           "de": before.isoformat(), "a": after.isoformat()})
    return moved


def reason_text(clock: str, day: date, before: date, after: date) -> str:
    """The case history's words for a due day moved by `day` (also migration 0026's)."""
    what = "El plazo del enlace" if clock == CLOCK_ENLACE else "La revisión de Vinculación"
    return (f"El {day:%d/%m/%Y} se declaró día inhábil: {what} vencía el {before:%d/%m/%Y} "
            f"y ahora vence el {after:%d/%m/%Y}.")


def moved_text(count: int) -> str:
    """What adding the day did, for the admin who added it."""
    if count == 0:
        return "Ningún plazo en curso lo contaba; cuenta para los que se fijen desde ahora."
    if count == 1:
        return "Se recorrió 1 día hábil el vencimiento de 1 volante o revisión que lo contaba (queda en su historial)."
    return (f"Se recorrió 1 día hábil el vencimiento de {count} volantes o revisiones que lo contaban "
            "(queda en el historial de cada caso).")
