"""The public buzón (no login): anyone can leave a queja, sugerencia, solicitud or felicitación.

Protected by CSRF, a per-IP rate limit and a honeypot field (a bot that fills it gets a fake
success and nothing is stored). A submission becomes a case on canal `buzon`, registered by the
system actor and turned to the state's enlace: nobody has answered it yet, so every tipo
amerita gestión. The contact data is stored on the case only; it is never linked to a bot
contact (a stranger must not be able to make SINAC message someone else's phone).
"""

from __future__ import annotations

import logging

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf import FlaskForm
from sqlalchemy.exc import SQLAlchemyError
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from backoffice.db import commit_and_dispatch, get_session
from backoffice.extensions import limiter
from backoffice.forms_es import (
    ESTADO_CHOICES,
    check_email,
    clean_phone,
    cleaned,
    select,
)
from core import audit, follow
from core.actors import SYSTEM
from core.enums import TIPO_LABELS, Canal, Tipo
from core.errors import DomainError
from core.services.cases import register_case

log = logging.getLogger(__name__)
bp = Blueprint("buzon", __name__)

BUZON_TIPOS = (Tipo.QUEJA, Tipo.SUGERENCIA, Tipo.SOLICITUD_INFORMACION, Tipo.FELICITACION)
AVISO_VERSION = "buzon-2026-01"
HONEYPOT = "sitio_web"
RATE_LIMIT = "5 per hour;20 per day"


class BuzonForm(FlaskForm):
    tipo = select("¿Qué quieres enviarnos?", [("", "— Elige —")] + [(t.value, TIPO_LABELS[t]) for t in BUZON_TIPOS],
                  [DataRequired("Elige qué quieres enviarnos.")])
    estado = select("Estado donde te atendieron o vives", [("", "— Elige tu estado —")] + ESTADO_CHOICES,
                    [DataRequired("Elige el estado.")])
    description = TextAreaField("Cuéntanos qué pasó", [
        DataRequired("Escribe tu mensaje."),
        Length(min=10, max=5000, message="Escribe entre 10 y 5,000 caracteres."),
    ])
    nombre = StringField("Nombre (opcional)", [Optional(), Length(max=200, message="Máximo 200 caracteres.")],
                         render_kw={"autocomplete": "name"})
    telefono = StringField("Teléfono (opcional)", [Optional(), Length(max=32, message="Máximo 32 caracteres.")],
                           render_kw={"autocomplete": "tel", "inputmode": "tel"})
    email = StringField("Correo electrónico (opcional)", [Optional()],
                        render_kw={"type": "email", "autocomplete": "email"})
    confidencial = BooleanField("No quiero que la unidad médica ni el estado conozcan mi nombre (reporte confidencial).")
    consentimiento = BooleanField(
        "He leído el aviso de privacidad y acepto que mis datos se usen para atender mi solicitud.",
        [DataRequired("Para enviar tu mensaje debes aceptar el aviso de privacidad.")],
    )
    # Honeypot: hidden from people (CSS and aria-hidden); bots fill every field they see.
    sitio_web = StringField("Deja este campo vacío", render_kw={"autocomplete": "off", "tabindex": "-1"})

    def validate_telefono(self, field):
        field.clean = clean_phone(field.data)

    def validate_email(self, field):
        field.clean = check_email(field.data)


def client_ip() -> str:
    """The submitter's address for the rate limit: the client's, as backoffice/security.py set it
    from the trusted proxies' X-Forwarded-For (TRUSTED_PROXY_COUNT, FORWARDED_ALLOW_IPS); hops a
    client wrote itself are never believed."""
    return request.remote_addr or "-"


@bp.route("/buzon", methods=["GET", "POST"])
@limiter.limit(RATE_LIMIT, methods=["POST"], key_func=client_ip)
def index():
    form = BuzonForm()
    if request.method == "POST" and (request.form.get(HONEYPOT) or "").strip():
        log.info("buzon honeypot filled; submission discarded")
        session["buzon_folio"] = None
        return redirect(url_for("buzon.sent"))
    if not form.validate_on_submit():
        return render_template("buzon/form.html", form=form, privacy_url=_privacy_url()), (
            422 if request.method == "POST" else 200)

    db = get_session()
    tipo = form.tipo.data
    try:
        result = register_case(
            db, SYSTEM, tipo=tipo, canal=Canal.BUZON, description=form.description.data,
            estado_clave=form.estado.data, contacto_nombre=(form.nombre.data or "").strip() or None,
            contacto_telefono=cleaned(form.telefono), contacto_email=cleaned(form.email),
            amerita_gestion=True, route=True, confidencial=bool(form.confidencial.data), follow_code=True,
        )
        audit.record(db, SYSTEM, "consentimiento_aviso", case=result.case,
                     data={"canal": "buzon", "aviso": AVISO_VERSION})
        commit_and_dispatch(result.jobs)
    except (DomainError, SQLAlchemyError):
        db.rollback()
        log.exception("buzon submission failed")
        flash("No pudimos guardar tu mensaje. Inténtalo de nuevo en unos minutos.", "error")
        return render_template("buzon/form.html", form=form, privacy_url=_privacy_url()), 500
    session["buzon_folio"] = result.case.folio
    session["buzon_code"] = follow.display(result.follow_code)  # shown once on the next page
    return redirect(url_for("buzon.sent"))


@bp.get("/buzon/enviado")
def sent():
    if "buzon_folio" not in session:
        return redirect(url_for("buzon.index"))
    folio = session.pop("buzon_folio")
    code = session.pop("buzon_code", None)
    return render_template("buzon/sent.html", folio=folio, code=code)


def _privacy_url() -> str:
    return current_app.config["SINAC"].privacy_url
