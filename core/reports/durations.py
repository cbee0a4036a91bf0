"""Business days as medians and 90th percentiles (DOMAIN.md §10): to the first answer, to the
conclusion, and per enlace to each FUR they filed (issue 17 item 6), for every month of a window
and every breakdown in one statement per figure.

Business days come from the business_days calendar (core.reports.calendar: two primary-key
joins). Percentiles are linear interpolation: on PostgreSQL `percentile_cont` with GROUPING
SETS; on SQLite the rows as a CTE, stacked per breakdown with UNION ALL and ranked with window
functions (core.reports.sql.percentiles), which gives the same numbers.
"""

from __future__ import annotations

from sqlalchemy import Integer, String, case, cast, func, literal_column, select, union_all
from sqlalchemy.orm import Session, aliased

from core.enums import VolanteStatus
from core.models import BusinessDay, Fur, Volante
from core.reports.events import IN_PLAZO, status
from core.reports.sql import local_date, percentiles
from core.reports.window import Window, month_bucket

ENLACE = "enlace"  # the breakdown by the user who filed the FUR


def _days(start, end):
    """Business days in (local(start), local(end)] from the business_days calendar."""
    bs, be = aliased(BusinessDay), aliased(BusinessDay)
    return bs, be, (be.ordinal - bs.ordinal), bs.fecha == local_date(start), be.fecha == local_date(end)


def answer_rows(window: Window):
    """Every FUR filed in the window: the business days from its volante's sending to the filing,
    whether it was the case's first answer (`Volante.first_answer`, marked when filed: "días a la
    primera respuesta" counts only those), whether it was in plazo, and who filed it."""
    bs, be, days, on_start, on_end = _days(Volante.sent_at, Volante.answered_at)
    query = (
        select(days.label("d"), Volante.first_answer.label("primera"),
               case((IN_PLAZO, 1), else_=0).label("en_plazo"), Volante.case_id.label("caso"),
               cast(Fur.filed_by_id, String).label(f"k_{ENLACE}"))
        .select_from(Volante)
        .join(Fur, Fur.volante_id == Volante.id)  # an answered volante always has its FUR
        .join(bs, on_start).join(be, on_end)
        .where(window.during(Volante.answered_at))
    )
    return query, Volante.answered_at, Volante.estado_clave


def conclusion_rows(window: Window):
    """Business days to conclusion: from the day the round's first volante was sent to the day its
    FUR was accepted (re-turns included), once per accepted round, so a reopened case keeps its
    first conclusion and adds its new round's. Each round's first volante is found by the id
    every volante of the round keeps (`round_first_id`): one primary-key join."""
    first = aliased(Volante)
    bs, be, days, on_start, on_end = _days(first.sent_at, Volante.closed_at)
    query = (
        select(days.label("d"))
        .select_from(Volante)
        .join(first, first.id == Volante.round_first_id)
        .join(bs, on_start).join(be, on_end)
        .where(window.during(Volante.closed_at), status(Volante.status) == VolanteStatus.ACEPTADO)
    )
    return query, Volante.closed_at, Volante.case_estado_clave


def _keys(estado_col, dims):
    cols = {"estado": estado_col, "canal": Volante.canal, "tipo": Volante.tipo}
    return [cast(cols[d], String).label(f"k_{d}") for d in dims if d in cols]


def _figures(prefix: str, n, mediana, p90) -> dict:
    return {f"{prefix}_mediana": round(float(mediana), 2), f"{prefix}_p90": round(float(p90), 2),
            f"{prefix}_n": int(n)}


def _enlace_figures(n, mediana, p90, casos, en_plazo) -> dict:
    return {"respondidos": int(n), "casos": int(casos), "respondidos_en_plazo": int(en_plazo or 0),
            "dias_mediana": round(float(mediana), 2), "dias_p90": round(float(p90), 2)}


def duration_months(session: Session, window: Window, build, prefix: str, dims: tuple[str, ...], *,
                    first_only: bool = False, enlaces: bool = False) -> dict:
    """{month: {dimension: {key: figures}}} for one duration. `first_only`: the breakdowns count
    only the case's first answers. `enlaces`: also the breakdown by the user who filed (all their
    FURs), with their count of cases and of FURs in plazo."""
    base, event, estado_col = build(window)
    if window.estado is not None:
        base = base.where(estado_col == window.estado)
    mes = month_bucket(event, window).label("k_mes")
    keyed = [d for d in dims if d != "total"]
    rows = base.add_columns(mes, *_keys(estado_col, keyed))
    if session.get_bind().dialect.name == "postgresql":
        return _pg(session, rows.subquery("filas"), prefix, dims, keyed, first_only, enlaces)
    return _sqlite(session, rows.cte("filas"), prefix, dims, first_only, enlaces)


def _put(out, mk, dim, key, values):
    out.setdefault(mk, {}).setdefault(dim, {})[key] = values


def _sqlite(session, cte, prefix, dims, first_only, enlaces) -> dict:
    parts = []
    for dim in dims:
        key = literal_column("'total'") if dim == "total" else cte.c[f"k_{dim}"]
        part = select(cte.c.k_mes.label("mes"), literal_column(f"'{dim}'").label("dim"), key.label("k"), cte.c.d,
                      *([cte.c.en_plazo, cte.c.caso] if enlaces else []))
        parts.append(part.where(cte.c.primera.is_(True)) if first_only else part)
    if enlaces:
        parts.append(select(cte.c.k_mes.label("mes"), literal_column(f"'{ENLACE}'").label("dim"),
                            cte.c[f"k_{ENLACE}"].label("k"), cte.c.d, cte.c.en_plazo, cte.c.caso))
    stacked = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery()
    extra = {"en_plazo": func.sum, "caso": lambda c: func.count(func.distinct(c))} if enlaces else None
    out: dict = {}
    for (mk, dim, key), v in percentiles(session, stacked, partition=("mes", "dim", "k"), extra=extra).items():
        if dim == ENLACE:
            if key is not None:
                _put(out, mk, ENLACE, int(key), _enlace_figures(v["n"], v["mediana"], v["p90"], v["caso"],
                                                                v["en_plazo"]))
        else:
            _put(out, mk, dim, key, {f"{prefix}_mediana": v["mediana"], f"{prefix}_p90": v["p90"],
                                     f"{prefix}_n": v["n"]})
    return out


def _pg(session, rows, prefix, dims, keyed, first_only, enlaces) -> dict:
    """percentile_cont per breakdown and month in one pass with GROUPING SETS; the breakdowns'
    figures FILTER to first answers when asked, the enlaces' take every FUR."""
    groups = list(keyed) + ([ENLACE] if enlaces else [])
    kcols = [rows.c[f"k_{d}"] for d in groups]
    only = rows.c.primera.is_(True) if first_only else None

    def agg(expr):
        return expr.filter(only) if only is not None else expr

    cols = [rows.c.k_mes, *kcols,
            agg(func.count()).label("n"),
            agg(func.percentile_cont(0.5).within_group(rows.c.d)).label("mediana"),
            agg(func.percentile_cont(0.9).within_group(rows.c.d)).label("p90")]
    if enlaces:
        cols += [func.count().label("n_todos"),
                 func.percentile_cont(0.5).within_group(rows.c.d).label("mediana_todos"),
                 func.percentile_cont(0.9).within_group(rows.c.d).label("p90_todos"),
                 func.sum(cast(rows.c.en_plazo, Integer)).label("en_plazo"),
                 func.count(func.distinct(rows.c.caso)).label("casos")]
    sets = ", ".join("(k_mes)" if d == "total" else f"(k_mes, k_{d})" for d in [*dims, *([ENLACE] if enlaces else [])])
    if kcols:
        cols.append(func.grouping(*kcols).label("g"))
        query = select(*cols).group_by(literal_column(f"GROUPING SETS ({sets})"))
    else:
        query = select(*cols).group_by(rows.c.k_mes)
    width, out = len(groups), {}
    for row in session.execute(query).mappings():
        g = row["g"] if kcols else (1 << width) - 1
        if g == (1 << width) - 1:
            dim, key = "total", "total"
        else:
            i = next(i for i in range(width) if not g & (1 << (width - 1 - i)))
            dim, key = groups[i], row[f"k_{groups[i]}"]
        if dim == ENLACE:
            if key is not None:
                _put(out, row["k_mes"], ENLACE, int(key), _enlace_figures(
                    row["n_todos"], row["mediana_todos"], row["p90_todos"], row["casos"], row["en_plazo"]))
        elif dim in dims and row["n"]:
            _put(out, row["k_mes"], dim, key, _figures(prefix, row["n"], row["mediana"], row["p90"]))
    return out
