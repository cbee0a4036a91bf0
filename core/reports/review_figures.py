"""The national review's figures in the informe mensual (issue 17 item 5, core/review_clock.py).

Counted like every figure, by the event's month in Mexico City time, per estado (the volante's,
the state that handled the round), canal and tipo (the volante's copies of the case's):
- `revisiones`: FURs reviewed (accepted or sent back) in the month whose round had a review
  clock (rounds reviewed before the clock existed have none and are left out of both figures);
  `revisiones_en_plazo`: those reviewed on or before the review due date;
  `pct_revision_en_plazo` = en plazo / revisiones.
- `revisiones_vencidas`: counted in the month of the review due date: reviewed (or cancelled)
  after it, or still waiting for the review with the due date before the day the report is read.

Kept apart from core/reports/figures.py (its own few grouped queries, merged into the report by
`add_review_figures`), so the report's figure engine is untouched.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from core.enums import VolanteStatus as VS
from core.models import Volante
from core.reports.months import Month
from core.reports.sql import local_date

LABELS = {
    "revisiones": "FUR revisados por Vinculación",
    "revisiones_en_plazo": "FUR revisados en plazo",
    "pct_revision_en_plazo": "% de FUR revisados en plazo",
    "revisiones_vencidas": "Revisiones vencidas",
}
PERCENT = ("pct_revision_en_plazo",)
DEFINITION = ("Revisión nacional del FUR: Vinculación tiene un plazo en días hábiles desde que el enlace "
              "presenta el FUR (Administración › Plazos). Revisados en plazo: aceptados o devueltos en el mes "
              "a más tardar en su fecha límite de revisión. Revisiones vencidas: cuya fecha límite cae en el "
              "mes y se revisaron después o siguen sin revisar al día del informe.")
COUNTS = ("revisiones", "revisiones_en_plazo", "revisiones_vencidas")
_KEYS = ("estado", "canal", "tipo")
_REVIEWED = (VS.ACEPTADO, VS.DEVUELTO)


def _sum(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _groups():
    return (Volante.estado_clave.label("estado"), Volante.canal.label("canal"), Volante.tipo.label("tipo"))


def _reviewed(month: Month, estado: str | None):
    query = (
        select(*_groups(), func.count().label("revisiones"),
               _sum(local_date(Volante.closed_at) <= Volante.review_due_date).label("revisiones_en_plazo"))
        .where(Volante.closed_at >= month.start_utc, Volante.closed_at < month.end_utc,
               Volante.status.in_(_REVIEWED), Volante.review_due_date.is_not(None))
    )
    return _scoped(query, estado)


def _late(month: Month, estado: str | None, as_of: date):
    closed_late = and_(Volante.status.in_((*_REVIEWED, VS.CANCELADO)),
                       local_date(Volante.closed_at) > Volante.review_due_date)
    waiting = and_(Volante.status == VS.RESPONDIDO, Volante.review_due_date < as_of)
    query = (
        select(*_groups(), func.count().label("revisiones_vencidas"))
        .where(Volante.review_due_date >= month.first_day, Volante.review_due_date <= month.last_day,
               or_(closed_late, waiting))
    )
    return _scoped(query, estado)


def _scoped(query, estado: str | None):
    if estado:
        query = query.where(Volante.estado_clave == estado)
    return query.group_by(Volante.estado_clave, Volante.canal, Volante.tipo)


def finish(values: dict | None) -> dict:
    out = {name: int((values or {}).get(name) or 0) for name in COUNTS}
    out["pct_revision_en_plazo"] = (round(out["revisiones_en_plazo"] / out["revisiones"], 4)
                                    if out["revisiones"] else None)
    return out


def compute(session: Session, month: Month, estado: str | None, as_of: date) -> dict[str, dict]:
    """{"total": {"total": figures}, "estado": {clave: figures}, "canal": {...}, "tipo": {...}}."""
    out: dict[str, dict] = {"total": {}, "estado": {}, "canal": {}, "tipo": {}}
    for query in (_reviewed(month, estado), _late(month, estado, as_of)):
        for row in session.execute(query).mappings():
            values = {k: v for k, v in row.items() if k not in _KEYS}
            for dim, key in (("total", "total"), *((d, row[d]) for d in _KEYS)):
                group = out[dim].setdefault(key, {})
                for name, value in values.items():
                    group[name] = group.get(name, 0) + int(value or 0)
    return {dim: {key: finish(values) for key, values in groups.items()} for dim, groups in out.items()}


def add_review_figures(session: Session, report: dict, month: Month, estado: str | None, as_of: date) -> None:
    """Put the review figures of `month` and the previous month into a report built by
    core.reports.monthly.build_report (total and each breakdown row; zeros where nothing happened)."""
    current = compute(session, month, estado, as_of)
    before = compute(session, month.shift(-1), estado, as_of)
    report["total"].update(current["total"].get("total", finish(None)))
    report["total_anterior"].update(before["total"].get("total", finish(None)))
    for dim in _KEYS:
        for row in report.get(f"por_{dim}", []):
            row["actual"] = {**row["actual"], **current[dim].get(row["clave"], finish(None))}
            row["anterior"] = {**row["anterior"], **before[dim].get(row["clave"], finish(None))}
