"""Informe mensual: dashboard with charts, frozen snapshots and audited exports (DOMAIN.md §10).

Every logged-in role reads the report; an enlace only ever sees (and exports) its own estado.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from backoffice.auth import current_actor, roles_required
from backoffice.db import get_report_session, get_session
from core import audit
from core.access import sees_everything
from core.enums import Role
from core.errors import DomainError
from core.estados import BY_CLAVE, ESTADOS
from core.models import ReportSnapshot
from core.report_links import default_month
from core.reports import Month, build_report
from core.reports import export as ex
from core.reports import snapshots as snaps
from core.reports.enlaces import LABELS as ENLACE_LABELS
from core.reports.enlaces import for_reader
from core.reports.formatting import SUMMARY, fmt
from core.reports.monthly import LABELS, MIN_N

bp = Blueprint("reports", __name__, url_prefix="/informe")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _estado_for_user(requested: str | None) -> str | None:
    """National readers choose any estado (or none); an enlace always gets its own."""
    if sees_everything(current_user):
        if requested and requested not in BY_CLAVE:
            abort(404)
        return requested or None
    if current_user.role == Role.ENLACE and current_user.estado_clave:
        return current_user.estado_clave
    abort(403)


def _month_arg() -> Month:
    raw = (request.args.get("mes") or "").strip()
    if not raw:
        return Month.previous_to_today()
    try:
        return Month.parse(raw).check_reportable()
    except DomainError:
        abort(400)


def _queue_base(report: dict) -> dict:
    """What every bar's link to the queue carries; each bar adds its figure and group
    (static/js/reports.js, core/report_links.py)."""
    return {"mes": report["mes"]}


def _render(report: dict, *, snapshot: ReportSnapshot | None = None):
    from flask import current_app

    queue_url = url_for("queue.index") if "queue.index" in current_app.view_functions else None
    report = for_reader(report, current_user)  # per-enlace rows: an enlace reads only their own
    return render_template(
        "reports/dashboard.html", report=report, snapshot=snapshot, labels=LABELS, summary=SUMMARY,
        fmt=fmt, min_n=MIN_N, estados=ESTADOS, national=sees_everything(current_user),
        enlace_labels=ENLACE_LABELS, per_enlace="por_enlace" in (snapshot.data if snapshot else report),
        chart_data={"report": report, "labels": LABELS, "queue_url": queue_url, "queue": _queue_base(report)},
    )


@bp.get("/")
@login_required
def dashboard():
    estado = _estado_for_user(request.args.get("estado"))
    session = get_session()
    # Without a month: the last month that has ended if it has cases, else the latest one that has.
    month = _month_arg() if (request.args.get("mes") or "").strip() else default_month(session, estado)
    report = build_report(get_report_session(), month, estado=estado, writer=session)
    session.commit()  # the business-day calendar may have been refreshed
    return _render(report)


@bp.get("/instantaneas")
@login_required
def snapshots():
    national = sees_everything(current_user)
    estado = None if national else _estado_for_user(None)
    rows = snaps.list_snapshots(get_session(), estado=estado, national=national)
    return render_template("reports/snapshots.html", rows=rows, national=national,
                           default_month=Month.previous_to_today().key, estado_of=snaps.estado_of,
                           is_partial=snaps.snapshot_is_partial)


def _visible_snapshot(snapshot_id: int) -> ReportSnapshot:
    snapshot = get_session().get(ReportSnapshot, snapshot_id)
    if snapshot is None:
        abort(404)
    if not sees_everything(current_user) and snapshot.scope != snaps.scope_for(_estado_for_user(None)):
        abort(404)
    return snapshot


@bp.get("/instantaneas/<int:snapshot_id>")
@login_required
def snapshot(snapshot_id: int):
    snap = _visible_snapshot(snapshot_id)
    return _render(snap.data, snapshot=snap)


@bp.post("/instantaneas")
@roles_required(Role.VINCULACION, Role.PARTICIPACION_SOCIAL, Role.ADMIN)
def create_snapshot():
    """Only a month that has ended can be saved; a partial snapshot saved earlier is replaced."""
    try:
        month = Month.parse(request.form.get("mes", "")).check_closed()
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("reports.snapshots"))
    estado = _estado_for_user(request.form.get("estado") or None)
    session = get_session()
    had_partial = any(snaps.snapshot_is_partial(s) for s in snaps.list_for(session, month, estado))
    try:
        snap, created = snaps.build_snapshot(session, month, estado=estado, created_by=current_actor().label)
    except DomainError as exc:
        session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("reports.snapshots"))
    if created:  # saving a snapshot is audited like its exports (docs/audit.md)
        audit.record(session, current_actor(), "informe_guardado",
                     data={"mes": month.key, "estado": estado, "reemplaza_parcial": had_partial})
    session.commit()
    if created and had_partial:
        flash(f"Se volvió a guardar el informe de {month.label}: el anterior se había tomado antes de que "
              "terminara el mes y estaba incompleto.", "info")
    elif created:
        flash(f"Se guardó el informe de {month.label}.", "info")
    else:
        flash(f"El informe de {month.label} ya estaba guardado; no se modifica.", "info")
    return redirect(url_for("reports.snapshot", snapshot_id=snap.id))


def _file(body, fmt: str, name: str) -> Response:
    mimetype = XLSX if fmt == "xlsx" else "text/csv; charset=utf-8"
    if fmt == "csv":
        body = "\ufeff" + body  # Excel opens UTF-8 CSV with accents correctly
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"',
                             "Cache-Control": "no-store"})


def _fmt_arg() -> str:
    fmt = (request.args.get("formato") or "xlsx").lower()
    if fmt not in ("xlsx", "csv"):
        abort(400)
    return fmt


def _export_report(report: dict, fmt: str, kind: str):
    report = for_reader(report, current_user)  # per-enlace rows: an enlace exports only their own
    session = get_session()
    month = Month.parse(report["mes"])
    ex.record_export(session, current_actor(), kind=kind, month=month, estado=report.get("estado"), fmt=fmt)
    session.commit()
    body = ex.report_xlsx(report) if fmt == "xlsx" else ex.report_csv(report)
    scope = BY_CLAVE[report["estado"]].abreviatura.lower() if report.get("estado") in BY_CLAVE else "nacional"
    return _file(body, fmt, f"informe-{report['mes']}-{scope}")


@bp.get("/exportar")
@login_required
def export_report():
    fmt = _fmt_arg()
    month = _month_arg()
    estado = _estado_for_user(request.args.get("estado"))
    report = build_report(get_report_session(), month, estado=estado, writer=get_session())
    return _export_report(report, fmt, "informe")


@bp.get("/instantaneas/<int:snapshot_id>/exportar")
@login_required
def export_snapshot(snapshot_id: int):
    fmt = _fmt_arg()
    return _export_report(_visible_snapshot(snapshot_id).data, fmt, "informe_guardado")


@bp.get("/casos")
@login_required
def export_cases():
    """One row per case with activity in the month; enlaces get only their estado's cases."""
    fmt = _fmt_arg()
    month = _month_arg()
    estado = _estado_for_user(request.args.get("estado"))
    session = get_session()
    rows = ex.case_rows(get_report_session(), month, current_user, estado=estado)
    body, n = ex.cases_xlsx(rows) if fmt == "xlsx" else ex.cases_csv(rows)
    ex.record_export(session, current_actor(), kind="casos", month=month, estado=estado, fmt=fmt, rows=n)
    session.commit()
    scope = BY_CLAVE[estado].abreviatura.lower() if estado else "nacional"
    return _file(body, fmt, f"casos-{month.key}-{scope}")
