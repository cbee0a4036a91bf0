"""One statement per table for the informe mensual's additive figures (issue 22).

Each table (volantes, cases, reopenings) is read once for every event defined on it in
core.reports.events: the WHERE keeps the rows whose event dates fall in the window (an OR of
index ranges), and each figure of each month is a conditional sum (SUM(CASE …)) over them,
grouped by the few keys the breakdowns need (estado, canal, tipo). Python adds those few
hundred groups into the total and each breakdown. Messages are one statement too: per-contact
counts as a CTE, rolled up per breakdown with UNION ALL (distinct phones do not add up).
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import (
    String,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from core.enums import Direction
from core.models import Case, Contact, Message, Volante
from core.reports.events import ONE, Event, source
from core.reports.window import Window, month_bucket

# the keys each table's rows are grouped by: (label, column)
KEYS = {
    "volantes": (("estado", Volante.estado_clave), ("estado_caso", Volante.case_estado_clave),
                 ("canal", Volante.canal), ("tipo", Volante.tipo)),
    "cases": (("estado", Case.estado_clave), ("canal", Case.canal), ("tipo", Case.tipo)),
    "reopenings": (("estado", Case.estado_clave), ("canal", Case.canal), ("tipo", Case.tipo)),
}


def _value(event: Event, value):
    """The row's value for one figure of an event (CASE WHEN <event's condition> [AND condition]
    THEN value ELSE 0), whatever the month: the month is tested once per date column."""
    when = [] if event.where is None else [event.where]
    amount = literal(1)
    if isinstance(value, tuple):  # (condition, amount): an amount summed where the condition holds
        condition, amount = value
        amount = func.coalesce(amount, 0)
        if condition is not True:
            when.append(condition)
    elif value is not ONE:
        when.append(value)
    return case((and_(*when), amount), else_=0) if when else amount


def _month_index(column, window: Window, *, dated: bool):
    """0, 1, … for the window's months, NULL outside the window (or NULL): a balanced tree of
    comparisons, ~log2(months) a row instead of one per month (the trend's ten months are read
    for every row of ~300k)."""
    months = window.months
    starts = [m.first_day if dated else m.start_utc for m in months]

    def tree(lo: int, hi: int):
        if hi - lo == 1:
            return literal(lo)
        mid = (lo + hi) // 2
        return case((column < starts[mid], tree(lo, mid)), else_=tree(mid, hi))

    return case((window.during(column, dated=dated), tree(0, len(months))), else_=None)


def _date_key(event: Event) -> str:
    return f"m_{str(event.at).replace('.', '_')}"


def _value_name(event: Event, name: str) -> str:
    return f"v_{event.name}__{name}"


def _estado_key(event: Event) -> str:
    return "estado_caso" if event.kind == "round" else "estado"


def table_pass(session: Session, table: str, events: tuple[Event, ...], window: Window,
               extra_keys: tuple = (), *, groups: bool = True) -> Iterator[tuple[dict, Event, str, dict]]:
    """Read `table` once for all its `events` over every month of the window. Yields
    (group keys, event, month key, figures) for each group in which the event has rows; an
    event whose estado (by its kind) is not the window's is left out.

    An inner SELECT computes, once per row, the month of each event date and each figure's
    value; the outer one sums them per group: by estado, canal and tipo with one column per
    figure and month (the report's two months), or, `groups=False` (the trend's twelve months,
    totals only), by the months themselves."""
    months = window.months
    keys = [col.label(f"k_{name}") for name, col in KEYS[table]] + list(extra_keys) if groups else []
    dates, ranges = {}, []
    for e in events:  # one month index and one index range per distinct event date
        if _date_key(e) not in dates:
            dates[_date_key(e)] = _month_index(e.at, window, dated=e.dated).label(_date_key(e))
            ranges.append(window.during(e.at, dated=e.dated))
    values = [_value(e, value).label(_value_name(e, name)) for e in events for name, value in e.figures]
    estados = {f"k_{_estado_key(e)}": e.estado_column() for e in events} if window.estado is not None else {}
    scope = [] if groups else [c.label(name) for name, c in estados.items()]  # to drop the other kind's rows
    inner = source(table).add_columns(*keys, *dates.values(), *values, *scope)
    inner = inner.where(or_(*ranges))
    if estados:
        inner = inner.where(or_(*[c == window.estado for c in estados.values()]))
    # OFFSET 0: the inner SELECT is not merged into the outer one, which would repeat each month
    # and value expression in every conditional sum that names it (evaluated ~50 times a row)
    rows = inner.offset(0).subquery("filas")
    if groups:
        out_keys = [rows.c[k.name] for k in keys]
        cols = [func.sum(case((rows.c[_date_key(e)] == i, rows.c[_value_name(e, name)]), else_=0))
                .label(f"{e.name}__{i}__{name}") for e in events for i in range(len(months)) for name, _v in e.figures]
    else:
        out_keys = [rows.c[k] for k in dates] + [rows.c[c.name] for c in scope]
        cols = [func.sum(rows.c[_value_name(e, name)]).label(_value_name(e, name))
                for e in events for name, _v in e.figures]
    query = select(*out_keys, *cols).group_by(*out_keys)
    month_keys = [m.key for m in months]
    # the result's column of each figure: per month (groups) or per event (the trend)
    columns = {e.name: ([[(name, f"{e.name}__{i}__{name}") for name, _v in e.figures] for i in range(len(months))]
                        if groups else [(name, _value_name(e, name)) for name, _v in e.figures]) for e in events}
    group_names = [(k.name.removeprefix("k_"), k.name) for k in out_keys if k.name.startswith("k_")]
    for row in session.execute(query).mappings():
        group = {name: row[column] for name, column in group_names}
        for e in events:
            if window.estado is not None and group[_estado_key(e)] != window.estado:
                continue
            if groups:
                found = ((month_keys[i], named) for i, named in enumerate(columns[e.name]))
            else:
                index = row[_date_key(e)]
                if index is None:
                    continue
                found = [(month_keys[index], columns[e.name])]
            for mk, named in found:
                if row[named[0][1]]:  # the event's own row count: no rows, no group
                    yield group, e, mk, {name: row[column] for name, column in named}


def group_key(group: dict, event: Event, dim: str):
    """The breakdown key of a group for an event: its estado by the event's kind."""
    if dim == "total":
        return "total"
    if dim == "estado":
        return group[_estado_key(event)]
    return group[dim]


def messages_pass(session: Session, window: Window, dims: tuple[str, ...]) -> Iterator[tuple[str, str, object, dict]]:
    """Inbound WhatsApp/SMS messages and the distinct phones (contacts) that sent them, per month
    and breakdown (messages: the contact's estado, the message's channel; they have no tipo),
    in one statement: (month key, dimension, group key, figures)."""
    per_contact = (
        select(month_bucket(Message.created_at, window).label("mes"), Contact.estado_clave.label("estado"),
               Message.channel.label("canal"), Message.contact_id.label("contacto"), func.count().label("n"))
        .select_from(Message).outerjoin(Contact, Contact.id == Message.contact_id)
        .where(window.during(Message.created_at), Message.direction == Direction.INBOUND)
        .group_by(literal_column("1"), literal_column("2"), literal_column("3"), literal_column("4"))
    )
    if window.estado is not None:
        per_contact = per_contact.where(Contact.estado_clave == window.estado)
    rows = per_contact.cte("por_contacto")
    parts = []
    for dim in dims:
        if dim == "tipo":
            continue
        key = literal_column("'total'") if dim == "total" else cast(rows.c[dim], String)
        group = [rows.c.mes] if dim == "total" else [rows.c.mes, rows.c[dim]]
        parts.append(select(literal_column(f"'{dim}'").label("dim"), rows.c.mes, key.label("k"),
                            func.count(func.distinct(rows.c.contacto)).label("personas"),
                            func.sum(rows.c.n).label("mensajes_recibidos")).group_by(*group))
    if not parts:
        return
    query = union_all(*parts) if len(parts) > 1 else parts[0]
    for row in session.execute(query).mappings():
        yield row["mes"], row["dim"], row["k"], {"personas": row["personas"],
                                                 "mensajes_recibidos": row["mensajes_recibidos"]}
