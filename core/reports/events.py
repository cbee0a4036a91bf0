"""What each additive figure of the informe mensual counts (DOMAIN.md §10): one `Event` per group
of figures, naming its table, the date it happened, which rows count and the value each row adds.

These definitions are the figures' one home: core.reports.passes sums them for every event of a
table in one statement per table; core.report_links lists the rows behind one figure (a bar of
the dashboard opens exactly those cases).

Dimensions: for volante figures the estado is the volante's (the state that handled that round,
even if the case was later reassigned); for case figures it is the case's current estado.
Volantes carry a copy of the case's canal, tipo and current estado (core.services.cases keeps
them), so no figure driven by volantes joins the cases table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, String, and_, literal, or_, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from core.enums import CaseStatus, Resultado, Tipo, VolanteStatus
from core.models import Case, Reopening, Volante
from core.reports.sql import local_date
from core.reports.window import Window

ONE = literal(1)


class _status_expr(FunctionElement):
    type = String()
    inherit_cache = True
    name = "status_expr"


@compiles(_status_expr)
def _status_default(element, compiler, **kw):
    return f"coalesce({compiler.process(element.clauses, **kw)}, '')"


@compiles(_status_expr, "postgresql")
def _status_pg(element, compiler, **kw):
    return compiler.process(element.clauses, **kw)


def status(column):
    """A status compared through an expression, so SQLite (no planner statistics) filters by the
    month's timestamp index instead of walking half the table through the status index. On
    PostgreSQL the bare column: it has statistics, and the expression's default selectivity
    made it estimate ~100 rows for a month's ~20k and pick random-access nested loops."""
    return _status_expr(column)


@dataclass(frozen=True)
class Event:
    """Rows of `table` that happened (`at`) in a month and match `where`; each adds `figures`
    (name -> 1 for a row, a condition counted when true, or an amount). The first figure counts
    the rows themselves. `kind` says which estado groups them: the volante's ("volante", "due"),
    the case's current one through the volante's copy ("round"), or the case's ("case")."""

    name: str
    table: str  # "volantes" | "cases" | "reopenings"
    kind: str
    at: object
    figures: tuple[tuple[str, object], ...]
    where: object = None

    @property
    def dated(self) -> bool:
        return self.kind == "due"  # a due date is already a local calendar date

    def estado_column(self):
        if self.kind == "round":
            return Volante.case_estado_clave
        return Case.estado_clave if self.table != "volantes" else Volante.estado_clave

    def canal_tipo(self):
        if self.table == "volantes":  # the volante's copy of the case's canal and tipo
            return Volante.canal, Volante.tipo
        return Case.canal, Case.tipo


IN_PLAZO = local_date(Volante.answered_at) <= Volante.due_date
COBRO = Volante.tipo == Tipo.COBRO_INJUSTIFICADO
REVIEWED = (VolanteStatus.ACEPTADO, VolanteStatus.DEVUELTO)
# the national review's clock (core/review_clock.py, core/reports/review_figures.py): rounds
# filed before it existed have no review due date and count in neither review figure
HAS_REVIEW_CLOCK = Volante.review_due_date.is_not(None)


def _overdue(as_of: date | None):
    """Volantes vencidos, counted in the month of their due date: answered after the due date,
    or still unanswered (and not paused) with the due date before `as_of`. A volante cancelled
    (case cancelled or reassigned) on or before its due date is not vencido."""
    answered_late = and_(Volante.answered_at.is_not(None), local_date(Volante.answered_at) > Volante.due_date)
    still_open = and_(
        Volante.answered_at.is_(None),
        Volante.due_date < (as_of or date.max),
        Volante.paused_at.is_(None),
        or_(Volante.status != VolanteStatus.CANCELADO, local_date(Volante.closed_at) > Volante.due_date),
    )
    return or_(answered_late, still_open)


def _review_late(as_of: date | None):
    """Revisiones vencidas, counted in the month of the review due date: reviewed (or
    cancelled) after it, or still waiting for the review with the due date before `as_of`."""
    closed_late = and_(Volante.status.in_((*REVIEWED, VolanteStatus.CANCELADO)),
                       local_date(Volante.closed_at) > Volante.review_due_date)
    waiting = and_(Volante.status == VolanteStatus.RESPONDIDO, Volante.review_due_date < (as_of or date.max))
    return or_(closed_late, waiting)


def volante_events(window: Window, *, trend: bool = False) -> tuple[Event, ...]:
    """Volantes sent (first turns, re-turns after a devolución and reassignments); FURs filed
    and how many on or before the due date; reviews (accepted / sent back, by the date the
    review closed the volante), with those under the review clock and reviewed on or before its
    due date; vencidos; late reviews (by the review due date); conclusions (FUR accepted) with
    the accepted FUR's resultado and, for cobro_injustificado, the amounts (the volante's copies
    of its FUR). Conclusions are driven by the accepted volantes, so a case reopened later
    (issue 17) keeps its earlier conclusion, and one concluded again counts once per round; they
    use the case's dimensions. `trend`: only what the trend plots (core.reports.monthly)."""
    accepted = status(Volante.status) == VolanteStatus.ACEPTADO
    concluded = (("concluidos", ONE),) if trend else (
        ("concluidos", ONE),
        ("favorables", Volante.fur_resultado == Resultado.FAVORABLE),
        ("no_favorables", Volante.fur_resultado == Resultado.NO_FAVORABLE),
        ("improcedentes", Volante.fur_resultado == Resultado.IMPROCEDENTE),
        ("cobros_concluidos", COBRO),
        ("reembolsos", and_(COBRO, Volante.fur_monto_reembolsado > 0)),
        ("monto_reclamado", (COBRO, Volante.fur_monto_reclamado)),
        ("monto_reembolsado", (COBRO, Volante.fur_monto_reembolsado)),
    )
    reviewed = (("volantes_revisados", ONE),
                ("volantes_aceptados", Volante.status == VolanteStatus.ACEPTADO),
                ("volantes_devueltos", Volante.status == VolanteStatus.DEVUELTO))
    if not trend:
        reviewed += (("revisiones", HAS_REVIEW_CLOCK),
                     ("revisiones_en_plazo", and_(HAS_REVIEW_CLOCK,
                                                  local_date(Volante.closed_at) <= Volante.review_due_date)))
    out = (
        Event("abiertos", "volantes", "volante", Volante.sent_at,
              (("volantes_abiertos", ONE),) + (() if trend else (("casos_turnados", Volante.numero == 1),))),
        Event("respondidos", "volantes", "volante", Volante.answered_at,
              (("volantes_respondidos", ONE), ("respondidos_en_plazo", IN_PLAZO))),
        Event("revisados", "volantes", "volante", Volante.closed_at, reviewed,
              where=status(Volante.status).in_(REVIEWED)),
        Event("vencidos", "volantes", "due", Volante.due_date, (("volantes_vencidos", ONE),),
              where=_overdue(window.as_of)),
        Event("concluidos", "volantes", "round", Volante.closed_at, concluded, where=accepted),
    )
    if trend:
        return out
    return out + (Event("revisiones_vencidas", "volantes", "due", Volante.review_due_date,
                        (("revisiones_vencidas", ONE),), where=_review_late(window.as_of)),)


def case_events(window: Window, *, trend: bool = False) -> tuple[Event, ...]:
    """Cases registered (every contact lands in the base de datos única; cancelled cases —
    duplicates, spam — left out), by registration date; cases answered directly without a
    volante (atendida) by the date they were closed; satisfaction answers (1-5) by the date the
    affiliate answered the survey (sum and count; the average is derived after rolling up)."""
    registered = Event("registrados", "cases", "case", Case.created_at, (("casos_registrados", ONE),),
                       where=Case.status != CaseStatus.CANCELADA)
    if trend:
        return (registered,)
    return (
        registered,
        ATTENDED,
        Event("satisfaccion", "cases", "case", Case.satisfaction_at,
              (("satisfaccion_n", ONE), ("satisfaccion_suma", (True, Case.satisfaction))),
              where=Case.satisfaction.is_not(None)),
    )


# a case attended and later reopened (issue 17) still counts in the month it was attended: its
# reopening keeps that closure's date
ATTENDED = Event("atendidos", "cases", "case", Case.closed_at, (("atendidos", ONE),),
                 where=status(Case.status) == CaseStatus.ATENDIDA)
ATTENDED_REOPENED = Event("atendidos_reabiertos", "reopenings", "case", Reopening.closed_at, (("atendidos", ONE),),
                          where=Reopening.from_status == CaseStatus.ATENDIDA)


def reopening_events(window: Window) -> tuple[Event, ...]:
    """Cases reopened for a new round on the same folio (issue 17), by the date of the
    reopening, with the case's dimensions; those the affiliate asked for also counted apart."""
    return (
        Event("reaperturas", "reopenings", "case", Reopening.created_at,
              (("reaperturas", ONE), ("reaperturas_afiliado", Reopening.by_affiliate.is_(True)))),
        ATTENDED_REOPENED,
    )


def source(table: str) -> Select:
    """The FROM of a table's events (no columns yet)."""
    if table == "volantes":
        return select().select_from(Volante)
    if table == "reopenings":
        return select().select_from(Reopening).join(Case, Case.id == Reopening.case_id)
    return select().select_from(Case)


def case_id_of(table: str):
    return {"volantes": Volante.case_id, "reopenings": Reopening.case_id}.get(table, Case.id)


def event_rows(event: Event, window: Window) -> Select:
    """One row (the case id) per row the event counts in the window, in the window's estado."""
    query = source(event.table).add_columns(case_id_of(event.table).label("case_id"))
    query = query.where(window.during(event.at, dated=event.dated))
    if event.where is not None:
        query = query.where(event.where)
    if window.estado is not None:
        query = query.where(event.estado_column() == window.estado)
    return query


def events_rows(events: tuple[Event, ...], window: Window) -> Select:
    """The rows of several events of one figure (atendidos: cases and reopenings) as one SELECT
    of case ids."""
    if len(events) == 1:
        return event_rows(events[0], window)
    rows = union_all(*(event_rows(e, window) for e in events)).subquery("rows")
    return select(rows.c.case_id)


def by_name(window: Window | None = None) -> dict[str, Event]:
    """Every event of the report by name (for the rows behind one figure)."""
    window = window or Window(None, None)
    return {e.name: e for e in (*volante_events(window), *case_events(window), *reopening_events(window))}
