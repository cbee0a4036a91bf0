"""Canned responses (issue 17 item 4): the admins' page to create, edit and disable them, and
the pickers' helper that inserts one in a FUR's text field or a handoff reply (core.canned).

Inserting works without JavaScript: the picker's button posts the form back, the server fills
the chosen template from the case and re-renders the form with the text added (nothing is
saved). static/js/canned.js does the same in the page when scripts run.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField, TextAreaField

from backoffice.auth import current_actor, roles_required
from backoffice.db import get_session
from backoffice.forms_es import ESTADO_CHOICES
from backoffice.forms_es import select as select_field
from core import canned
from core.enums import Role
from core.errors import DomainError, ValidationError
from core.estados import BY_CLAVE
from core.models import CannedResponse

bp = Blueprint("canned", __name__, url_prefix="/admin/respuestas")

NACIONAL = "Nacional (todos los estados)"
INSERT = "insertar"


class CannedForm(FlaskForm):
    titulo = StringField("Título (lo que se elige en la lista)", render_kw={"maxlength": canned.TITULO_MAX})
    estado = select_field("Alcance", [("", NACIONAL)] + ESTADO_CHOICES)
    cuerpo = TextAreaField("Texto", render_kw={"rows": 8, "maxlength": canned.CUERPO_MAX})


def _render(form: CannedForm, editing: CannedResponse | None = None, status: int = 200):
    session = get_session()
    templates = list(session.scalars(select(CannedResponse).order_by(
        CannedResponse.active.desc(), CannedResponse.estado_clave.is_not(None), CannedResponse.estado_clave,
        CannedResponse.titulo)))
    return render_template("admin/canned.html", form=form, editing=editing, templates=templates,
                           placeholders=canned.PLACEHOLDERS, estados=BY_CLAVE, NACIONAL=NACIONAL), status


def _save(form: CannedForm, template: CannedResponse | None):
    session = get_session()
    if not form.validate_on_submit():
        return _render(form, template, 422)
    try:
        saved = canned.save(session, current_actor(), titulo=form.titulo.data, cuerpo=form.cuerpo.data,
                            estado_clave=form.estado.data or None, template=template)
    except DomainError as exc:
        session.rollback()
        target = {"titulo": form.titulo, "cuerpo": form.cuerpo, "estado": form.estado}
        fields = [target[k] for k in getattr(exc, "fields", {}) if k in target]
        for field in fields:
            field.errors = [*field.errors, exc.message]
        if not fields:
            flash(exc.message, "error")
        return _render(form, session.get(CannedResponse, template.id) if template else None, 422)
    session.commit()
    flash(f"Plantilla «{saved.titulo}» guardada.", "success")
    return redirect(url_for("canned.index"))


@bp.route("/", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def index():
    form = CannedForm(prefix="nueva")
    if request.method == "GET":
        return _render(form)
    return _save(form, None)


def _get(template_id: int) -> CannedResponse:
    template = get_session().get(CannedResponse, template_id)
    if template is None:
        abort(404)
    return template


@bp.route("/<int:template_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit(template_id: int):
    template = _get(template_id)
    data = None if request.method == "POST" else {
        "titulo": template.titulo, "estado": template.estado_clave or "", "cuerpo": template.cuerpo}
    form = CannedForm(data=data)
    if request.method == "GET":
        return _render(form, template)
    return _save(form, template)


@bp.post("/<int:template_id>/estatus")
@roles_required(Role.ADMIN)
def toggle(template_id: int):
    """Disable (activa=no) or enable again (activa=si); never deleted, so the audit stays readable."""
    form = FlaskForm()
    choice = request.form.get("activa")
    if not form.validate_on_submit() or choice not in ("si", "no"):
        abort(400)
    session = get_session()
    template = _get(template_id)
    canned.set_active(session, current_actor(), template, choice == "si")
    session.commit()
    flash(f"Plantilla «{template.titulo}» {'activada' if choice == 'si' else 'desactivada'}.", "success")
    return redirect(url_for("canned.index"))


# ---- the pickers ---------------------------------------------------------------------------

def insert_into(session, form: dict, case, fields: tuple[str, ...]) -> tuple[dict, dict]:
    """The posted form with the chosen template filled from `case` and added to the chosen field
    (`plantilla`, `plantilla_campo`); returns (form, errors) to re-render, nothing saved."""
    form = dict(form)
    target = form.get("plantilla_campo") or fields[0]
    try:
        if target not in fields:
            raise ValidationError("Elige en qué campo insertar la respuesta.", fields={"plantilla": "campo"})
        template = canned.usable(session, form.get("plantilla"), case.estado_clave if case is not None else None)
    except ValidationError as exc:
        return form, {"plantilla": exc.message}
    text = canned.fill(template, case)
    current = (form.get(target) or "").rstrip()
    form[target] = f"{current}\n\n{text}" if current else text
    return form, {}
