"""Business days as medians and 90th percentiles (DOMAIN.md §10): to the first answer, to the
conclusion, and per enlace to each FUR they filed (issue 17 item 6), for every month of a window
and every breakdown in one statement per figure.

Business days come from the business_days calendar (core.reports.calendar: two primary-key
joins). The statement counts the rows per business-day value (a histogram per month and
breakdown, stacked with UNION ALL over the rows as a CTE: hash aggregates, no sort of the rows);
core.reports.sql.percentiles_of turns each histogram into PostgreSQL's percentile_cont (linear
interpolation), the same numbers on SQLite and PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import String, case, cast, exists, func, literal, literal_column, select, union_all
from sqlalchemy.orm import Session, aliased

from core.enums import VolanteStatus
from core.models import BusinessDay, Volante
from core.reports.events import IN_PLAZO, status
from core.reports.sql import local_date, percentiles_of
from core.reports.window import Window, month_bucket

ENLACE = "enlace"  # the breakdown by the user who filed the FUR


def _days(start, end):
    """Business days in (local(start), local(end)] from the business_days calendar."""
    bs, be = aliased(BusinessDay), aliased(BusinessDay)
    return bs, be, (be.ordinal - bs.ordinal), bs.fecha == local_date(start), be.fecha == local_date(end)


def _first_of_enlace(window: Window):
    """1 when no earlier volante of the same case had its FUR filed by the same user in the same
    month (and the window's estado): the per-enlace count of distinct cases, as a sum. Only a
    re-turn (numero > 1) can repeat a case, so only those look (the unique (case_id, numero) index)."""
    earlier = aliased(Volante)
    repeat = exists().where(
        earlier.case_id == Volante.case_id, earlier.numero < Volante.numero,
        earlier.fur_filed_by_id == Volante.fur_filed_by_id, window.during(earlier.answered_at),
        month_bucket(earlier.answered_at, window) == month_bucket(Volante.answered_at, window),
        *([earlier.estado_clave == window.estado] if window.estado is not None else []),
    )
    return case((Volante.numero == 1, 1), (repeat, 0), else_=1)


def answer_rows(window: Window):
    """Every FUR filed in the window: the business days from its volante's sending to the filing,
    whether it was the case's first answer (`Volante.first_answer`, marked when filed: "días a la
    primera respuesta" counts only those), whether it was in plazo, who filed it (the volante's
    copy, `fur_filed_by_id`) and whether it is that user's first FUR of the case in the month."""
    bs, be, days, on_start, on_end = _days(Volante.sent_at, Volante.answered_at)
    query = (
        select(days.label("d"), Volante.first_answer.label("primera"),
               case((IN_PLAZO, 1), else_=0).label("en_plazo"), _first_of_enlace(window).label("nuevo"),
               cast(Volante.fur_filed_by_id, String).label(f"k_{ENLACE}"))
        .select_from(Volante)
        .join(bs, on_start).join(be, on_end)
        .where(window.during(Volante.answered_at))
    )
    return query, Volante.answered_at, Volante.estado_clave


def conclusion_rows(window: Window):
    """Business days to conclusion: from the day the round's first volante was sent to the day its
    FUR was accepted (re-turns included), once per accepted round, so a reopened case keeps its
    first conclusion and adds its new round's. Each round's first volante is the one every
    volante of the round names (`round_first_id`): most accepted volantes are their round's
    first, and only the others look theirs up by primary key (a join would hash every volante)."""
    first = aliased(Volante)
    round_sent = case((Volante.round_first_id == Volante.id, Volante.sent_at),
                      else_=select(first.sent_at).where(first.id == Volante.round_first_id).scalar_subquery())
    bs, be, days, on_start, on_end = _days(round_sent, Volante.closed_at)
    query = (
        select(days.label("d"))
        .select_from(Volante)
        .join(bs, on_start).join(be, on_end)
        .where(window.during(Volante.closed_at), status(Volante.status) == VolanteStatus.ACEPTADO)
    )
    return query, Volante.closed_at, Volante.case_estado_clave


def _keys(estado_col, dims):
    cols = {"estado": estado_col, "canal": Volante.canal, "tipo": Volante.tipo}
    return [cast(cols[d], String).label(f"k_{d}") for d in dims if d in cols]


def duration_months(session: Session, window: Window, build, prefix: str, dims: tuple[str, ...], *,
                    first_only: bool = False, enlaces: bool = False) -> dict:
    """{month: {dimension: {key: figures}}} for one duration. `first_only`: the breakdowns count
    only the case's first answers. `enlaces`: also the breakdown by the user who filed (all their
    FURs), with their count of cases and of FURs in plazo."""
    base, event, estado_col = build(window)
    if window.estado is not None:
        base = base.where(estado_col == window.estado)
    mes = month_bucket(event, window).label("k_mes")
    rows = base.add_columns(mes, *_keys(estado_col, [d for d in dims if d != "total"])).cte("filas")
    zero = literal(0)
    parts = []
    for dim in dims:
        key = literal_column("'total'") if dim == "total" else rows.c[f"k_{dim}"]
        by = [rows.c.k_mes, rows.c.d] if dim == "total" else [rows.c.k_mes, key, rows.c.d]
        part = (select(literal_column(f"'{dim}'").label("dim"), rows.c.k_mes.label("mes"), key.label("k"), rows.c.d,
                       func.count().label("n"), zero.label("en_plazo"), zero.label("nuevos"))
                .group_by(*by))
        parts.append(part.where(rows.c.primera.is_(True)) if first_only else part)
    if enlaces:
        key = rows.c[f"k_{ENLACE}"]
        parts.append(select(literal_column(f"'{ENLACE}'").label("dim"), rows.c.k_mes.label("mes"), key.label("k"),
                            rows.c.d, func.count().label("n"), func.sum(rows.c.en_plazo).label("en_plazo"),
                            func.sum(rows.c.nuevo).label("nuevos"))
                     .where(key.is_not(None)).group_by(rows.c.k_mes, key, rows.c.d))
    groups: dict = {}
    for dim, mk, key, d, n, en_plazo, nuevos in session.execute(union_all(*parts) if len(parts) > 1 else parts[0]):
        group = groups.setdefault((mk, dim, key), [{}, 0, 0])
        group[0][d] = n
        group[1] += int(en_plazo or 0)
        group[2] += int(nuevos or 0)
    out: dict = {}
    for (mk, dim, key), (counts, en_plazo, nuevos) in groups.items():
        p = percentiles_of(counts)
        if dim == ENLACE:
            values = {"respondidos": p["n"], "casos": nuevos, "respondidos_en_plazo": en_plazo,
                      "dias_mediana": p["mediana"], "dias_p90": p["p90"]}
            key = int(key)
        else:
            values = {f"{prefix}_mediana": p["mediana"], f"{prefix}_p90": p["p90"], f"{prefix}_n": p["n"]}
        out.setdefault(mk, {}).setdefault(dim, {})[key] = values
    return out
