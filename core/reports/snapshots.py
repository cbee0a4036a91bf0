"""Frozen monthly reports: built once (by the scheduler on the 1st, or on request) and never
recomputed, so later changes to cases do not alter what was reported."""

from __future__ import annotations

import copy
from datetime import date

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from core.estados import ESTADOS
from core.models import ReportSnapshot
from core.reports.monthly import build_report
from core.reports.months import Month

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


def find(session: Session, month: Month, estado: str | None = None) -> ReportSnapshot | None:
    return session.scalars(
        select(ReportSnapshot).where(ReportSnapshot.month == month.key, ReportSnapshot.scope == scope_for(estado))
        .order_by(ReportSnapshot.id).limit(1)
    ).first()


def build_snapshot(session: Session, month: Month, *, estado: str | None = None, created_by: str = "scheduler",
                   as_of: date | None = None) -> tuple[ReportSnapshot, bool]:
    """The month's snapshot for the scope; built only if none exists. Returns (snapshot, created)."""
    install_guard()
    existing = find(session, month, estado)
    if existing is not None:
        return existing, False
    data = copy.deepcopy(build_report(session, month, estado=estado, as_of=as_of))
    snapshot = ReportSnapshot(month=month.key, scope=scope_for(estado), data=data, created_by=created_by[:200])
    session.add(snapshot)
    session.flush()
    return snapshot, True


def build_month_snapshots(session: Session, month: Month, *, created_by: str = "scheduler",
                          as_of: date | None = None) -> list[ReportSnapshot]:
    """National and per-estado snapshots of `month`; returns only the ones created now."""
    created = []
    for estado in [None] + [e.clave for e in ESTADOS]:
        snapshot, new = build_snapshot(session, month, estado=estado, created_by=created_by, as_of=as_of)
        if new:
            created.append(snapshot)
    return created


def list_snapshots(session: Session, *, estado: str | None = None, national: bool = True,
                   limit: int = 400) -> list[ReportSnapshot]:
    """Snapshots a reader may see: national readers all; an enlace only its estado's."""
    query = select(ReportSnapshot).order_by(ReportSnapshot.month.desc(), ReportSnapshot.scope, ReportSnapshot.id)
    if not national:
        query = query.where(ReportSnapshot.scope == scope_for(estado))
    return list(session.scalars(query.limit(limit)))
