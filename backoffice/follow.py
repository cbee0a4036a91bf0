"""The public follow page (/seguimiento): a folio and its secret code show the case's status and
public answer, nothing personal (core.follow, docs/confidential.md).

Rate-limited per client address and per folio (Flask-Limiter): a guess at one folio from many
addresses runs into the folio's own limit. Any failure gets one neutral message."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from backoffice.buzon import client_ip
from backoffice.db import get_session
from backoffice.extensions import limiter
from bot.dialogue.replies import STATUS_TEXT
from core import audit, follow
from core.actors import Actor

bp = Blueprint("follow", __name__)
PUBLIC = Actor(None, "seguimiento público", None)

RATE_LIMIT_PER_ADDRESS = "10 per minute;60 per day"
RATE_LIMIT_PER_FOLIO = "20 per day"
NEUTRAL = ("No encontramos un reporte con ese folio y código. Revisa que los hayas escrito como te los "
           "dimos (el código viene en el mensaje con el que registramos tu reporte).")


class FollowForm(FlaskForm):
    folio = StringField("Folio", [DataRequired("Escribe tu folio."), Length(max=40)],
                        render_kw={"placeholder": "SINAC-2026-000123", "autocomplete": "off",
                                   "autocapitalize": "characters"})
    codigo = StringField("Código de seguimiento", [DataRequired("Escribe tu código."), Length(max=40)],
                         render_kw={"placeholder": "ABCD-2345", "autocomplete": "off",
                                    "autocapitalize": "characters"})


class _CaseRef:
    """audit.record takes a case object; the page read only the case's id."""

    def __init__(self, case_id: int):
        self.id = case_id


def _folio_key() -> str:
    return "folio:" + (request.form.get("folio") or "").strip().upper()[:40]


@bp.route("/seguimiento", methods=["GET", "POST"])
@limiter.limit(RATE_LIMIT_PER_ADDRESS, methods=["POST"], key_func=client_ip)
@limiter.limit(RATE_LIMIT_PER_FOLIO, methods=["POST"], key_func=_folio_key)
def index():
    form = FollowForm()
    if not form.validate_on_submit():
        return render_template("public/follow.html", form=form, result=None, neutral=None,
                               status_text=STATUS_TEXT), 422 if request.method == "POST" else 200
    session = get_session()
    result = follow.public_status(session, form.folio.data, form.codigo.data)
    if result is not None:  # who followed which case, from where (the address goes with the event)
        audit.record(session, PUBLIC, "seguimiento_publico", case=_CaseRef(result.case_id))
        session.commit()
    return render_template("public/follow.html", form=form, result=result,
                           neutral=NEUTRAL if result is None else None, status_text=STATUS_TEXT)
