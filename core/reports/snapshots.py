"""Frozen monthly reports: built once a month has ended (by the scheduler on the 1st, or on
request) and never edited, so later changes to cases do not alter what was reported.

Only closed months are frozen: a snapshot of the current or a future month is refused. A
partial snapshot (taken before its month ended, by an earlier version or by hand) is not kept:
the next build of that month (the month-end job, the CLI or the page) replaces it with the
complete one; complete snapshots are never rebuilt.
"""

from __future__ import annotations

import copy
import logging
from datetime import date, datetime

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from core.errors import ValidationError
from core.estados import ESTADOS
from core.models import ReportSnapshot
from core.reports.monthly import build_report
from core.reports.months import Month

log = logging.getLogger(__name__)

NACIONAL = "nacional"


class SnapshotIsFrozen(Exception):
    pass


def _frozen(*_args) -> None:
    raise SnapshotIsFrozen("report snapshots are never edited")


def install_guard() -> None:
    """Refuse UPDATEs of snapshots at the ORM level (idempotent)."""
    if not event.contains(ReportSnapshot, "before_update", _frozen):
        event.listen(ReportSnapshot, "before_update", _frozen)


def scope_for(estado: str | None) -> str:
    return f"estado:{estado}" if estado else NACIONAL


def estado_of(scope: str) -> str | None:
    return scope.split(":", 1)[1] if scope.startswith("estado:") else None


def is_partial(month_key: str, created_at: datetime | None, data) -> bool:
    """Taken before its month ended, or computed as of a day inside the month."""
    month = Month.parse(month_key)
    if created_at is not None and created_at < month.end_utc:
        return True
    al_dia = data.get("al_dia") if isinstance(data, dict) else None
    try:
        return al_dia is not None and date.fromisoformat(al_dia) <= month.last_day
    except (TypeError, ValueError):
        return False


def snapshot_is_partial(snapshot: ReportSnapshot) -> bool:
    return is_partial(snapshot.month, snapshot.created_at, snapshot.data)


def list_for(session: Session, month: Month, estado: str | None = None) -> list[ReportSnapshot]:
    """Every snapshot of the month for the scope (at most one, unless a partial one awaits its
    rebuild)."""
    return list(session.scalars(
        select(ReportSnapshot).where(ReportSnapshot.month == month.key, ReportSnapshot.scope == scope_for(estado))
        .order_by(ReportSnapshot.id)
    ))


def find(session: Session, month: Month, estado: str | None = None) -> ReportSnapshot | None:
    """The month's complete snapshot for the scope, if any (partial ones do not count)."""
    return next((s for s in list_for(session, month, estado) if not snapshot_is_partial(s)), None)


def build_snapshot(session: Session, month: Month, *, estado: str | None = None, created_by: str = "scheduler",
                   as_of: date | None = None) -> tuple[ReportSnapshot, bool]:
    """The month's snapshot for the scope: the complete one if it exists, else built now (a
    partial one is deleted and replaced). Returns (snapshot, created). Refuses a month that has
    not ended (ValidationError with the message for the user)."""
    install_guard()
    month.check_closed()
    if as_of is not None and as_of <= month.last_day:
        raise ValidationError("Un informe guardado se calcula con el mes ya terminado.", fields={"as_of": "parcial"})
    existing = list_for(session, month, estado)
    complete = next((s for s in existing if not snapshot_is_partial(s)), None)
    if complete is not None:
        return complete, False
    for partial in existing:
        log.info("report snapshot %s %s (id %s) was partial: rebuilt", month.key, partial.scope, partial.id)
        session.delete(partial)
    data = copy.deepcopy(build_report(session, month, estado=estado, as_of=as_of))
    snapshot = ReportSnapshot(month=month.key, scope=scope_for(estado), data=data, created_by=created_by[:200])
    session.add(snapshot)
    session.flush()
    return snapshot, True


def build_month_snapshots(session: Session, month: Month, *, created_by: str = "scheduler",
                          as_of: date | None = None) -> list[ReportSnapshot]:
    """National and per-estado snapshots of `month` (closed months only); returns the ones
    created now, partial ones rebuilt included. Idempotent."""
    month.check_closed()
    created = []
    for estado in [None] + [e.clave for e in ESTADOS]:
        snapshot, new = build_snapshot(session, month, estado=estado, created_by=created_by, as_of=as_of)
        if new:
            created.append(snapshot)
    return created


def rebuild_partial_snapshots(session: Session, *, created_by: str = "scheduler") -> list[ReportSnapshot]:
    """Every partial snapshot of a month that has ended, rebuilt (the month-end job's sweep: a
    month whose own run was missed is not left with a partial figure)."""
    rows = session.execute(select(ReportSnapshot.month, ReportSnapshot.scope, ReportSnapshot.created_at,
                                  ReportSnapshot.data).order_by(ReportSnapshot.month, ReportSnapshot.scope))
    todo = sorted({(month, scope) for month, scope, created_at, data in rows
                   if Month.parse(month).is_closed() and is_partial(month, created_at, data)})
    rebuilt = []
    for month, scope in todo:
        snapshot, new = build_snapshot(session, Month.parse(month), estado=estado_of(scope), created_by=created_by)
        if new:
            rebuilt.append(snapshot)
    return rebuilt


def list_snapshots(session: Session, *, estado: str | None = None, national: bool = True,
                   limit: int = 400) -> list[ReportSnapshot]:
    """Snapshots a reader may see: national readers all; an enlace only its estado's."""
    query = select(ReportSnapshot).order_by(ReportSnapshot.month.desc(), ReportSnapshot.scope, ReportSnapshot.id)
    if not national:
        query = query.where(ReportSnapshot.scope == scope_for(estado))
    return list(session.scalars(query.limit(limit)))
