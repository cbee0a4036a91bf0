"""The FUR form (DOMAIN.md §5): draft or submit the answer to one open volante, with evidence."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from backoffice.auth import current_actor, roles_required
from backoffice.canned import INSERT, insert_into
from backoffice.case_scope import error_status, get_volante_or_404
from backoffice.db import commit_and_dispatch, get_session
from backoffice.uploads import ALLOWED_LABEL, delete_stored, store_upload, uploaded_files
from core import canned
from core.enums import RESULTADO_LABELS, Tipo
from core.enums import VolanteStatus as VS
from core.errors import DomainError, ValidationError
from core.lifecycle import ALLOWED_ROLES, Action
from core.models import Attachment
from core.services import cases as svc
from core.services import rounds
from core.services.fur import FUR_FORM_FIELDS, clean_fur_form
from core.timeutil import today_mx
from core.versions import Seen, StaleVersion

bp = Blueprint("furs", __name__)

MAX_FILES = 10
REQUIRED = "Dato obligatorio para enviar la respuesta."
LABEL_TO_FIELD = {label: name for name, label in svc.FUR_LABELS.items()}
PICKER_FIELDS = ("respuesta_ciudadano", "acciones")  # the FUR's text fields a canned response fills


def _form_from_fur(fur, volante) -> dict:
    if fur is None:
        return {"fecha_respuesta": today_mx().isoformat(),
                "monto_reclamado": str(volante.case.monto) if volante.case.monto is not None else ""}

    def s(value):
        return "" if value is None else (value.isoformat() if isinstance(value, date) else str(value))

    return {name: s(getattr(fur, name)) for name in FUR_FORM_FIELDS}


def _render(volante, form: dict, errors: dict, status: int = 200, stale: list | None = None):
    session = get_session()
    evidence = []
    if volante.fur is not None:
        evidence = list(session.scalars(select(Attachment).where(Attachment.fur_id == volante.fur.id)
                                        .order_by(Attachment.id)))
    previous = rounds.previous_round(session, volante)
    sent_back = rounds.send_back_review(session, previous) if previous is not None else None
    return render_template(
        "cases/fur.html", volante=volante, case=volante.case, form=form, errors=errors, evidence=evidence,
        previous=previous, sent_back=sent_back,
        previous_evidence=rounds.evidence_of(session, previous.fur.id) if previous and previous.fur else [],
        removing=set(_ids(request.form.getlist("quitar_evidencia"))),
        **_form_context(volante, stale),
    ), status


def _form_context(volante, stale):
    return {
        "RESULTADO_LABELS": RESULTADO_LABELS, "is_cobro": volante.case.tipo == Tipo.COBRO_INJUSTIFICADO,
        "allowed_label": ALLOWED_LABEL, "max_mb": current_app.config["SINAC"].upload_max_bytes // (1024 * 1024),
        "today": today_mx(), "fur_version": volante.fur.version if volante.fur is not None else 0, "stale": stale or [],
        "FIELD_LABELS": svc.FUR_LABELS,
        "canned": canned.options_for(get_session(), volante.case),
        "picker_fields": [(name, svc.FUR_LABELS[name].capitalize()) for name in PICKER_FIELDS],
    }


ANSWERING = ALLOWED_ROLES[Action.RESPONDER]  # who may file a FUR: the transition table's rule


def _ids(values) -> list[int]:
    return [int(v) for v in values if str(v).strip().isdigit()]


@bp.route("/volantes/<int:volante_id>/fur", methods=["GET", "POST"])
@roles_required(*ANSWERING)
def edit(volante_id: int):
    volante = get_volante_or_404(volante_id)
    if volante.status != VS.ABIERTO:
        flash("Este volante ya no admite respuesta.", "error")
        return redirect(url_for("cases.detail", case_id=volante.case_id))
    if request.method == "GET":
        return _render(volante, _form_from_fur(volante.fur, volante), {})

    settings = current_app.config["SINAC"]
    if request.form.get("accion") == INSERT:  # a canned response into a text field; nothing saved
        form, errors = insert_into(get_session(), request.form.to_dict(), volante.case, PICKER_FIELDS)
        if uploaded_files(request.files, "evidencia"):
            errors["evidencia"] = "Vuelve a seleccionar los archivos de evidencia."
        return _render(volante, form, errors, 422 if errors else 200)
    submit = request.form.get("accion") == "enviar"
    form = request.form.to_dict()
    data, errors = clean_fur_form(request.form, volante.case.tipo)
    files = uploaded_files(request.files, "evidencia")
    if len(files) > MAX_FILES:
        errors["evidencia"] = f"Puedes adjuntar como máximo {MAX_FILES} archivos a la vez."
    stored = []
    if not errors:
        for f in files:
            try:
                stored.append(store_upload(f, settings))
            except ValidationError as exc:
                errors["evidencia"] = exc.message
                break
    if errors:
        for item in stored:
            delete_stored(settings, item.storage_key)
        flash("Revisa los datos marcados del FUR.", "error")
        if files:
            errors.setdefault("evidencia", "Vuelve a seleccionar los archivos de evidencia.")
        return _render(volante, form, errors, 422)

    session = get_session()
    try:
        # Evidence goes in before the submit check so a filed FUR carries it.
        seen = Seen(Seen.from_form(request.form, "fur_").version)
        result = svc.save_fur(session, volante, current_actor(), data, submit=False, seen=seen)
        unused = rounds.remove_evidence(session, volante, _ids(request.form.getlist("quitar_evidencia")))
        for item in stored:
            session.add(Attachment(case_id=volante.case_id, fur_id=volante.fur.id, filename=item.filename,
                                   content_type=item.content_type, size=item.size, storage_key=item.storage_key,
                                   sha256=item.sha256, uploaded_by_id=current_user.id))
        if submit:
            result = svc.save_fur(session, volante, current_actor(), data, submit=True)
    except DomainError as exc:
        session.rollback()
        for item in stored:
            delete_stored(settings, item.storage_key)
        volante = get_volante_or_404(volante_id)
        flash(exc.message, "error")
        if isinstance(exc, StaleVersion):  # keep the user's text; the form now carries the fresh version
            form.pop("fur_version", None)
            return _render(volante, form, {"evidencia": "Vuelve a seleccionar los archivos de evidencia."}
                           if stored else {}, error_status(exc), stale=exc.changes)
        errs = {}
        for key, code in (getattr(exc, "fields", {}) or {}).items():
            errs[LABEL_TO_FIELD.get(key, key)] = REQUIRED if code == "requerido" else exc.message
        if stored:
            errs.setdefault("evidencia", "Vuelve a seleccionar los archivos de evidencia.")
        return _render(volante, form, errs, error_status(exc))
    commit_and_dispatch(result.jobs)
    for key in unused:  # evidence taken off the draft that no other round points at
        delete_stored(settings, key)
    if submit:
        flash("Respuesta enviada a Vinculación para su revisión.", "success")
        return redirect(url_for("cases.detail", case_id=volante.case_id))
    flash("Borrador guardado.", "success")
    return redirect(url_for("furs.edit", volante_id=volante.id))

