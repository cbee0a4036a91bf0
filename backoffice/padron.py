"""Padrón de afiliados for staff: look up an affiliation by CURP or póliza, import the state's
extract, and the affiliation line on the case page (core/padron, docs/padron.md).

An enlace looks up only its own estado's affiliates; national operators, any. Every look-up is an
audit event (who looked, by which key, whether something was found; never the key itself)."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from backoffice.auth import current_actor, roles_required
from backoffice.db import get_session
from backoffice.file_imports import import_upload
from core import audit
from core.enums import Role
from core.padron import importer
from core.padron.backends import Afiliacion, PadronUnavailable, backend_for
from core.phones import mask_phone
from core.text.curp import is_well_formed
from core.timeutil import today_mx

log = logging.getLogger(__name__)
bp = Blueprint("padron", __name__, url_prefix="/padron")
READERS = (Role.ENLACE, Role.VINCULACION, Role.ADMIN)
IMPORTERS = (Role.VINCULACION, Role.ADMIN)


def _backend():
    return backend_for(current_app.config["SINAC"], get_session())


def _in_scope(found: Afiliacion | None) -> Afiliacion | None:
    """An enlace sees its own estado's affiliates only (a row elsewhere reads as not found)."""
    if found is not None and current_user.role == Role.ENLACE and found.estado_clave != current_user.estado_clave:
        return None
    return found


@bp.get("/")
@roles_required(*READERS)
def lookup():
    q = (request.args.get("q") or "").strip().upper()[:40]
    result, error, searched = None, None, bool(q)
    if q:
        by = "curp" if is_well_formed(q) else "poliza"
        try:
            backend = _backend()
            result = _in_scope(backend.by_curp(q) if by == "curp" else backend.by_poliza(q))
        except PadronUnavailable:
            error = "En este momento no se puede consultar el padrón. Inténtalo más tarde."
        session = get_session()
        audit.record(session, current_actor(), "padron_consulta",
                     data={"por": by, "encontrado": result is not None, "error": error is not None})
        session.commit()
    return render_template("padron/lookup.html", q=q, result=result, error=error, searched=searched,
                           today=today_mx(), mask_phone=mask_phone,
                           can_import=current_user.role in IMPORTERS)


class PadronForm(FlaskForm):
    archivo = FileField("Extracto del padrón (CSV o XLSX)", [FileRequired("Elige el archivo del padrón.")])


@bp.route("/importar", methods=["GET", "POST"])
@roles_required(*IMPORTERS)
def upload():
    form = PadronForm()
    context = {"form": form, "columns": importer.COLUMNS, "required": importer.REQUIRED,
               "web_max_rows": importer.WEB_MAX_ROWS}

    def run(session, filename, data):
        report = importer.import_file(session, current_actor(), data, filename,
                                      max_bytes=current_app.config["SINAC"].upload_max_bytes,
                                      max_rows=importer.WEB_MAX_ROWS)
        session.commit()
        return report

    report, refused = import_upload(form, "padron/import.html", context, run)
    if refused:
        return refused
    return render_template("padron/import_report.html", report=report,
                           rejected_csv=importer.rejected_csv(report) if report.rejected else "")


def case_affiliation(case, identity: bool) -> dict | None:
    """The case page's line: the affiliation of the case's CURP, as far as the user may see it.
    None without a CURP; {"error": …} when the padrón cannot be consulted now."""
    if not case.curp:
        return None
    try:
        found = _in_scope(_backend().by_curp(case.curp))
    except PadronUnavailable:
        return {"error": "Padrón no disponible en este momento."}
    if found is None:
        return {"found": False}
    return {"found": True, "vigente": found.vigente(), "vigencia": found.vigencia,
            "poliza": found.poliza if identity else None}
