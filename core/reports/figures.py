"""The informe mensual's figures, aggregated in SQL (DOMAIN.md §10), one statement per table.

Every figure counts an *event* by the date it happened, in Mexico City time: a case opened in
October and answered in November counts as a volante opened in October and as an answer in
November. What each figure counts is defined once in core.reports.events; core.reports.passes
reads each table once for all of its events and months (conditional sums grouped by estado,
canal and tipo), core.reports.durations computes the business-day medians. This module adds
the groups into the total and each breakdown and derives the shares: no Python loop over cases.
"""

from __future__ import annotations

from sqlalchemy import case
from sqlalchemy.orm import Session

from core.enums import Tipo
from core.models import Case
from core.reports import durations, events, review_figures
from core.reports.events import Event
from core.reports.passes import group_key, messages_pass, table_pass
from core.reports.window import Window

__all__ = ["DIMENSIONS", "Window", "complete_months", "compute", "compute_months", "finish", "month_parts"]

DIMENSIONS = ("total", "estado", "canal", "tipo")

COUNTS = (
    "casos_registrados", "atendidos", "personas", "mensajes_recibidos", "volantes_abiertos",
    "casos_turnados", "volantes_respondidos", "respondidos_en_plazo", "volantes_aceptados",
    "volantes_devueltos", "volantes_vencidos", "concluidos", "favorables", "no_favorables",
    "improcedentes", "cobros_concluidos", "reembolsos", "satisfaccion_n", "dias_respuesta_n",
    "dias_conclusion_n", "reaperturas", "reaperturas_afiliado", *review_figures.COUNTS,
)
MONEY = ("monto_reclamado", "monto_reembolsado")
NULLABLE = ("satisfaccion_promedio", "dias_respuesta_mediana", "dias_respuesta_p90",
            "dias_conclusion_mediana", "dias_conclusion_p90")
TOP_TOPICS = 10

# the coverage topic of a consulta_cobertura case (NULL otherwise): a grouping key of the cases'
# pass, so the top topics come from the same statement
_TOPIC = case((Case.tipo == Tipo.CONSULTA_COBERTURA, Case.topic), else_=None)
_TOPICS = Event("temas", "cases", "case", Case.created_at, (("temas_n", events.ONE),),
                where=_TOPIC.is_not(None) & (_TOPIC != ""))


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
    out["pct_revision_en_plazo"] = _ratio(out["revisiones_en_plazo"], out["revisiones"])
    return out


def _add(into: dict, values: dict) -> None:
    for name, value in values.items():
        if value is not None:
            into[name] = into.get(name, 0) + value


def _additive(session: Session, window: Window, dims: tuple[str, ...], merged: dict, *, trend: bool) -> dict:
    """The additive figures of every table, summed into merged[month][dim][key]; returns the
    topics per month ({month: {topic: n}}) the cases' pass also counted."""
    topics: dict = {}
    passes = [("volantes", events.volante_events(window, trend=trend), ()),
              ("cases", events.case_events(window, trend=trend) + (() if trend else (_TOPICS,)),
               (() if trend else (_TOPIC.label("k_tema"),)))]
    if not trend:
        passes.append(("reopenings", events.reopening_events(window), ()))
    for table, evs, extra in passes:
        for group, event, mk, values in table_pass(session, table, evs, window, extra, groups=not trend):
            if event is _TOPICS:
                by_topic = topics.setdefault(mk, {})
                by_topic[group["tema"]] = by_topic.get(group["tema"], 0) + values["temas_n"]
                continue
            for dim in dims:
                _add(merged[mk][dim].setdefault(group_key(group, event, dim), {}), values)
    return topics


def _top(counts: dict) -> list[dict]:
    """Most asked coverage topics of a month: by count, then alphabetically."""
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_TOPICS]
    return [{"tema": topic, "n": int(n)} for topic, n in ranked]


def month_parts(session: Session, window: Window, dims: tuple[str, ...], *, enlaces: bool = False) -> dict[str, dict]:
    """What compute_months reads from volantes, cases, reopenings and the business-day durations,
    per month before the messages and the derived shares: {month key: {"groups": {dimension:
    {group key: sums}}, "temas": {topic: n}, "enlace": {user id: figures}}}. Each month's part
    depends only on that month's rows (core.reports.rollups stores it)."""
    merged: dict = {m.key: {d: {} for d in dims} for m in window.months}
    topics = _additive(session, window, dims, merged, trend=False)
    per_enlace: dict = {}
    for build, prefix, first_only in ((durations.answer_rows, "dias_respuesta", True),
                                      (durations.conclusion_rows, "dias_conclusion", False)):
        found = durations.duration_months(session, window, build, prefix, dims, first_only=first_only,
                                          enlaces=enlaces and build is durations.answer_rows)
        for mk, by_dim in found.items():
            if mk not in merged:
                continue
            for dim, groups in by_dim.items():
                if dim == durations.ENLACE:
                    per_enlace[mk] = groups
                    continue
                for key, values in groups.items():
                    merged[mk][dim].setdefault(key, {}).update(values)
    return {mk: {"groups": by_dim, "temas": topics.get(mk, {}), "enlace": per_enlace.get(mk, {})}
            for mk, by_dim in merged.items()}


def complete_months(session: Session, window: Window, dims: tuple[str, ...], parts: dict[str, dict], *,
                    enlaces: bool = False) -> dict[str, dict]:
    """compute_months' result from each month's part (month_parts, computed now or stored): the
    messages' figures (read now, in one statement), the top topics, the shares."""
    for mk, dim, key, values in messages_pass(session, window, dims):
        if mk in parts and dim in parts[mk]["groups"]:
            parts[mk]["groups"][dim].setdefault(key, {}).update(values)
    out = {}
    for mk, part in parts.items():
        by_dim = part["groups"]
        if "total" in by_dim and not by_dim["total"]:
            by_dim["total"]["total"] = {}
        out[mk] = {dim: {key: finish(values) for key, values in groups.items()} for dim, groups in by_dim.items()}
        out[mk]["temas"] = _top(part["temas"])
        if enlaces:
            out[mk][durations.ENLACE] = part["enlace"]
    return out


def compute_months(session: Session, window: Window, dims: tuple[str, ...], *,
                   enlaces: bool = False) -> dict[str, dict]:
    """{month key: {dimension: {group key: figures}, "temas": [...], ["enlace": {user id: …}]}}
    for every month of the window, in one statement per table (and one per duration): keys
    None = sin estado/canal/tipo. `enlaces`: also the per-enlace figures (core.reports.enlaces)."""
    return complete_months(session, window, dims, month_parts(session, window, dims, enlaces=enlaces),
                           enlaces=enlaces)


def compute(session: Session, window: Window, dim: str) -> dict[str, dict]:
    """The trend (dim "mes"): {month key: total figures} of the additive figures it plots, for
    every month of the window, from one statement over volantes and one over cases."""
    if dim != "mes":
        raise ValueError("compute() serves the trend; use compute_months for breakdowns")
    merged: dict = {m.key: {"total": {}} for m in window.months}
    _additive(session, window, ("total",), merged, trend=True)
    return {mk: finish(by_dim["total"].get("total", {})) for mk, by_dim in merged.items()}
