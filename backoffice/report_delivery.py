"""The monthly reports sent by e-mail (issue 17 item 7, core/reports/delivery.py): the
directorate's list of past deliveries (when, to whom, which files, sent or failed), an admin's
re-send, and the admin page of recipients. Thin handlers: the rules are core's."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from backoffice.auth import current_actor, roles_required
from backoffice.db import commit_and_dispatch, get_session
from core import audit
from core.enums import Role
from core.errors import DomainError
from core.estados import ESTADOS
from core.models import ReportDelivery
from core.reports import delivery as dl
from core.reports.months import Month

bp = Blueprint("report_delivery", __name__)

READERS = (Role.VINCULACION, Role.PARTICIPACION_SOCIAL, Role.ADMIN)


@bp.get("/informe/envios")
@roles_required(*READERS)
def history():
    rows = dl.history(get_session())
    return render_template("reports/deliveries.html", rows=rows, dl=dl, month_label=lambda k: Month.parse(k).label,
                           smtp=bool(current_app.config["SINAC"].smtp_host))


@bp.post("/informe/envios/<int:delivery_id>/reenviar")
@roles_required(Role.ADMIN)
def resend(delivery_id: int):
    from workers.report_delivery import delivery_job

    session = get_session()
    row = session.get(ReportDelivery, delivery_id)
    if row is None:
        abort(404)
    try:
        new = dl.resend(session, row, current_actor().label, current_app.config["SINAC"])
    except DomainError as exc:
        session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("report_delivery.history"))
    audit.record(session, current_actor(), "informe_reenviado",
                 data={"envio": row.id, "nuevo": new.id, "mes": row.month, "alcance": row.scope,
                       "destinatarios": len(new.recipients)})
    commit_and_dispatch([delivery_job(new.id)])
    flash(f"Se está enviando de nuevo el informe de {Month.parse(row.month).label} "
          f"({dl.scope_label(row.scope)}) a {len(new.recipients)} destinatario(s).", "success")
    return redirect(url_for("report_delivery.history"))


@bp.post("/informe/envios/mes")
@roles_required(Role.ADMIN)
def send_month():
    """The month's frozen reports to every scope that has recipients and no delivery of its own
    yet (e.g. a list added after the 1st); scopes already sent are left alone (re-send those)."""
    from workers.report_delivery import delivery_job

    session = get_session()
    try:
        month = Month.parse(request.form.get("mes", "")).check_closed()
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("report_delivery.history"))
    rows = dl.schedule_month(session, month, current_app.config["SINAC"])
    if not rows:
        session.rollback()
        flash(f"No hay informes de {month.label} por enviar: cada alcance con destinatarios ya tiene su envío, "
              "o el informe de ese mes no está guardado (Informes guardados).", "info")
        return redirect(url_for("report_delivery.history"))
    audit.record(session, current_actor(), "informe_enviado_mes",
                 data={"mes": month.key, "alcances": [row.scope for row in rows]})
    commit_and_dispatch([delivery_job(row.id) for row in rows])
    flash(f"Se están enviando {len(rows)} informe(s) de {month.label}.", "success")
    return redirect(url_for("report_delivery.history"))


@bp.route("/admin/informes", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def recipients():
    session = get_session()
    scopes = [(None, "Informe nacional")] + [(e.clave, e.nombre) for e in ESTADOS]
    current = {clave: ", ".join(dl.configured(session, clave)) for clave, _ in scopes}
    errors: dict[str, str] = {}
    form = current
    if request.method == "POST":
        form = {clave: (request.form.get(clave or "nacional") or "").strip() for clave, _ in scopes}
        changed = []
        for clave, _ in scopes:
            try:
                saved = dl.set_recipients(session, clave, form[clave])
            except DomainError as exc:
                errors[clave or "nacional"] = exc.message
                continue
            if ", ".join(saved) != current[clave]:
                changed.append(clave or "nacional")
        if errors:
            session.rollback()
            flash("Revisa las direcciones marcadas: no se guardó ningún cambio.", "error")
        else:
            if changed:
                audit.record(session, current_actor(), "destinatarios_informe", data={"alcances": changed})
            session.commit()
            flash("Destinatarios guardados." if changed else "No hubo cambios.", "success")
            return redirect(url_for("report_delivery.recipients"))
    return render_template("admin/report_recipients.html", scopes=scopes, form=form, errors=errors,
                           env_list=current_app.config["SINAC"].report_email_to), (422 if errors else 200)
