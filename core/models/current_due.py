"""cases.current_due_date: the due date of the case's current round, on the case row.

The back-office queue's order «Vencimiento más próximo» is the current round's due date
(Volante.due_date of cases.current_volante_id). Looked up per case it cost ~200 ms of CPU for
Vinculación's national queue at 500k cases (docs/benchmarks.md, «Queue at 500k»); copied onto
the case, an index of the open work gives the page (migration 0025, ix_cases_open_due).

Kept on every ORM flush, like cases.search_text, so every service that changes a round keeps it
without knowing about it: a case whose current round changes (turning, sending back, reassigning,
reopening: core.services.volantes._open_volante) takes the new round's date, and a current
round whose due date moves (resuming a paused clock, core.services.cases / affiliate_contact; a
day declared non-working, core.services.non_working_days) writes its new date to its case in
the same flush. Closing a round leaves it the case's current round, so the date stays (the queue
sorted closed rounds by their due date before as well). Bulk statements that bypass the ORM
(migrations, the benchmark generator) write it themselves.
"""

from __future__ import annotations

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from core.models.cases import Case, Volante


def _changed(obj, name: str) -> bool:
    return inspect(obj).attrs[name].history.has_changes()


@event.listens_for(Session, "before_flush")
def _keep_current_due_date(session, _flush_context, _instances) -> None:
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Case):
            if obj in session.new or _changed(obj, "current_volante_id"):
                current = session.get(Volante, obj.current_volante_id) if obj.current_volante_id else None
                due = current.due_date if current is not None else None
                if obj.current_due_date != due:
                    obj.current_due_date = due
        elif isinstance(obj, Volante) and obj.id is not None and _changed(obj, "due_date"):
            case = obj.case
            if case is not None and case.current_volante_id == obj.id and case.current_due_date != obj.due_date:
                case.current_due_date = obj.due_date
