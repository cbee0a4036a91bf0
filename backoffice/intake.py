"""Operator intake (vinculación, admin): register a case from the call center, the buzón or an
oficio, and import the call center's daily file."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from wtforms import BooleanField, MultipleFileField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.validators import ValidationError as FormError

from backoffice import uploads
from backoffice.auth import current_actor, roles_required
from backoffice.db import commit_and_dispatch, get_session
from backoffice.file_imports import import_upload
from backoffice.forms_es import (
    ESTADO_CHOICES,
    check_email,
    clean_phone,
    cleaned,
    date_input,
    parse_form_date,
)
from backoffice.forms_es import select as choice_field
from core import callcenter, follow
from core.enums import AMERITA_GESTION_DEFAULT, CANAL_LABELS, TIPO_LABELS, Canal, Tipo
from core.enums import STAFF_ROLES as STAFF
from core.errors import DomainError, ValidationError
from core.models import Attachment, Case, Contact
from core.services.cases import CONCEPTO_MAX, DESCRIPTION_MAX, UNIDAD_MAX, register_case
from core.text.curp import clean_curp
from core.text.money import parse_amount

log = logging.getLogger(__name__)
bp = Blueprint("intake", __name__, url_prefix="/registro")
INTAKE_CANALES = (Canal.CALL_CENTER, Canal.BUZON, Canal.OFICIO)


class CaseForm(FlaskForm):
    canal = choice_field("Canal", [(c.value, CANAL_LABELS[c]) for c in INTAKE_CANALES],
                   [DataRequired("Elige el canal.")])
    tipo = choice_field("Tipo de solicitud", [("", "— Elige —")] + [(t.value, TIPO_LABELS[t]) for t in Tipo],
                  [DataRequired("Elige el tipo de solicitud.")])
    estado = choice_field("Estado", [("", "— Sin estado (se asigna después) —")] + ESTADO_CHOICES)
    amerita_gestion = choice_field("¿Amerita gestión?", [
        ("", "Según el tipo (predeterminado)"),
        ("si", "Sí: turnar al enlace del estado"),
        ("no", "No: se atiende y se cierra"),
    ])
    description = TextAreaField("Descripción", [DataRequired("Describe lo que pasó."),
                                                Length(max=DESCRIPTION_MAX, message=f"Máximo {DESCRIPTION_MAX:,} caracteres.")])
    nombre = StringField("Nombre de la persona", [Optional(), Length(max=200, message="Máximo 200 caracteres.")])
    telefono = StringField("Teléfono", [Optional(), Length(max=32, message="Máximo 32 caracteres.")],
                           render_kw={"inputmode": "tel", "autocomplete": "off"})
    email = StringField("Correo electrónico", [Optional()], render_kw={"type": "email"})
    curp = StringField("CURP", [Optional()], render_kw={"autocomplete": "off", "maxlength": 18})
    unidad = StringField("Unidad médica", [Optional(),
                                           Length(max=UNIDAD_MAX, message=f"Máximo {UNIDAD_MAX} caracteres.")])
    fecha_hechos = date_input("Fecha de los hechos")
    monto = StringField("Monto cobrado (pesos)", render_kw={"inputmode": "decimal"})
    concepto = StringField("Concepto del cobro", [Optional(),
                                                  Length(max=CONCEPTO_MAX, message=f"Máximo {CONCEPTO_MAX} caracteres.")])
    referencia = StringField("Número de llamada u oficio", [Optional(), Length(max=100, message="Máximo 100 caracteres.")],
                             render_kw={"autocomplete": "off"})
    adjuntos = MultipleFileField("Adjuntos (oficio, recibos, fotos)")
    confidencial = BooleanField("Reporte confidencial: la persona pidió que la unidad no conozca su nombre")

    def validate_telefono(self, field):
        field.clean = clean_phone(field.data)

    def validate_email(self, field):
        field.clean = check_email(field.data)

    def validate_curp(self, field):
        try:
            field.clean = clean_curp(field.data)
        except ValidationError as exc:
            raise FormError(exc.message) from None

    def validate_fecha_hechos(self, field):
        field.clean = parse_form_date(field.data)

    def validate_monto(self, field):
        try:
            field.clean = parse_amount(field.data)
        except ValueError:
            raise FormError("Escribe una cantidad en pesos (p. ej. 350.00).") from None
        if field.clean is None and self.tipo.data == Tipo.COBRO_INJUSTIFICADO:
            raise FormError("El monto es obligatorio para un cobro injustificado.")


def _case_url(case) -> str:
    if "cases.detail" in current_app.view_functions:
        return url_for("cases.detail", case_id=case.id)
    return url_for("intake.new_case")


def _contact_for(session, phone: str | None):
    if not phone:
        return None
    return session.scalar(select(Contact).where(Contact.phone == phone))


@bp.route("/caso", methods=["GET", "POST"])
@roles_required(*STAFF)
def new_case():
    form = CaseForm()
    if request.method == "GET" and request.args.get("canal") in {c.value for c in INTAKE_CANALES}:
        form.canal.data = request.args["canal"]
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("intake/new_case.html", form=form, defaults=_defaults()), status

    session = get_session()
    referencia = (form.referencia.data or "").strip() or None
    if referencia:
        folio = session.scalar(select(Case.folio).where(Case.canal == form.canal.data,
                                                        Case.external_ref == referencia))
        if folio:
            form.referencia.errors = [f"Ya existe un caso con esa referencia en este canal (folio {folio})."]
            return render_template("intake/new_case.html", form=form, defaults=_defaults()), 422

    settings = current_app.config["SINAC"]
    stored: list[uploads.StoredFile] = []
    try:
        for file in uploads.uploaded_files(request.files, "adjuntos"):
            stored.append(uploads.store_upload(file, settings))
    except ValidationError as exc:
        for s in stored:
            uploads.delete_stored(settings, s.storage_key)
        form.adjuntos.errors = [exc.message]
        return render_template("intake/new_case.html", form=form, defaults=_defaults()), 422

    actor = current_actor()
    amerita = {"si": True, "no": False}.get(form.amerita_gestion.data)
    try:
        phone = cleaned(form.telefono)
        result = register_case(
            session, actor, tipo=form.tipo.data, canal=form.canal.data,
            description=form.description.data, estado_clave=form.estado.data or None,
            contact=_contact_for(session, phone), unidad=(form.unidad.data or "").strip() or None,
            fecha_hechos=cleaned(form.fecha_hechos), monto=cleaned(form.monto),
            concepto=(form.concepto.data or "").strip() or None, curp=cleaned(form.curp),
            contacto_nombre=(form.nombre.data or "").strip() or None, contacto_telefono=phone,
            contacto_email=cleaned(form.email), external_ref=referencia, amerita_gestion=amerita, route=True,
            confidencial=bool(form.confidencial.data), follow_code=True,
        )
        for s in stored:
            session.add(Attachment(case_id=result.case.id, filename=s.filename, content_type=s.content_type,
                                   size=s.size, storage_key=s.storage_key, sha256=s.sha256,
                                   uploaded_by_id=actor.id))
        commit_and_dispatch(result.jobs)
    except DomainError as exc:
        session.rollback()
        for s in stored:
            uploads.delete_stored(settings, s.storage_key)
        flash(exc.message, "error")
        return render_template("intake/new_case.html", form=form, defaults=_defaults()), 422
    except SQLAlchemyError:
        session.rollback()
        for s in stored:
            uploads.delete_stored(settings, s.storage_key)
        log.exception("intake failed")
        flash("No se pudo guardar el caso. Inténtalo de nuevo.", "error")
        return render_template("intake/new_case.html", form=form, defaults=_defaults()), 500
    case = result.case
    flash(f"Caso registrado con folio {case.folio}. Código de seguimiento para la persona: "
          f"{follow.display(result.follow_code)} (díctaselo o envíaselo ahora: no se vuelve a mostrar; con el folio "
          "y este código consulta su reporte en la página de seguimiento).", "success")
    if case.possible_duplicate_id is not None:  # core.duplicates: same person, tipo, estado, no contradiction
        earlier = session.get(Case, case.possible_duplicate_id)
        flash(f"Posible duplicado de {earlier.folio}: revísalo en el caso y fusiónalo si es el mismo asunto.",
              "error")
    return redirect(_case_url(case))


def _defaults() -> str:
    """'Queja: sí; Cobro injustificado: sí; …' — the default per tipo, shown as a hint."""
    return "; ".join(f"{TIPO_LABELS[t]}: {'sí' if AMERITA_GESTION_DEFAULT[t] else 'no'}" for t in Tipo)


# -- call-center daily file ---------------------------------------------------------------------


class CallCenterForm(FlaskForm):
    archivo = FileField("Archivo del día (CSV o XLSX)", [FileRequired("Elige el archivo del centro de atención.")])


@bp.route("/centro-de-atencion", methods=["GET", "POST"])
@roles_required(*STAFF)
def callcenter_upload():
    form = CallCenterForm()
    context = {"form": form, "columns": callcenter.COLUMNS, "required": callcenter.REQUIRED_COLUMNS,
               "web_max_rows": callcenter.WEB_MAX_ROWS}

    def run(session, filename, data):
        report, jobs = callcenter.import_file(session, current_actor(), data, filename,
                                              max_bytes=current_app.config["SINAC"].upload_max_bytes,
                                              max_rows=callcenter.WEB_MAX_ROWS)
        if report.imported:
            commit_and_dispatch(jobs)
        return report

    report, refused = import_upload(form, "intake/callcenter.html", context, run)
    if refused:
        return refused
    return render_template("intake/callcenter_report.html", report=report,
                           rejected_csv=callcenter.rejected_csv(report) if report.rejected else "",
                           case_url=_case_url_by_id), 200


def _case_url_by_id(case_id: int | None) -> str | None:
    if case_id is not None and "cases.detail" in current_app.view_functions:
        return url_for("cases.detail", case_id=case_id)
    return None
