"""The informe mensual as one JSON-ready dict: the month beside the previous one, per estado,
canal and tipo, the top coverage topics and a 12-month trend. Snapshots store exactly this."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.enums import CANAL_LABELS, TIPO_LABELS, Canal, Tipo
from core.estados import BY_CLAVE, ESTADOS
from core.models import ReportSnapshot
from core.reports import enlaces, rollups
from core.reports.calendar import ensure_calendar
from core.reports.durations import ENLACE
from core.reports.figures import DIMENSIONS, Window, finish
from core.reports.months import Month
from core.reports.review_figures import DEFINITION as REVIEW_DEFINITION
from core.reports.review_figures import LABELS as REVIEW_LABELS
from core.reports.review_figures import PERCENT as REVIEW_PERCENT
from core.reports.sql import tune_for_reports
from core.timeutil import now, today_mx

VERSION = 1
TREND_MONTHS = 12
MIN_N = 10  # states with fewer answered volantes are shown with their n but not ranked
TREND_FIGURES = ("casos_registrados", "volantes_abiertos", "volantes_respondidos", "concluidos",
                 "volantes_vencidos", "pct_en_plazo", "tasa_devolucion")

LABELS: dict[str, str] = {
    "casos_registrados": "Contactos registrados (casos)",
    "personas": "Personas que escribieron (WhatsApp/SMS)",
    "mensajes_recibidos": "Mensajes recibidos",
    "atendidos": "Atendidos directamente (sin volante)",
    "casos_turnados": "Casos turnados a estados",
    "volantes_abiertos": "Volantes abiertos",
    "volantes_respondidos": "Volantes respondidos (FUR)",
    "respondidos_en_plazo": "Respondidos en plazo",
    "pct_en_plazo": "% respondido en plazo",
    "volantes_vencidos": "Volantes vencidos",
    "volantes_aceptados": "FUR aceptados",
    "volantes_devueltos": "FUR devueltos (ampliar gestión)",
    "tasa_devolucion": "Tasa de devolución",
    "concluidos": "Casos concluidos",
    "favorables": "Resultado favorable",
    "no_favorables": "Resultado no favorable",
    "improcedentes": "Improcedentes",
    "pct_favorable": "% favorable",
    "dias_respuesta_mediana": "Días hábiles a la primera respuesta (mediana)",
    "dias_respuesta_p90": "Días hábiles a la primera respuesta (percentil 90)",
    "dias_respuesta_n": "Primeras respuestas",
    "dias_conclusion_mediana": "Días hábiles a la conclusión (mediana)",
    "dias_conclusion_p90": "Días hábiles a la conclusión (percentil 90)",
    "dias_conclusion_n": "Conclusiones medidas",
    "cobros_concluidos": "Cobros injustificados concluidos",
    "reembolsos": "Reembolsos realizados",
    "monto_reclamado": "Monto reclamado (cobro injustificado)",
    "monto_reembolsado": "Monto reembolsado (cobro injustificado)",
    "satisfaccion_promedio": "Satisfacción promedio (1 a 5)",
    "satisfaccion_n": "Respuestas de satisfacción",
    "reaperturas": "Casos reabiertos",
    "reaperturas_afiliado": "Reabiertos a petición de la persona afiliada",
    "tasa_reapertura": "Tasa de reapertura",
    **REVIEW_LABELS,
}
FIGURES = tuple(LABELS)
PERCENT = ("pct_en_plazo", "tasa_devolucion", "pct_favorable", "tasa_reapertura", *REVIEW_PERCENT)
MONEY = ("monto_reclamado", "monto_reembolsado")

DEFINITIONS: dict[str, str] = {
    "regla_general": "Cada cifra cuenta un evento en el mes en que ocurrió (hora del centro de México): "
                     "un caso abierto en octubre y respondido en noviembre cuenta como volante abierto "
                     "en octubre y como respuesta en noviembre.",
    "casos_registrados": "Casos registrados en la base de datos única en el mes, por cualquier canal, "
                         "sin contar los cancelados (duplicados, spam).",
    "personas": "Teléfonos distintos que enviaron al menos un mensaje por WhatsApp o SMS en el mes.",
    "atendidos": "Casos cerrados en el mes sin volante (no ameritaron gestión).",
    "volantes_abiertos": "Volantes enviados en el mes: primeros turnos, re-turnos tras devolución y reasignaciones.",
    "volantes_respondidos": "FUR presentados en el mes; en plazo si la fecha de presentación no pasa de la "
                            "fecha límite del volante.",
    "volantes_vencidos": "Volantes cuya fecha límite cae en el mes y que se respondieron después de ella o "
                         "siguen sin respuesta (ni pausados) al día del informe.",
    "tasa_devolucion": "FUR devueltos / (FUR devueltos + FUR aceptados) en revisiones del mes.",
    "concluidos": "Casos concluidos (FUR aceptado) en el mes; favorables según el FUR aceptado.",
    "dias_respuesta": "Días hábiles (lunes a viernes sin días festivos oficiales ni los dados de alta) desde "
                      "el envío del volante hasta el primer FUR del caso, contado en el mes de ese FUR.",
    "dias_conclusion": "Días hábiles desde el envío del primer volante hasta la conclusión, contado en el "
                       "mes de conclusión.",
    "montos": "Suma del monto reclamado y reembolsado en los FUR aceptados de cobros injustificados "
              "concluidos en el mes.",
    "satisfaccion": "Respuestas a la encuesta (1 a 5) recibidas en el mes.",
    "reaperturas": "Casos concluidos o atendidos que se reabrieron en el mes para una nueva ronda en el mismo "
                   "folio (por Vinculación o a petición de la persona afiliada); tasa = reabiertos / (concluidos "
                   "+ atendidos) del mes.",
    "revision": REVIEW_DEFINITION,
    "estado": "En cifras de volantes, el estado que atendió cada volante; en cifras de casos, el estado "
              "actual del caso.",
    "tendencia": "Los dos últimos meses se calculan al momento; los anteriores se toman del informe guardado "
                 "de cada mes cuando existe (cifras tal como se informaron) y si no, se calculan al momento.",
    "por_enlace": enlaces.DEFINITION,
    "ranking": f"El ranking de estados por cumplimiento de plazo solo incluye estados con al menos {MIN_N} "
               "volantes respondidos en el mes.",
}


def _label(dim: str, key) -> str:
    if dim == "estado":
        return BY_CLAVE[key].nombre if key in BY_CLAVE else "Sin estado"
    if dim == "canal":
        return CANAL_LABELS.get(key, key or "Sin canal")
    if dim == "tipo":
        return TIPO_LABELS.get(key, key or "Sin tipo")
    return str(key)


def _all_keys(dim: str, estado: str | None) -> list:
    if dim == "estado":
        return [estado] if estado else [e.clave for e in ESTADOS]
    if dim == "canal":
        return [c.value for c in Canal]
    return [t.value for t in Tipo]


def _breakdown(current: dict, previous: dict, dim: str, estado: str | None) -> list[dict]:
    keys = _all_keys(dim, estado)
    for key in list(current) + list(previous):
        if key not in keys:
            keys.append(key)
    empty = finish({})
    return [{"clave": key, "etiqueta": _label(dim, key), "actual": current.get(key, empty),
             "anterior": previous.get(key, empty)} for key in keys]


def _ranking(rows: list[dict]) -> dict:
    ranked, few = [], []
    for row in rows:
        n = row["actual"]["volantes_respondidos"]
        entry = {"clave": row["clave"], "etiqueta": row["etiqueta"], "n": n,
                 "pct_en_plazo": row["actual"]["pct_en_plazo"]}
        (ranked if n >= MIN_N else few).append(entry)
    ranked.sort(key=lambda e: (-(e["pct_en_plazo"] or 0), -e["n"], e["etiqueta"]))
    few.sort(key=lambda e: (-e["n"], e["etiqueta"]))
    return {"minimo": MIN_N, "clasificados": ranked, "insuficientes": few}


def _saved_totals(session: Session, months: list[Month], estado: str | None) -> dict[str, dict]:
    """Totals of the months that already have a complete snapshot (figures as they were
    reported); a partial one (taken before its month ended) is not a figure to show."""
    from core.reports.snapshots import is_partial, scope_for

    if not months:
        return {}
    rows = session.execute(
        select(ReportSnapshot.month, ReportSnapshot.created_at, ReportSnapshot.data)
        .where(ReportSnapshot.scope == scope_for(estado), ReportSnapshot.month.in_([m.key for m in months]))
        .order_by(ReportSnapshot.id)
    )
    saved: dict[str, dict] = {}
    for key, created_at, data in rows:
        if key in saved or not isinstance(data, dict) or not isinstance(data.get("total"), dict):
            continue
        if not is_partial(key, created_at, data):
            saved[key] = data["total"]
    return saved


def _trend(session: Session, store: rollups.Store, month: Month, estado: str | None, as_of: date, current: dict,
           previous: dict) -> list:
    """The last TREND_MONTHS months: this month and the previous one live (already computed);
    older months from their snapshot when one exists (as reported), else live: stored figures
    that are still exact (core.reports.rollups) or computed now in one grouped pass over the
    months still missing."""
    months = [month.shift(-i) for i in range(TREND_MONTHS - 1, -1, -1)]
    older = months[:-2]
    saved = _saved_totals(session, older, estado)
    live = rollups.trend_months(session, store, [m for m in older if m.key not in saved], estado, as_of)
    empty = finish({})
    rows = []
    for m in months:
        if m == month:
            source, values = "calculado", current
        elif m == month.shift(-1):
            source, values = "calculado", previous
        elif m.key in saved:
            source, values = "guardado", saved[m.key]
        else:
            source, values = "calculado", live.get(m.key, empty)
        rows.append({"mes": m.key, **{name: values.get(name) for name in TREND_FIGURES}, "fuente": source})
    return rows


def build_report(session: Session, month: Month, *, estado: str | None = None,
                 as_of: date | None = None, writer: Session | None = None) -> dict:
    """The report for `month` (national, or one estado), computed now from the database.
    `writer`: the primary's session when `session` reads a replica; the business-day calendar is
    refreshed there (the caller commits), and read there too the one time it changes (the replica
    may not have it yet)."""
    month.check_reportable()
    as_of = as_of or today_mx()
    if ensure_calendar(writer or session, month.last_day, as_of) and writer is not None:
        session = writer
    tune_for_reports(session)
    # figures of ended months are stored and read back while exact (core.reports.rollups); a
    # replica's session reads what is stored there and stores nothing
    store = rollups.Store(session, estado, as_of, writable=writer is None or writer is session)
    previous = month.shift(-1)
    both = rollups.report_months(session, store, Window(previous, month, estado, as_of), DIMENSIONS)
    current, before = both[month.key], both[previous.key]
    report = {
        "version": VERSION,
        "mes": month.key,
        "mes_etiqueta": month.label,
        "mes_anterior": previous.key,
        "mes_anterior_etiqueta": previous.label,
        "estado": estado,
        "estado_nombre": BY_CLAVE[estado].nombre if estado in BY_CLAVE else None,
        "generado": now().isoformat(timespec="seconds"),
        "al_dia": as_of.isoformat(),
        "total": current["total"]["total"],
        "total_anterior": before["total"]["total"],
    }
    for dim in ("estado", "canal", "tipo"):
        report[f"por_{dim}"] = _breakdown(current[dim], before[dim], dim, estado)
    report["ranking_estados"] = _ranking(report["por_estado"])
    report["por_enlace"] = enlaces.rows(session, current[ENLACE], before[ENLACE])
    report["temas"] = current["temas"]
    report["temas_anterior"] = before["temas"]
    report["tendencia"] = _trend(session, store, month, estado, as_of, current["total"]["total"],
                                 before["total"]["total"])
    report["definiciones"] = DEFINITIONS
    return report
