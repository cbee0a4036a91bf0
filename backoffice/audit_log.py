"""The system audit in the web app: every request's client address and user agent go onto the
events it records (core.audit.set_origin), and admins search the events at /admin/auditoria."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, g, render_template, request

from backoffice.auth import roles_required
from backoffice.db import get_session
from core import audit
from core.audit_search import AuditFilter, search
from core.enums import Role
from core.lifecycle import HISTORY_NAMES
from core.timeutil import MX_TZ

bp = Blueprint("audit_log", __name__, url_prefix="/admin/auditoria")

# What the system-audit actions are called on the screen; the case actions' names are the case
# page's (core.lifecycle.HISTORY_NAMES).
SYSTEM_ACTION_NAMES = {
    "login": "Inicio de sesión", "login_fallido": "Inicio de sesión fallido", "logout": "Cierre de sesión",
    audit.CASE_VIEW: "Consulta de un caso", "exportacion": "Exportación", "informe_guardado": "Informe mensual guardado",
    "usuario_creado": "Usuario creado", "permiso_cambiado": "Cambio de perfil o acceso",
    "directorio_actualizado": "Directorio actualizado", "plazo_cambiado": "Plazo cambiado",
    "jefatura_vinculacion": "Jefatura de Vinculación designada",
    "destinatarios_informe": "Destinatarios del informe por correo", "informe_reenviado": "Informe reenviado por correo",
    "informe_enviado_mes": "Informes de un mes enviados por correo",
    "dia_inhabil_agregado": "Día inhábil agregado", "dia_inhabil_eliminado": "Día inhábil eliminado",
    "importado_centro_atencion": "Importado del centro de atención", "consentimiento_aviso": "Aviso aceptado",
    "depuracion": "Depuración (5 años)", "depuracion_resumen": "Depuración (resumen)",
    "padron_importado": "Padrón importado", "padron_consulta": "Consulta al padrón",
    "seguimiento_publico": "Consulta pública de folio",
}


def action_names() -> dict[str, str]:
    return {**HISTORY_NAMES, **SYSTEM_ACTION_NAMES}


@bp.before_app_request
def _origin_in() -> None:
    g.audit_origin = audit.set_origin(request.remote_addr, request.headers.get("User-Agent"))


@bp.teardown_app_request
def _origin_out(_exc) -> None:
    token = g.pop("audit_origin", None)
    if token is not None:
        try:
            audit.reset_origin(token)
        except ValueError:  # set in another context (a copied one): nothing to undo here
            pass


def _date_arg(name: str) -> date | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        abort(400)


@bp.get("/")
@roles_required(Role.ADMIN)
def index():
    names = action_names()
    accion = (request.args.get("accion") or "").strip()
    if accion and accion not in names:
        abort(400)
    before = (request.args.get("antes") or "").strip()
    if before and not before.isdigit():
        abort(400)
    f = AuditFilter(
        usuario=(request.args.get("usuario") or "").strip()[:254], accion=accion,
        desde=_date_arg("desde"), hasta=_date_arg("hasta"),
        folio=(request.args.get("folio") or "").strip()[:20], before=int(before) if before else None,
    )
    page = search(get_session(), f)
    args = {k: v for k, v in request.args.items() if k != "antes" and v}
    return render_template("admin/audit.html", page=page, f=f, names=names, args=args,
                           mx_tz=MX_TZ, first_page=f.before is None)
