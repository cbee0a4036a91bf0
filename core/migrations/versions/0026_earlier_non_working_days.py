"""due days that counted a day declared non-working before the rule existed (issue 15)

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07

Since core.services.non_working_days (2026-12-07), adding a non-working day moves one business
day forward the due day of every running clock that had counted it (docs/plazos.md, «A day
declared non-working after a plazo was set»). Days added before that rule moved nothing. This
applies the same rule once to them:

- a day added before the rule is a holiday row whose latest «dia_inhabil_agregado» audit event
  does not carry `vencimientos_recorridos` (the rule writes it, even when it is 0); a row with no
  such event at all (put in the table by hand) is left alone: nobody knows when it was added;
- the clocks are those running now: rounds waiting for the enlace (abierto, paused or not: their
  `due_date`) and FURs waiting for review (respondido: their `review_due_date`); a clock counted
  the day when it started (sent, filed) before the day was added, on a Mexico City date before
  the day, and is due on or after it, and the day was a business day (a weekday, not an official
  holiday);
- each is moved by one business day per such day it counted, in date order, each time on the
  calendar as it stood once that day was added (the later ones not yet): the same date as
  counting the plazo again on the calendar as it stands; with the same case-history entry as the rule
  (vencimiento_recorrido, by «sistema») and, for the enlace's clock, the case's copy
  (cases.current_due_date, migration 0025);
- a clock that already has an entry for that day is not moved again.

Nothing to undo on downgrade: the entries are history, and the dates stay as moved.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

ADDED = "dia_inhabil_agregado"
MOVED = "vencimiento_recorrido"


def upgrade() -> None:
    bind = op.get_bind()
    holidays = {_as_date(r[0]) for r in bind.execute(sa.text("SELECT fecha FROM holidays"))}
    declared = _added_before_the_rule(bind, holidays)
    if not declared:
        return
    from core.models._types import UTCDateTime
    from core.plazos import BusinessCalendar
    from core.services.non_working_days import CLOCK_ENLACE, CLOCK_REVISION, reason_text
    from core.timeutil import local_date

    official = BusinessCalendar()  # weekends and official holidays only: was the day a business day?
    declared = {day: at for day, at in declared.items() if official.is_business_day(day)}
    if not declared:
        return
    first = min(declared)
    rounds = bind.execute(sa.text(
        "SELECT id, case_id, numero, status, sent_at, due_date, answered_at, review_due_date FROM volantes"
        " WHERE (status = 'abierto' AND due_date >= :first) OR (status = 'respondido' AND review_due_date >= :first)"
        " ORDER BY id"), {"first": first}).all()
    already = _already_moved(bind)
    insert_event = sa.text(
        "INSERT INTO audit_events (case_id, actor_id, actor_label, action, reason, data, created_at)"
        " VALUES (:case_id, NULL, 'sistema', :action, :reason, :data, :at)"
    ).bindparams(sa.bindparam("data", type_=sa.JSON()), sa.bindparam("at", type_=UTCDateTime()))
    now = datetime.now(UTC)
    moved = 0
    for row in rounds:
        if row.status == "abierto":
            clock, started, due = CLOCK_ENLACE, _as_datetime(row.sent_at), _as_date(row.due_date)
        else:
            clock, started, due = CLOCK_REVISION, _as_datetime(row.answered_at), _as_date(row.review_due_date)
        if started is None:
            continue
        counted = [day for day, added_at in sorted(declared.items())
                   if started < added_at and local_date(started) < day
                   and (row.case_id, row.numero, clock, day.isoformat()) not in already]
        before_all = due
        for n, day in enumerate(counted):
            if due < day:
                continue
            # the calendar as it stood once this day was added: the later ones it counted not yet
            after = BusinessCalendar(holidays - set(counted[n + 1:])).add(due, 1)
            bind.execute(insert_event, {
                "case_id": row.case_id, "action": MOVED, "reason": reason_text(clock, day, due, after),
                "data": {"volante": row.numero, "plazo": clock, "dia_inhabil": day.isoformat(),
                         "de": due.isoformat(), "a": after.isoformat()},
                "at": now})
            due = after
        if due == before_all:
            continue
        moved += 1
        if clock == CLOCK_ENLACE:
            bind.execute(sa.text("UPDATE volantes SET due_date = :d WHERE id = :i"), {"d": due, "i": row.id})
            bind.execute(sa.text("UPDATE cases SET current_due_date = :d WHERE id = :c AND current_volante_id = :i"),
                         {"d": due, "c": row.case_id, "i": row.id})
        else:
            bind.execute(sa.text("UPDATE volantes SET review_due_date = :d WHERE id = :i"), {"d": due, "i": row.id})
    if moved and bind.dialect.name == "postgresql":
        # fire 0022's deferred report triggers now: a later migration in the same transaction may
        # alter these tables, which PostgreSQL refuses while trigger events are pending
        op.execute("SET CONSTRAINTS ALL IMMEDIATE")


def downgrade() -> None:
    pass


def _added_before_the_rule(bind, holidays: set[date]) -> dict[date, datetime]:
    """{day: when it was added} for the holiday rows whose latest addition moved nothing."""
    latest: dict[date, tuple[dict, datetime]] = {}
    events = bind.execute(sa.text(
        "SELECT data, created_at FROM audit_events WHERE action = :a ORDER BY id"
    ).bindparams(a=ADDED).columns(sa.column("data", sa.JSON()), sa.column("created_at"))).all()
    for data, created_at in events:
        try:
            day = date.fromisoformat((data or {}).get("fecha", ""))
        except (TypeError, ValueError):
            continue
        if day in holidays:
            latest[day] = (data, _as_datetime(created_at))
    return {day: at for day, (data, at) in latest.items() if "vencimientos_recorridos" not in data}


def _already_moved(bind) -> set[tuple[int, int, str, str]]:
    """(case, round number, clock, day) of every due day already moved for a day."""
    rows = bind.execute(sa.text(
        "SELECT case_id, data FROM audit_events WHERE action = :a"
    ).bindparams(a=MOVED).columns(sa.column("case_id"), sa.column("data", sa.JSON()))).all()
    return {(case_id, (data or {}).get("volante"), (data or {}).get("plazo"), (data or {}).get("dia_inhabil"))
            for case_id, data in rows}


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _as_datetime(value) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.fromisoformat(str(value))
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
