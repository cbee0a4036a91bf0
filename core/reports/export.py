"""Exports: the report (CSV and XLSX, one sheet per breakdown) and one row per case.

Every cell goes through core.spreadsheets (text a spreadsheet would run as a formula is
prefixed with an apostrophe). Personal data is masked (phone, CURP); names are never exported; a confidential case's phone
and CURP are not exported at all except to Vinculación (docs/confidential.md).
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func, select, union
from sqlalchemy.orm import Session, aliased

from core import audit
from core.access import scope_cases, sees_identity
from core.confidential import HIDDEN
from core.enums import (
    CANAL_LABELS,
    STATUS_LABELS,
    TIPO_LABELS,
    VOLANTE_STATUS_LABELS,
    CaseStatus,
    VolanteStatus,
)
from core.estados import BY_CLAVE
from core.models import BusinessDay, Case, Contact, Fur, User, Volante
from core.phones import mask_phone
from core.reports import enlaces
from core.reports.calendar import ensure_calendar
from core.reports.events import status
from core.reports.monthly import LABELS, PERCENT
from core.reports.months import Month
from core.reports.sql import local_date, tune_for_reports
from core.reports.window import Window
from core.spreadsheets import append, csv_text, workbook, xlsx_bytes
from core.timeutil import local_date as py_local_date


def mask_curp(curp: str | None) -> str:
    if not curp:
        return ""
    return curp[:4] + "*" * max(len(curp) - 4, 0)


# --- the report ---------------------------------------------------------------------------

BREAKDOWNS = (("por_estado", "Por estado"), ("por_canal", "Por canal"), ("por_tipo", "Por tipo"))


def report_rows(report: dict) -> Iterator[list]:
    """Long format: desglose, clave, etiqueta, indicador, nombre, mes, mes anterior."""
    yield ["desglose", "clave", "etiqueta", "indicador", "nombre", report["mes"], report["mes_anterior"]]
    for name, label in LABELS.items():
        yield ["total", "", "Total", name, label, report["total"].get(name), report["total_anterior"].get(name)]
    for key, _title in BREAKDOWNS:
        dim = key.removeprefix("por_")
        for row in report[key]:
            for name, label in LABELS.items():
                yield [dim, row["clave"] or "", row["etiqueta"], name, label, row["actual"].get(name),
                       row["anterior"].get(name)]
    for row in report.get("por_enlace", []):  # already cut to what the reader may see
        for name, label in enlaces.LABELS.items():
            yield ["enlace", str(row["usuario_id"]), row["nombre"], name, label, row["actual"].get(name),
                   row["anterior"].get(name)]
    for i, topic in enumerate(report["temas"], 1):
        yield ["tema", str(i), topic["tema"], "consultas", "Consultas de cobertura", topic["n"], ""]


def report_csv(report: dict) -> str:
    return csv_text(report_rows(report))


def report_xlsx(report: dict) -> bytes:
    wb = workbook()
    ws = wb.active
    ws.title = "Resumen"
    scope = report.get("estado_nombre") or "Nacional"
    append(ws, [f"Informe mensual SINAC · {report['mes_etiqueta']} · {scope}"])
    append(ws, ["Indicador", "Clave", report["mes"], report["mes_anterior"], "Cambio"])
    for name, label in LABELS.items():
        # .get: a snapshot frozen before a figure existed has no value for it
        cur, prev = report["total"].get(name), report["total_anterior"].get(name)
        change = cur - prev if isinstance(cur, int | float) and isinstance(prev, int | float) else None
        append(ws, [label, name, cur, prev, change])
    for key, title in BREAKDOWNS:
        sheet = wb.create_sheet(title)
        names = list(LABELS)
        append(sheet, ["Clave", title.removeprefix("Por ").capitalize()]
               + [LABELS[n] for n in names] + [f"{LABELS[n]} (mes anterior)" for n in names])
        for row in report[key]:
            append(sheet, [row["clave"] or "", row["etiqueta"]]
                   + [row["actual"].get(n) for n in names] + [row["anterior"].get(n) for n in names])
    _enlace_sheet(wb, report)
    topics = wb.create_sheet("Temas de cobertura")
    append(topics, ["Tema", report["mes"]])
    for topic in report["temas"]:
        append(topics, [topic["tema"], topic["n"]])
    trend = wb.create_sheet("Tendencia")
    if report["tendencia"]:
        names = [n for n in report["tendencia"][0] if n != "mes"]
        append(trend, ["Mes"] + [LABELS.get(n, n) for n in names])
        for row in report["tendencia"]:
            append(trend, [row["mes"]] + [row[n] for n in names])
    notes = wb.create_sheet("Definiciones")
    for name, text in report["definiciones"].items():
        append(notes, [name, text])
    _percent_format(wb)
    return xlsx_bytes(wb)


def _enlace_sheet(wb, report: dict) -> None:
    """Per-enlace figures (issue 17 item 6), as cut by core.access.scope_enlace_rows for the reader;
    a snapshot saved before they existed has none."""
    sheet = wb.create_sheet("Por enlace")
    names = list(enlaces.LABELS)
    append(sheet, ["Enlace", "Estado"] + [enlaces.LABELS[n] for n in names]
           + [f"{enlaces.LABELS[n]} (mes anterior)" for n in names])
    for row in report.get("por_enlace", []):
        append(sheet, [row["nombre"], row["estado_nombre"]] + [row["actual"].get(n) for n in names]
               + [row["anterior"].get(n) for n in names])
    for index, name in enumerate(names * 2):
        if name == "pct_en_plazo":
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index + 3, max_col=index + 3):
                cell.number_format = "0.0%"


def _percent_format(wb) -> None:
    """Shares are fractions (0.25); show them as percentages."""
    percent_labels = {LABELS[p] for p in PERCENT}
    summary = wb["Resumen"]
    for row in summary.iter_rows(min_row=3):
        if row[1].value in PERCENT:
            for cell in row[2:5]:
                cell.number_format = "0.0%"
    for sheet in wb.worksheets[1:]:
        headers = [c.value for c in sheet[1]]
        for index, header in enumerate(headers):
            if any(str(header or "").startswith(label) for label in percent_labels):
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index + 1, max_col=index + 1):
                    cell.number_format = "0.0%"


# --- one row per case -----------------------------------------------------------------------

CASE_COLUMNS = (
    ("folio", "Folio"), ("tipo", "Tipo"), ("canal", "Canal"), ("estado", "Estado"), ("estatus", "Estatus"),
    ("enlace", "Enlace"), ("telefono", "Teléfono (enmascarado)"), ("curp", "CURP (enmascarada)"),
    ("fecha_registro", "Fecha de registro"), ("fecha_primer_turno", "Fecha del primer turno"),
    ("fecha_primera_respuesta", "Fecha de la primera respuesta"), ("fecha_conclusion", "Fecha de cierre"),
    ("rondas", "Rondas (volantes)"), ("devoluciones", "Devoluciones"), ("detalle_rondas", "Fechas de cada ronda"),
    ("dias_habiles_primera_respuesta", "Días hábiles a la primera respuesta"),
    ("dias_habiles_conclusion", "Días hábiles a la conclusión"), ("resultado", "Resultado"),
    ("monto_reclamado", "Monto reclamado"), ("monto_reembolsado", "Monto reembolsado"),
    ("satisfaccion", "Satisfacción (1-5)"),
)


def _case_ids_query(month: Month, user, estado: str | None):
    """Ids of the cases with any event in the month (registered, turned, answered, reviewed or
    closed) that `user` may see, in order: each branch reads one month of an index."""
    w = Window(month, month)
    active = union(
        select(Case.id).where(w.during(Case.created_at)),
        select(Case.id).where(w.during(Case.closed_at)),
        select(Volante.case_id).where(w.during(Volante.sent_at)),
        select(Volante.case_id).where(w.during(Volante.answered_at)),
        select(Volante.case_id).where(w.during(Volante.closed_at)),
    ).subquery("active")
    query = select(Case.id).select_from(active).join(Case, Case.id == active.c[0]).order_by(Case.id)
    query = scope_cases(query, user)
    if estado:
        query = query.where(Case.estado_clave == estado)
    return query


def _cases_query(ids: list[int]):
    """One row per case of `ids` with its rounds' figures (correlated subqueries per case)."""
    v = aliased(Volante)
    last = aliased(Volante)
    enlace = (select(User.nombre).select_from(last).join(User, User.id == last.enlace_id)
              .where(last.case_id == Case.id).order_by(last.numero.desc()).limit(1).scalar_subquery())
    rondas = select(func.count(v.id)).where(v.case_id == Case.id).scalar_subquery()
    # the status through figures' expression: on SQLite (no statistics) a bare comparison made it
    # search the status index, ~all sent-back volantes per case, instead of the case's own volantes
    devueltos = (select(func.count(v.id)).where(v.case_id == Case.id, status(v.status) == VolanteStatus.DEVUELTO)
                 .scalar_subquery())
    first_turn = select(func.min(v.sent_at)).where(v.case_id == Case.id).scalar_subquery()
    first_answer = select(func.min(v.answered_at)).where(v.case_id == Case.id).scalar_subquery()
    bs, be = aliased(BusinessDay), aliased(BusinessDay)
    a = aliased(Volante)
    days_answer = (select(be.ordinal - bs.ordinal).select_from(a)
                   .join(bs, bs.fecha == local_date(a.sent_at)).join(be, be.fecha == local_date(a.answered_at))
                   .where(a.case_id == Case.id, a.answered_at.is_not(None))
                   .order_by(a.numero).limit(1).scalar_subquery())
    f1 = aliased(Volante)
    bs2, be2 = aliased(BusinessDay), aliased(BusinessDay)
    days_close = (select(be2.ordinal - bs2.ordinal).select_from(f1)
                  .join(bs2, bs2.fecha == local_date(f1.sent_at)).join(be2, be2.fecha == local_date(Case.closed_at))
                  .where(f1.case_id == Case.id, f1.numero == 1, Case.status == CaseStatus.CONCLUIDA)
                  .scalar_subquery())

    def last_fur(column):
        """A field of the case's latest filed FUR (per-case index lookups on furs.case_id)."""
        fv = aliased(Volante)
        return (select(column).select_from(Fur).join(fv, fv.id == Fur.volante_id)
                .where(Fur.case_id == Case.id, Fur.is_draft.is_(False))
                .order_by(fv.numero.desc()).limit(1).scalar_subquery())

    query = (
        select(Case.id, Case.folio, Case.tipo, Case.canal, Case.estado_clave, Case.status, Case.curp, Case.confidencial,
               func.coalesce(Contact.phone, Case.contacto_telefono).label("phone"),
               Case.created_at, Case.closed_at, Case.satisfaction,
               enlace.label("enlace"), rondas.label("rondas"), devueltos.label("devoluciones"),
               first_turn.label("first_turn"), first_answer.label("first_answer"),
               days_answer.label("days_answer"), days_close.label("days_close"),
               last_fur(Fur.resultado).label("resultado"),
               last_fur(Fur.monto_reclamado).label("monto_reclamado"),
               last_fur(Fur.monto_reembolsado).label("monto_reembolsado"))
        .select_from(Case)
        .outerjoin(Contact, Contact.id == Case.contact_id)
        .where(Case.id.in_(ids))
        .order_by(Case.id)
    )
    return query


def _day(moment) -> str:
    return py_local_date(moment).isoformat() if moment is not None else ""


def _rounds(session: Session, ids: list[int]) -> dict[int, str]:
    out: dict[int, list[str]] = {}
    query = (select(Volante.case_id, Volante.numero, Volante.estado_clave, Volante.status, Volante.sent_at,
                    Volante.due_date, Volante.answered_at, Volante.closed_at)
             .where(Volante.case_id.in_(ids)).order_by(Volante.case_id, Volante.numero))
    for r in session.execute(query):
        abbr = BY_CLAVE[r.estado_clave].abreviatura if r.estado_clave in BY_CLAVE else "?"
        parts = [f"{r.numero} {abbr}: enviado {_day(r.sent_at)}", f"límite {r.due_date.isoformat()}"]
        if r.answered_at:
            parts.append(f"respondido {_day(r.answered_at)}")
        if r.closed_at:
            parts.append(f"{VOLANTE_STATUS_LABELS.get(r.status, r.status).lower()} {_day(r.closed_at)}")
        out.setdefault(r.case_id, []).append(", ".join(parts))
    return {k: "; ".join(v) for k, v in out.items()}


def case_rows(session: Session, month: Month, user, *, estado: str | None = None,
              batch: int = 1000) -> Iterator[dict]:
    """One dict per case with activity in `month`, limited to what `user` may see."""
    tune_for_reports(session)
    ensure_calendar(session, month.last_day)
    ids = list(session.scalars(_case_ids_query(month, user, estado)))
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        part = session.execute(_cases_query(chunk)).all()
        rounds = _rounds(session, chunk)
        for r in part:
            yield {
                "folio": r.folio,
                "tipo": TIPO_LABELS.get(r.tipo, r.tipo),
                "canal": CANAL_LABELS.get(r.canal, r.canal),
                "estado": BY_CLAVE[r.estado_clave].nombre if r.estado_clave in BY_CLAVE else "",
                "estatus": STATUS_LABELS.get(r.status, r.status),
                "enlace": r.enlace or "",
                "telefono": (mask_phone(r.phone) if r.phone else "") if sees_identity(user, r) else HIDDEN,
                "curp": mask_curp(r.curp) if sees_identity(user, r) else HIDDEN,
                "fecha_registro": _day(r.created_at),
                "fecha_primer_turno": _day(r.first_turn),
                "fecha_primera_respuesta": _day(r.first_answer),
                "fecha_conclusion": _day(r.closed_at),
                "rondas": int(r.rondas or 0),
                "devoluciones": int(r.devoluciones or 0),
                "detalle_rondas": rounds.get(r.id, ""),
                "dias_habiles_primera_respuesta": r.days_answer,
                "dias_habiles_conclusion": r.days_close,
                "resultado": r.resultado or "",
                "monto_reclamado": float(r.monto_reclamado) if r.monto_reclamado is not None else None,
                "monto_reembolsado": float(r.monto_reembolsado) if r.monto_reembolsado is not None else None,
                "satisfaccion": r.satisfaction,
            }


def cases_csv(rows) -> tuple[str, int]:
    counted = [0]

    def lines():
        yield [label for _, label in CASE_COLUMNS]
        for row in rows:
            counted[0] += 1
            yield [row[key] if row[key] is not None else "" for key, _ in CASE_COLUMNS]

    return csv_text(lines()), counted[0]


def cases_xlsx(rows) -> tuple[bytes, int]:
    wb = workbook(write_only=True)
    ws = wb.create_sheet("Casos")
    append(ws, [label for _, label in CASE_COLUMNS])
    n = 0
    for row in rows:
        append(ws, [row[key] for key, _ in CASE_COLUMNS])
        n += 1
    return xlsx_bytes(wb), n


def record_export(session: Session, actor, *, kind: str, month: Month, estado: str | None, fmt: str,
                  rows: int | None = None) -> None:
    """Every export is an audit event (who exported what, for which month and estado)."""
    audit.record(session, actor, "exportacion",
                 data={"tipo": kind, "mes": month.key, "estado": estado, "formato": fmt, "filas": rows})
