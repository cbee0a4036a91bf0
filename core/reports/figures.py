"""The informe mensual's figures, aggregated in SQL (DOMAIN.md §10).

Every figure counts an *event* by the date it happened, in Mexico City time: a case opened in
October and answered in November counts as a volante opened in October and as an answer in
November. Each query groups by one dimension (total, estado, canal, tipo, or month for the
trend) and returns one row per group: no Python loop over cases.

Dimensions: for volante figures the estado is the volante's (the state that handled that round,
even if the case was later reassigned); for case figures it is the case's current estado; for
message figures the contact's estado. Canal and tipo are always the case's (or the message's
channel for messages; messages have no tipo). Volantes carry a copy of the case's canal, tipo
and current estado (core.services.cases keeps them), so no figure driven by volantes joins the
cases table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import (
    Select,
    String,
    and_,
    case,
    cast,
    func,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.functions import FunctionElement

from core.enums import CaseStatus, Direction, Resultado, Tipo, VolanteStatus
from core.models import BusinessDay, Case, Contact, Fur, Message, Reopening, Volante
from core.reports.months import Month
from core.reports.sql import local_date, percentiles

DIMENSIONS = ("total", "estado", "canal", "tipo")


@dataclass(frozen=True)
class Window:
    """A range of whole months [first, last] and an optional estado filter."""

    first: Month
    last: Month
    estado: str | None = None
    as_of: date | None = None  # day the report is read: unanswered volantes due before it are vencidos

    @property
    def start(self):
        return self.first.start_utc

    @property
    def end(self):
        return self.last.end_utc

    @property
    def first_day(self) -> date:
        return self.first.first_day

    @property
    def last_day(self) -> date:
        return self.last.last_day

    def during(self, column):
        return and_(column >= self.start, column < self.end)


# --- dimension columns per kind of row -------------------------------------------------------

FINE = ("estado", "canal", "tipo")  # additive figures are grouped by all three, then rolled up


def _dim_column(kind: str, dim: str, event, window: Window | None = None):
    if dim == "total":
        return None
    if dim == "mes":
        return _month_bucket(kind, event, window)
    if kind == "message":
        return {"estado": Contact.estado_clave, "canal": Message.channel}.get(dim, False)
    if dim == "estado":
        return {"case": Case.estado_clave, "round": Volante.case_estado_clave}.get(kind, Volante.estado_clave)
    if kind in ("volante", "due", "round"):  # the volante's copy of the case's canal and tipo
        return {"canal": Volante.canal, "tipo": Volante.tipo}[dim]
    return {"canal": Case.canal, "tipo": Case.tipo}[dim]


def _month_bucket(kind: str, event, window: Window):
    """'YYYY-MM' of the event, from the months' boundaries computed in Python (Mexico City time,
    tz database): plain comparisons that use the timestamp index, the same on both databases."""
    months, m = [], window.first
    while m <= window.last:
        months.append(m)
        m = m.shift(1)
    if kind == "due":
        whens = [(event <= m.last_day, m.key) for m in months]
    else:
        whens = [(event < m.end_utc, m.key) for m in months]
    return case(*whens, else_=None)


def _scoped(query: Select, kind: str, window: Window) -> Select:
    if window.estado is None:
        return query
    if kind == "message":
        return query.where(Contact.estado_clave == window.estado)
    if kind == "case":
        return query.where(Case.estado_clave == window.estado)
    if kind == "round":  # a case figure driven by its volantes: the volante's copy of the case's estado
        return query.where(Volante.case_estado_clave == window.estado)
    return query.where(Volante.estado_clave == window.estado)  # volante and due


def _grouped(session: Session, query: Select, key) -> dict:
    if key is False:  # dimension does not apply (messages have no tipo)
        return {}
    if key is None:
        row = session.execute(query).mappings().one()
        return {"total": dict(row)}
    label = key.label("k")
    query = query.add_columns(label).group_by(label)
    out = {}
    for row in session.execute(query).mappings():
        data = dict(row)
        out[data.pop("k")] = data
    return out


def _add(into: dict, values: dict) -> None:
    for name, value in values.items():
        if value is not None:
            into[name] = into.get(name, 0) + value


def _rolled_up(session: Session, window: Window, query: Select, kind: str, event, dims: tuple[str, ...]) -> dict:
    """Additive figures for several dimensions from one query: GROUP BY the month key (trend) or
    by estado, canal and tipo together, then sum those few groups per requested dimension."""
    if dims == ("mes",):
        return {"mes": _grouped(session, query, _dim_column(kind, "mes", event, window))}
    cols = [_dim_column(kind, d, event, window).label(f"k_{d}") for d in FINE]
    out: dict = {d: {} for d in dims}
    for row in session.execute(query.add_columns(*cols).group_by(*cols)).mappings():
        data = dict(row)
        keys = {d: data.pop(f"k_{d}") for d in FINE}
        for dim in dims:
            _add(out[dim].setdefault("total" if dim == "total" else keys[dim], {}), data)
    return out


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


def _status(column):
    """A status compared through an expression, so SQLite (no planner statistics) filters by the
    month's timestamp index instead of walking half the table through the status index. On
    PostgreSQL the bare column: it has statistics, and the expression's default selectivity
    made it estimate ~100 rows for a month's ~20k and pick random-access nested loops."""
    return _status_expr(column)


def _flag(condition):
    return func.sum(case((condition, 1), else_=0))


# --- the additive figures (each: query, kind of row, event column) ---------------------------

def _cases_registered(window):
    """Cases registered (every contact lands in the base de datos única); cancelled cases
    (duplicates, spam) are left out. Counted by registration date."""
    query = select(func.count().label("casos_registrados")).select_from(Case).where(
        window.during(Case.created_at), Case.status != CaseStatus.CANCELADA)
    return query, "case", Case.created_at


def _cases_attended(window):
    """Cases answered directly without a volante (atendida), by the date they were closed; a case
    attended and later reopened (issue 17) still counts in the month it was attended (its
    reopening keeps that closure's date)."""
    closed = select(Case.id.label("case_id"), Case.closed_at.label("at")).where(
        window.during(Case.closed_at), _status(Case.status) == CaseStatus.ATENDIDA)
    reopened = select(Reopening.case_id.label("case_id"), Reopening.closed_at.label("at")).where(
        window.during(Reopening.closed_at), Reopening.from_status == CaseStatus.ATENDIDA)
    events = union_all(closed, reopened).subquery("atendidos_ev")
    query = select(func.count().label("atendidos")).select_from(events).join(Case, Case.id == events.c.case_id)
    return query, "case", events.c.at


def _concluded(window):
    """Conclusions (FUR accepted), by the date of acceptance, with the accepted FUR's resultado and,
    for cobro_injustificado, the amounts claimed and reimbursed. Driven by the accepted volantes,
    so a case reopened later (issue 17) keeps its earlier conclusion, and one concluded again
    counts once per round. Case dimensions (the case's current estado, canal and tipo, from the
    volante's copy of them)."""
    cobro = Volante.tipo == Tipo.COBRO_INJUSTIFICADO
    query = (
        select(
            func.count().label("concluidos"),
            _flag(Fur.resultado == Resultado.FAVORABLE).label("favorables"),
            _flag(Fur.resultado == Resultado.NO_FAVORABLE).label("no_favorables"),
            _flag(Fur.resultado == Resultado.IMPROCEDENTE).label("improcedentes"),
            _flag(cobro).label("cobros_concluidos"),
            _flag(and_(cobro, Fur.monto_reembolsado > 0)).label("reembolsos"),
            func.sum(case((cobro, func.coalesce(Fur.monto_reclamado, 0)), else_=0)).label("monto_reclamado"),
            func.sum(case((cobro, func.coalesce(Fur.monto_reembolsado, 0)), else_=0)).label("monto_reembolsado"),
        )
        .select_from(Volante)
        .outerjoin(Fur, Fur.volante_id == Volante.id)
        .where(window.during(Volante.closed_at), _status(Volante.status) == VolanteStatus.ACEPTADO)
    )
    return query, "round", Volante.closed_at


def _concluded_count(window):
    """The trend's conclusions: the count of `_concluded` alone, without its FUR join (the trend
    plots no resultado or amount; a volante has at most one FUR, so the count is the same)."""
    query = select(func.count().label("concluidos")).select_from(Volante).where(
        window.during(Volante.closed_at), _status(Volante.status) == VolanteStatus.ACEPTADO)
    return query, "round", Volante.closed_at


def _satisfaction(window):
    """Satisfaction answers (1-5) by the date the affiliate answered the survey (sum and count;
    the average is derived after rolling up)."""
    query = select(
        func.sum(Case.satisfaction).label("satisfaccion_suma"),
        func.count(Case.satisfaction).label("satisfaccion_n"),
    ).select_from(Case).where(window.during(Case.satisfaction_at), Case.satisfaction.is_not(None))
    return query, "case", Case.satisfaction_at


def _reopened(window):
    """Cases reopened for a new round on the same folio (issue 17), by the date of the reopening,
    with the case's estado, canal and tipo; those the affiliate asked for are also counted apart."""
    query = (
        select(func.count().label("reaperturas"),
               _flag(Reopening.by_affiliate.is_(True)).label("reaperturas_afiliado"))
        .select_from(Reopening).join(Case, Case.id == Reopening.case_id)
        .where(window.during(Reopening.created_at))
    )
    return query, "case", Reopening.created_at


def _volantes_opened(window):
    """Volantes sent to an enlace (first turns, re-turns after a devolución and reassignments)."""
    query = (
        select(func.count().label("volantes_abiertos"), _flag(Volante.numero == 1).label("casos_turnados"))
        .select_from(Volante).where(window.during(Volante.sent_at))
    )
    return query, "volante", Volante.sent_at


def _volantes_answered(window):
    """FURs filed (volantes answered), and how many on or before the volante's due date."""
    query = (
        select(func.count().label("volantes_respondidos"),
               _flag(local_date(Volante.answered_at) <= Volante.due_date).label("respondidos_en_plazo"))
        .select_from(Volante).where(window.during(Volante.answered_at))
    )
    return query, "volante", Volante.answered_at


def _volantes_reviewed(window):
    """Reviews by vinculación: FURs accepted and FURs sent back (ampliar gestión), by the date
    the volante was closed by the review."""
    query = (
        select(_flag(Volante.status == VolanteStatus.ACEPTADO).label("volantes_aceptados"),
               _flag(Volante.status == VolanteStatus.DEVUELTO).label("volantes_devueltos"))
        .select_from(Volante)
        .where(window.during(Volante.closed_at),
               _status(Volante.status).in_([VolanteStatus.ACEPTADO, VolanteStatus.DEVUELTO]))
    )
    return query, "volante", Volante.closed_at


def _volantes_overdue(window):
    """Volantes vencidos, counted in the month of their due date: answered after the due date,
    or still unanswered (and not paused) with the due date before `as_of`. A volante cancelled
    (case cancelled or reassigned) on or before its due date is not vencido."""
    answered_late = and_(Volante.answered_at.is_not(None), local_date(Volante.answered_at) > Volante.due_date)
    still_open = and_(
        Volante.answered_at.is_(None),
        Volante.due_date < (window.as_of or date.max),
        Volante.paused_at.is_(None),
        or_(Volante.status != VolanteStatus.CANCELADO, local_date(Volante.closed_at) > Volante.due_date),
    )
    query = (
        select(func.count().label("volantes_vencidos"))
        .select_from(Volante)
        .where(Volante.due_date >= window.first_day, Volante.due_date <= window.last_day,
               or_(answered_late, still_open))
    )
    return query, "due", Volante.due_date


def _messages_query(window):
    """Inbound WhatsApp/SMS messages and the distinct phones (contacts) that sent them. Distinct
    counts do not add up across groups, so callers run it per dimension."""
    query = (
        select(func.count().label("mensajes_recibidos"),
               func.count(func.distinct(Message.contact_id)).label("personas"))
        .select_from(Message).outerjoin(Contact, Contact.id == Message.contact_id)
        .where(window.during(Message.created_at), Message.direction == Direction.INBOUND)
    )
    return _scoped(query, "message", window)


def _messages(session, window, dim):
    return _grouped(session, _messages_query(window), _dim_column("message", dim, Message.created_at, window))


def _days(start, end):
    """Business days in (local(start), local(end)] from the business_days calendar."""
    bs, be = aliased(BusinessDay), aliased(BusinessDay)
    return bs, be, (be.ordinal - bs.ordinal), bs.fecha == local_date(start), be.fecha == local_date(end)


def _first_answer_days(window):
    """Business days to the first answer: for each case's first FUR filed, from the day its
    volante was sent to the day the FUR was filed. Counted in the month of that first FUR. The
    volante holding it is marked when the FUR is filed (`Volante.first_answer`)."""
    bs, be, days, on_start, on_end = _days(Volante.sent_at, Volante.answered_at)
    base = (
        select(days.label("d"))
        .select_from(Volante)
        .join(bs, on_start).join(be, on_end)
        .where(window.during(Volante.answered_at), Volante.first_answer.is_(True))
    )
    return base, "volante", Volante.answered_at, "dias_respuesta"


def _conclusion_days(window):
    """Business days to conclusion: from the day the round's first volante was sent to the day its
    FUR was accepted (re-turns included). Counted in the month of conclusion, once per accepted
    round, so a reopened case keeps its first conclusion and adds its new round's."""
    first = aliased(Volante)
    bs, be, days, on_start, on_end = _days(first.sent_at, Volante.closed_at)
    # each round's first volante by the id every volante of the round keeps (`round_first_id`):
    # one primary-key join instead of grouping every volante of the table per case and round
    base = (
        select(days.label("d"))
        .select_from(Volante)
        .join(first, first.id == Volante.round_first_id)
        .join(bs, on_start).join(be, on_end)
        .where(window.during(Volante.closed_at), _status(Volante.status) == VolanteStatus.ACEPTADO)
    )
    return base, "round", Volante.closed_at, "dias_conclusion"


def _percentile_figures(session, window: Window, build, dims: tuple[str, ...]) -> dict:
    """Median and p90 for several dimensions in one statement: the rows (days + keys) are
    selected once as a CTE, stacked once per dimension (UNION ALL) and ranked per (dim, key)."""
    base, kind, event, prefix = build(window)
    base = _scoped(base, kind, window)
    keyed = [d for d in dims if d != "total"]
    if session.get_bind().dialect.name == "postgresql":
        return _percentile_figures_pg(session, base, kind, event, prefix, window, dims, keyed)
    cte = base.add_columns(*[_dim_column(kind, d, event, window).label(f"k_{d}") for d in keyed]).cte(f"{prefix}_rows")
    parts = [
        select(literal_column(f"'{d}'").label("dim"),
               (literal_column("'total'") if d == "total" else cast(cte.c[f"k_{d}"], String)).label("k"),
               cte.c.d)
        for d in dims
    ]
    stacked = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery()
    found = percentiles(session, stacked, partition=("dim", "k"))
    out: dict = {d: {} for d in dims}
    for (dim, key), v in found.items():
        out[dim][key] = {f"{prefix}_mediana": v["mediana"], f"{prefix}_p90": v["p90"], f"{prefix}_n": v["n"]}
    return out


def _percentile_figures_pg(session, base, kind, event, prefix, window, dims, keyed) -> dict:
    """PostgreSQL: percentile_cont (the same linear interpolation) per breakdown in one pass
    with GROUPING SETS, instead of stacking the rows once per dimension and ranking them."""
    keys = [cast(_dim_column(kind, d, event, window), String).label(f"k_{d}") for d in keyed]
    rows = base.add_columns(*keys).subquery(f"{prefix}_rows")
    kcols = [rows.c[f"k_{d}"] for d in keyed]
    sets = ", ".join("()" if d == "total" else f"({rows.c[f'k_{d}'].name})" for d in dims)
    cols = [
        func.count().label("n"),
        func.percentile_cont(0.5).within_group(rows.c.d).label("mediana"),
        func.percentile_cont(0.9).within_group(rows.c.d).label("p90"),
        *kcols,
    ]
    if kcols:
        cols.append(func.grouping(*kcols).label("g"))
        query = select(*cols).group_by(literal_column(f"GROUPING SETS ({sets})"))
    else:
        query = select(*cols)
    out: dict = {d: {} for d in dims}
    width = len(keyed)
    for row in session.execute(query).mappings():
        if not row["n"]:  # the empty grouping set yields a row even when no rows match
            continue
        g = row["g"] if kcols else (1 << width) - 1
        if g == (1 << width) - 1:
            dim, key = "total", "total"
        else:
            i = next(i for i in range(width) if not g & (1 << (width - 1 - i)))
            dim, key = keyed[i], row[f"k_{keyed[i]}"]
        if dim not in out:
            continue
        out[dim][key] = {f"{prefix}_mediana": round(float(row["mediana"]), 2),
                         f"{prefix}_p90": round(float(row["p90"]), 2), f"{prefix}_n": int(row["n"])}
    return out


def kind_of(build) -> str:
    return "volante" if build in (_volantes_opened, _volantes_answered, _volantes_reviewed, _volantes_overdue) else "case"


ADDITIVE = (_cases_registered, _cases_attended, _volantes_opened, _volantes_answered, _volantes_reviewed,
            _volantes_overdue, _concluded, _satisfaction, _reopened)
TREND = (_cases_registered, _volantes_opened, _volantes_answered, _volantes_reviewed, _volantes_overdue,
         _concluded_count)
PERCENTILES = (_first_answer_days, _conclusion_days)

COUNTS = (
    "casos_registrados", "atendidos", "personas", "mensajes_recibidos", "volantes_abiertos",
    "casos_turnados", "volantes_respondidos", "respondidos_en_plazo", "volantes_aceptados",
    "volantes_devueltos", "volantes_vencidos", "concluidos", "favorables", "no_favorables",
    "improcedentes", "cobros_concluidos", "reembolsos", "satisfaccion_n", "dias_respuesta_n",
    "dias_conclusion_n", "reaperturas", "reaperturas_afiliado",
)
MONEY = ("monto_reclamado", "monto_reembolsado")
NULLABLE = ("satisfaccion_promedio", "dias_respuesta_mediana", "dias_respuesta_p90",
            "dias_conclusion_mediana", "dias_conclusion_p90")


def _ratio(num, den):
    return round(num / den, 4) if den else None


def finish(row: dict) -> dict:
    """Fill missing figures (a group with no events) and derive averages and shares."""
    out = {name: int(row.get(name) or 0) for name in COUNTS}
    for name in MONEY:
        out[name] = round(float(row.get(name) or 0), 2)
    for name in NULLABLE:
        value = row.get(name)
        out[name] = None if value is None else round(float(value), 2)
    if out["satisfaccion_n"]:
        out["satisfaccion_promedio"] = round(float(row["satisfaccion_suma"]) / out["satisfaccion_n"], 2)
    out["pct_en_plazo"] = _ratio(out["respondidos_en_plazo"], out["volantes_respondidos"])
    out["tasa_devolucion"] = _ratio(out["volantes_devueltos"], out["volantes_devueltos"] + out["volantes_aceptados"])
    out["pct_favorable"] = _ratio(out["favorables"], out["concluidos"])
    # reopened in the month per case closed in the month (concluded or attended)
    out["tasa_reapertura"] = _ratio(out["reaperturas"], out["concluidos"] + out["atendidos"])
    return out


def compute_many(session: Session, window: Window, dims: tuple[str, ...]) -> dict[str, dict[str, dict]]:
    """{dimension: {group key: figures}} for the window; keys None = sin estado/canal/tipo.
    The trend (dims == ("mes",)) computes only the additive figures it plots."""
    merged: dict = {d: {} for d in dims}
    trend = dims == ("mes",)
    for build in (TREND if trend else ADDITIVE):
        query, kind, event = build(window)
        query = _scoped(query, kind, window)
        for dim, groups in _rolled_up(session, window, query, kind, event, dims).items():
            for key, values in groups.items():
                merged[dim].setdefault(key, {}).update(values)
    if dims != ("mes",):
        for dim in dims:
            for key, values in _messages(session, window, dim).items():
                merged[dim].setdefault(key, {}).update(values)
        for build in PERCENTILES:
            for dim, groups in _percentile_figures(session, window, build, dims).items():
                for key, values in groups.items():
                    merged[dim].setdefault(key, {}).update(values)
    if "total" in merged and not merged["total"]:
        merged["total"]["total"] = {}
    return {dim: {key: finish(values) for key, values in groups.items()} for dim, groups in merged.items()}


def compute(session: Session, window: Window, dim: str) -> dict[str, dict]:
    return compute_many(session, window, (dim,))[dim]


def top_topics(session: Session, window: Window, limit: int = 10) -> list[dict]:
    """Most asked coverage topics (Case.topic of consulta_cobertura cases registered in the window)."""
    count = func.count().label("n")
    query = (
        select(Case.topic, count).where(window.during(Case.created_at), Case.tipo == Tipo.CONSULTA_COBERTURA,
                                        Case.topic.is_not(None), Case.topic != "")
        .group_by(Case.topic).order_by(count.desc(), Case.topic).limit(limit)
    )
    query = _scoped(query, "case", window)
    return [{"tema": topic, "n": int(n)} for topic, n in session.execute(query)]


# --- several months in one pass (the report's month and the previous one) ---------------------

def _by_month(session: Session, query: Select, cols: list, out_cols: tuple[str, ...]):
    """Rows of `query` grouped by `cols` (labelled), yielded as (keys dict, figures dict)."""
    for row in session.execute(query.add_columns(*cols).group_by(*cols)).mappings():
        data = dict(row)
        yield {name: data.pop(name) for name in out_cols}, data


def compute_months(session: Session, window: Window, dims: tuple[str, ...]) -> dict[str, dict[str, dict]]:
    """{month key: {dimension: {group key: figures}}} for every month of the window, each
    statement grouping by the month as well (one pass for the month and the previous one
    instead of one per month). Same figures as compute_many on each single month."""
    months, m = [], window.first
    while m <= window.last:
        months.append(m.key)
        m = m.shift(1)
    merged: dict = {mk: {d: {} for d in dims} for mk in months}
    for build in ADDITIVE:
        query, kind, event = build(window)
        query = _scoped(query, kind, window)
        cols = [_dim_column(kind, d, event, window).label(f"k_{d}") for d in FINE]
        cols.append(_month_bucket(kind, event, window).label("k_mes"))
        for keys, data in _by_month(session, query, cols, tuple(f"k_{d}" for d in (*FINE, "mes"))):
            if keys["k_mes"] not in merged:
                continue
            for dim in dims:
                key = "total" if dim == "total" else keys[f"k_{dim}"]
                _add(merged[keys["k_mes"]][dim].setdefault(key, {}), data)
            for dim in dims:  # a group with only NULL sums still exists (as compute_many)
                key = "total" if dim == "total" else keys[f"k_{dim}"]
                merged[keys["k_mes"]][dim].setdefault(key, {})
    for dim in dims:
        query = _messages_query(window)
        key_col = _dim_column("message", dim, Message.created_at, window)
        if key_col is False:
            continue
        cols = [_month_bucket("message", Message.created_at, window).label("k_mes")]
        if key_col is not None:
            cols.append(key_col.label("k"))
        for keys, data in _by_month(session, query, cols, tuple(c.name for c in cols)):
            if keys["k_mes"] in merged:
                merged[keys["k_mes"]][dim].setdefault(keys.get("k", "total"), {}).update(data)
    for build in PERCENTILES:
        for mk, by_dim in _percentile_months(session, window, build, dims).items():
            if mk in merged:
                for dim, groups in by_dim.items():
                    for key, values in groups.items():
                        merged[mk][dim].setdefault(key, {}).update(values)
    out = {}
    for mk, by_dim in merged.items():
        if "total" in by_dim and not by_dim["total"]:
            by_dim["total"]["total"] = {}
        out[mk] = {dim: {key: finish(values) for key, values in groups.items()} for dim, groups in by_dim.items()}
    return out


def _percentile_months(session, window: Window, build, dims: tuple[str, ...]) -> dict:
    base, kind, event, prefix = build(window)
    base = _scoped(base, kind, window)
    keyed = [d for d in dims if d != "total"]
    mes = _month_bucket(kind, event, window).label("k_mes")
    out: dict = {}

    def put(mk, dim, key, n, mediana, p90):
        out.setdefault(mk, {}).setdefault(dim, {})[key] = {
            f"{prefix}_mediana": mediana, f"{prefix}_p90": p90, f"{prefix}_n": n}

    if session.get_bind().dialect.name == "postgresql":
        keys = [cast(_dim_column(kind, d, event, window), String).label(f"k_{d}") for d in keyed]
        rows = base.add_columns(mes, *keys).subquery(f"{prefix}_rows")
        kcols = [rows.c[f"k_{d}"] for d in keyed]
        sets = ", ".join("(k_mes)" if d == "total" else f"(k_mes, k_{d})" for d in dims)
        cols = [rows.c.k_mes, func.count().label("n"),
                func.percentile_cont(0.5).within_group(rows.c.d).label("mediana"),
                func.percentile_cont(0.9).within_group(rows.c.d).label("p90"), *kcols]
        if kcols:
            cols.append(func.grouping(*kcols).label("g"))
            query = select(*cols).group_by(literal_column(f"GROUPING SETS ({sets})"))
        else:
            query = select(*cols).group_by(rows.c.k_mes)
        width = len(keyed)
        for row in session.execute(query).mappings():
            g = row["g"] if kcols else 0
            if not kcols or g == (1 << width) - 1:
                dim, key = "total", "total"
            else:
                i = next(i for i in range(width) if not g & (1 << (width - 1 - i)))
                dim, key = keyed[i], row[f"k_{keyed[i]}"]
            if dim in dims:
                put(row["k_mes"], dim, key, int(row["n"]), round(float(row["mediana"]), 2),
                    round(float(row["p90"]), 2))
        return out
    cte = base.add_columns(mes, *[_dim_column(kind, d, event, window).label(f"k_{d}") for d in keyed]).cte(
        f"{prefix}_rows")
    parts = [
        select(cte.c.k_mes.label("mes"), literal_column(f"'{d}'").label("dim"),
               (literal_column("'total'") if d == "total" else cast(cte.c[f"k_{d}"], String)).label("k"),
               cte.c.d)
        for d in dims
    ]
    stacked = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery()
    for (mk, dim, key), v in percentiles(session, stacked, partition=("mes", "dim", "k")).items():
        put(mk, dim, key, v["n"], v["mediana"], v["p90"])
    return out
