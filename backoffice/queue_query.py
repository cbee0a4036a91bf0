"""The work queue's SQL: the scoped, filtered statement on cases, its order, a figure's banner.

Written for the open work's partial indexes (migration 0023): the current round is never joined
to filter or sort, and fixed choices are written into the statement as literals. The page
(backoffice/queue.py) counts and lists with it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, bindparam, func, literal, select

from backoffice.queue_filters import Filters, count_statuses, row_statuses
from core.access import hide_confidential, scope_cases, sees_everything
from core.enums import CANAL_LABELS, TIPO_LABELS, Role
from core.enums import VolanteStatus as VS
from core.estados import BY_CLAVE
from core.models import Case, Volante
from core.report_links import LABELS as FIGURE_LABELS
from core.report_links import counts_rounds, figure_case_ids, figure_rows
from core.review_clock import review_late_clause
from core.search import IDENTITY_KINDS
from core.timeutil import MX_TZ


def _mx_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=MX_TZ)


def current_volante_clause():
    """Volante is the case's latest round (cases.current_volante_id, kept by the services)."""
    return Volante.id == Case.current_volante_id


def _in_sql(column, values):
    """`column IN (values)` with the values written into the statement (they come from fixed
    choices): the partial indexes over the open work and the running rounds (migration 0023)
    are then proved usable from the text itself, whatever plan the server caches for it."""
    if len(values) == 1:
        return column == literal(values[0], literal_execute=True)
    return column.in_(bindparam(None, list(values), expanding=True, literal_execute=True))


def _running_clause():
    """The round's clock runs (core.reminders.vencido_clause without the date), as
    ix_volantes_running_due's predicate."""
    return and_(_in_sql(Volante.status, [VS.ABIERTO]), Volante.paused_at.is_(None))


def _round_condition(filters: Filters, today: date | None, soon: date | None):
    """What the filters ask of the case's current round (enlace, plazo), as a condition on
    Volante, or None."""
    conditions = []
    if filters.enlace:
        conditions.append(Volante.enlace_id == filters.enlace)
    if filters.plazo == "revision_vencida":
        conditions.append(review_late_clause(today))
    elif filters.plazo == "vencido":
        conditions += [_running_clause(), Volante.due_date < today]
    elif filters.plazo:
        conditions += [_running_clause(), Volante.due_date >= today, Volante.due_date <= soon]
    return and_(*conditions) if conditions else None


def base_query(user, columns, filters: Filters, *, with_status: bool = True, today: date | None = None,
               soon: date | None = None):
    """The scoped, filtered statement on cases; the caller adds ordering, grouping or limits.

    The current round is never joined: a filter on it (enlace, plazo) is a semi-join on the
    case's current round id, and the due-date order reads the round's date copied on the case, so
    counts and pages read the open cases' indexes beside the few matching rounds
    (ix_cases_open_volante, ix_volantes_running_due; migration 0023) instead of joining them.
    """
    stmt = select(*columns).select_from(Case)
    if user.role == Role.ENLACE and not filters.cifra:
        # An enlace's queue holds the cases of their state that were turned (scope_cases below).
        # The current round always belongs to the case's estado (reassigning opens a new round);
        # index() re-checks it row by row rather than making the planner scan the state's
        # whole history of rounds.
        stmt = stmt.where(Case.current_volante_id.is_not(None))
    stmt = scope_cases(stmt, user)
    if filters.cifra:
        # A report figure (an enlace may also see its estado's cases that were never turned):
        # its estado is the one the report groups by, the volante's for volante figures.
        counted = figure_case_ids(filters.cifra, filters.mes, **_figure_groups(user, filters), as_of=today)
        stmt = stmt.where(Case.id.in_(counted))
    elif filters.estado:
        stmt = stmt.where(Case.estado_clave == filters.estado)
    if filters.tipo:
        stmt = stmt.where(Case.tipo == filters.tipo)
    if filters.canal:
        stmt = stmt.where(Case.canal == filters.canal)
    statuses = row_statuses(filters) if with_status else count_statuses(filters)
    if statuses is not None:
        stmt = stmt.where(_in_sql(Case.status, statuses))
    round_condition = _round_condition(filters, today, soon)
    if round_condition is not None:
        # The same rows as joining the current round and filtering it: a case has one.
        # (Not correlated: the page's rows join the current round, Volante, too.)
        stmt = stmt.where(Case.current_volante_id.in_(select(Volante.id).where(round_condition).correlate(None)))
    if filters.desde:
        stmt = stmt.where(Case.created_at >= _mx_start(filters.desde))
    if filters.hasta:
        stmt = stmt.where(Case.created_at < _mx_start(filters.hasta + timedelta(days=1)))
    if filters.search is not None:
        stmt = stmt.where(filters.search.clause)
        if filters.search.kind in IDENTITY_KINDS:
            stmt = hide_confidential(stmt, user)  # a phone never leads to a confidential case
    return stmt


def _figure_groups(user, filters: Filters) -> dict:
    """The bar's group: estado (an enlace's own, always), canal, tipo."""
    estado = user.estado_clave if user.role == Role.ENLACE else (filters.estado or None)
    return {"estado": estado, "canal": filters.canal or None, "tipo": filters.tipo or None}


def figure_banner(session, user, filters: Filters, today: date) -> dict:
    """What the list is: the figure, its month and group, and how many rounds and cases it counts."""
    groups = _figure_groups(user, filters)
    rows = session.scalar(select(func.count()).select_from(
        figure_rows(filters.cifra, filters.mes, **groups, as_of=today).subquery()))
    cases = session.scalar(select(func.count()).select_from(
        figure_case_ids(filters.cifra, filters.mes, **groups, as_of=today).subquery()))
    names = [BY_CLAVE[groups["estado"]].nombre if groups["estado"] else "Nacional",
             CANAL_LABELS.get(groups["canal"], ""), TIPO_LABELS.get(groups["tipo"], "")]
    params = {"mes": filters.mes.key, "estado": groups["estado"] if sees_everything(user) else None}
    return {"label": FIGURE_LABELS[filters.cifra], "mes": filters.mes.label,
            "grupo": " · ".join(n for n in names if n), "casos": cases,
            "volantes": rows if counts_rounds(filters.cifra) else None,
            "informe": {k: v for k, v in params.items() if v}}


def ordered(stmt, sort: str):
    """`stmt` in the order the queue's sort asks for."""
    if sort == "antiguos":
        return stmt.order_by(Case.created_at.asc(), Case.id.asc())
    if sort == "vence":
        # The current round's due date, copied onto the case (cases.current_due_date, migration
        # 0025): the open work's index (ix_cases_open_due, per estado ix_cases_open_estado_due)
        # gives the page in this order. No round last.
        return stmt.order_by(Case.current_due_date.asc().nulls_last(), Case.id.asc())
    if sort == "folio":
        return stmt.order_by(Case.folio.asc())
    return stmt.order_by(Case.created_at.desc(), Case.id.desc())
