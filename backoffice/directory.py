"""Directory of the Enlaces de Atención Ciudadana per state, with their open volantes."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user
from sqlalchemy import func, select

from backoffice.auth import roles_required
from backoffice.db import get_session
from core.access import scope_volantes
from core.enums import Role
from core.enums import VolanteStatus as VS
from core.estados import BY_CLAVE, ESTADOS
from core.models import User, Volante

bp = Blueprint("directory", __name__, url_prefix="/directorio")
OPEN = (VS.ABIERTO, VS.RESPONDIDO)


@bp.get("/")
@roles_required(*Role)
def index():
    db = get_session()
    estado = request.args.get("estado") or ""
    if estado not in BY_CLAVE:
        estado = ""
    query = select(User).where(User.role == Role.ENLACE, User.active.is_(True))
    if estado:
        query = query.where(User.estado_clave == estado)
    enlaces = list(db.scalars(query.order_by(User.estado_clave, User.nombre)))
    # Counts go through the same scope as every list: an enlace sees only its own state's.
    counts_q = scope_volantes(
        select(Volante.enlace_id, func.count(Volante.id)).where(Volante.status.in_(OPEN))
        .group_by(Volante.enlace_id), current_user)
    counts = dict(db.execute(counts_q).all())
    visible = None if current_user.role != Role.ENLACE else current_user.estado_clave
    groups: dict[str, list] = {}
    for u in enlaces:
        groups.setdefault(u.estado_clave, []).append(u)
    return render_template("directory/index.html", groups=groups, counts=counts, estado=estado,
                           estados=ESTADOS, visible_estado=visible)
