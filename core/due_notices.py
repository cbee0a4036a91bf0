"""What a clock on a round says before and after its due day: reminders (the day before or on
the day) and escalations (once it is late), for both clocks SINAC runs — the enlace's plazo for
the FUR (core.reminders) and Vinculación's plazo for the review (core.review_clock).

The two differ only in which rounds wait, which column holds the due day, who hears it, how many
business days ahead the first reminder goes and the words; the rules they share live here once:
business days only (nothing on weekends and holidays), the reminder window (1 to N business days
ahead, and on the day), business days of delay, and one notification per (round, kind, due date,
recipient) — the dedupe key core.notifications.deliver_due uses. A day declared non-working after
a due day was set moves that due day for both clocks alike (core.services.non_working_days).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import ClassVar

from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute, Session

from core.models import User, Volante
from core.plazos import BusinessCalendar, calendar
from core.timeutil import fecha_larga

# How far ahead a reminder query looks: a few business days span at most a few weeks, even
# across an admin's office closure.
HORIZON = timedelta(days=31)


@dataclass(frozen=True)
class DueNotice:
    """One reminder or escalation about one round, for its recipients (what deliver_due reads).
    A clock subclasses it with its kinds (KINDS: kind -> Notification.kind), the column of its
    due day and its words (`text`)."""

    volante: Volante
    kind: str
    recipients: tuple[User, ...]
    today: date
    atraso: int = 0  # business days past due (escalations)

    KINDS: ClassVar[dict[str, str]] = {}
    DUE_COLUMN: ClassVar[str] = "due_date"

    @property
    def notification_kind(self) -> str:
        return self.KINDS[self.kind]

    @property
    def due_date(self) -> date:
        return getattr(self.volante, self.DUE_COLUMN)

    @property
    def fecha(self) -> str:
        """The due day in words ('lunes 7 de diciembre de 2026')."""
        return fecha_larga(self.due_date)

    @property
    def atraso_text(self) -> str:
        """'1 día hábil', '3 días hábiles'."""
        return f"{self.atraso} {'día hábil' if self.atraso == 1 else 'días hábiles'}"

    def key_prefix(self) -> str:
        raise NotImplementedError

    def dedupe_key(self, user: User) -> str:
        return f"{self.key_prefix()}:{self.volante.id}:{self.kind}:{self.due_date.isoformat()}:u{user.id}"

    @property
    def text(self) -> str:
        raise NotImplementedError


def reminders_due(session: Session, today: date, cal: BusinessCalendar | None, *,
                  notice: type[DueNotice], waiting: Select, before: str, on_the_day: str,
                  days_before: int,
                  recipients: Callable[[Volante], tuple[User, ...]]) -> list[DueNotice]:
    """`on_the_day` for the rounds of `waiting` due today, `before` for those due 1 to
    `days_before` business days ahead; empty on non-business days and for rounds nobody would
    hear of. A due day is a business day (a day declared non-working moves the due days that
    counted it: core.services.non_working_days), so both fall on days the jobs run."""
    cal = cal or calendar(session)
    if not cal.is_business_day(today):
        return []
    column: InstrumentedAttribute = getattr(Volante, notice.DUE_COLUMN)
    due: list[DueNotice] = []
    for volante in session.scalars(waiting.where(column >= today, column <= today + HORIZON)):
        day = getattr(volante, notice.DUE_COLUMN)
        if day == today:
            kind = on_the_day
        elif 1 <= cal.between(today, day) <= days_before:
            kind = before
        else:
            continue
        who = recipients(volante)
        if who:
            due.append(notice(volante, kind, who, today))
    return due


def escalations_due(session: Session, today: date, cal: BusinessCalendar | None, *,
                    notice: type[DueNotice], waiting: Select, kind: str,
                    recipients: Callable[[], tuple[User, ...]]) -> list[DueNotice]:
    """`kind` for every round of `waiting` past its due day, with its business days of delay;
    empty on non-business days and when nobody would hear of it."""
    cal = cal or calendar(session)
    if not cal.is_business_day(today):
        return []
    who = recipients()
    if not who:
        return []
    column: InstrumentedAttribute = getattr(Volante, notice.DUE_COLUMN)
    return [notice(volante, kind, who, today, cal.between(getattr(volante, notice.DUE_COLUMN), today))
            for volante in session.scalars(waiting.where(column < today))]
