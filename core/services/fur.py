"""The FUR: its fields per tipo, the one validator of what an enlace saves or files (the views
map its errors to their fields), and filing it, which moves the case to respondida."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from core.actors import Actor
from core.enums import Resultado, Role, Tipo
from core.enums import VolanteStatus as VS
from core.errors import PermissionDenied, ValidationError
from core.jobs import Job, JobName, QueueName
from core.lifecycle import Action, check_role
from core.models import Fur, Volante
from core.review_clock import review_due_date
from core.services.affiliate_contact import close_open_requests
from core.services.transition import Result, _transition
from core.text.money import parse_amount
from core.timeutil import FutureDay, now, parse_day
from core.versions import Seen, claim_fur

FUR_FIELDS = ("fecha_respuesta", "acciones", "respuesta_ciudadano", "resultado")
FUR_FIELDS_COBRO = ("monto_reclamado", "monto_reembolsado")
FUR_LABELS = {
    "fecha_respuesta": "fecha de respuesta",
    "acciones": "acciones realizadas",
    "respuesta_ciudadano": "respuesta al ciudadano",
    "resultado": "resultado",
    "monto_reclamado": "monto reclamado",
    "monto_reembolsado": "monto reembolsado",
    "fecha_reembolso": "fecha de reembolso",
}


def fur_missing_fields(fur: Fur, tipo: str) -> list[str]:
    """Names of the required fields still empty for this tipo (DOMAIN.md §5)."""
    required = list(FUR_FIELDS)
    if tipo == Tipo.COBRO_INJUSTIFICADO:
        required += FUR_FIELDS_COBRO
        if fur.monto_reembolsado and fur.monto_reembolsado > 0:
            required.append("fecha_reembolso")
    missing = []
    for name in required:
        value = getattr(fur, name)
        if value is None or (isinstance(value, str) and not value.strip()):
            missing.append(name)
    return missing


def _check_enlace_scope(actor: Actor, volante: Volante) -> None:
    if actor.role == Role.ENLACE and actor.estado_clave != volante.estado_clave:
        raise PermissionDenied("Este volante no pertenece a tu estado.")


FUR_FORM_FIELDS = ("fecha_respuesta", "acciones", "respuesta_ciudadano", "resultado", "monto_reclamado",
                   "monto_reembolsado", "fecha_reembolso")


TEXT_MAX = 10000  # the FUR's free-text fields


def _label(name: str) -> str:
    return FUR_LABELS[name].capitalize()


def parse_fur_money(value, name: str) -> Decimal | None:
    """An amount of the FUR (core.text.money's one reading of amounts); ValidationError in words."""
    try:
        return parse_amount(value)
    except ValueError:
        raise ValidationError(f"{_label(name)}: escribe una cantidad en pesos, por ejemplo 1500.00.",
                              fields={name: "inválido"}) from None


def parse_fur_date(value, name: str, *, not_future: bool = True) -> date | None:
    """A date of the FUR, AAAA-MM-DD and, from a form, never in the future (an answer or a refund
    that already happened); ValidationError in words."""
    try:
        return parse_day(value, not_future=not_future)
    except FutureDay:
        raise ValidationError(f"{_label(name)}: la fecha no puede ser futura.", fields={name: "futura"}) from None
    except ValueError:
        raise ValidationError(f"{_label(name)}: escribe una fecha válida (AAAA-MM-DD).",
                              fields={name: "inválido"}) from None


def clean_fur_form(form, tipo: str) -> tuple[dict, dict[str, str]]:
    """The posted FUR form read by the rules save_fur applies, every field's problem at once:
    (data for save_fur, {field: message in Spanish}). The view shows the messages beside the
    fields; save_fur checks the same rules again for any other caller."""
    errors: dict[str, str] = {}

    def read(name, parse):
        try:
            return parse(form.get(name), name)
        except ValidationError as exc:
            errors[name] = exc.message
            return None

    data: dict = {"fecha_respuesta": read("fecha_respuesta", parse_fur_date),
                  "resultado": (form.get("resultado") or "").strip() or None}
    for name in ("acciones", "respuesta_ciudadano"):
        data[name] = (form.get(name) or "").strip()
        if len(data[name]) > TEXT_MAX:
            errors[name] = f"{_label(name)}: el texto es demasiado largo (máximo {TEXT_MAX} caracteres)."
    if data["resultado"] is not None and data["resultado"] not in Resultado.__members__.values():
        errors["resultado"] = "Resultado: elige una opción de la lista."
        data["resultado"] = None
    if tipo == Tipo.COBRO_INJUSTIFICADO:
        data["monto_reclamado"] = read("monto_reclamado", parse_fur_money)
        data["monto_reembolsado"] = read("monto_reembolsado", parse_fur_money)
        data["fecha_reembolso"] = read("fecha_reembolso", parse_fur_date)
    return data, errors


def save_fur(session: Session, volante: Volante, actor: Actor, data: dict, *, submit: bool,
             seen: Seen | None = None) -> Result:
    """Save a draft, or file the FUR (submit) which moves the case to respondida. `seen.version`
    is the draft's version the form was rendered from (0: there was no draft yet)."""
    check_role(Action.RESPONDER, actor.role)
    _check_enlace_scope(actor, volante)
    case = volante.case
    if volante.status != VS.ABIERTO:
        raise ValidationError("Este volante ya no admite respuesta.")
    fur = volante.fur
    if fur is None:
        fur = Fur(volante_id=volante.id, case_id=case.id, is_draft=True, version=1, updated_by_id=actor.id)
        session.add(fur)
        volante.fur = fur
    else:
        claim_fur(session, fur, None if seen is None else Seen(seen.version), data, FUR_FORM_FIELDS)
        fur.updated_by_id = actor.id
    for name in ("acciones", "respuesta_ciudadano"):
        if name in data:
            text = (data[name] or "").strip()
            if len(text) > TEXT_MAX:
                raise ValidationError(f"{_label(name)}: el texto es demasiado largo (máximo {TEXT_MAX} caracteres).",
                                      fields={name: "largo"})
            setattr(fur, name, text or None)
    if "resultado" in data:
        res = data["resultado"] or None
        if res is not None and res not in Resultado.__members__.values():
            raise ValidationError("El resultado no es válido.", fields={"resultado": "inválido"})
        fur.resultado = res
    for name in ("fecha_respuesta", "fecha_reembolso"):
        if name in data:
            # the form's data was read by clean_fur_form (no future dates); other callers' as given
            setattr(fur, name, parse_fur_date(data[name], name, not_future=False))
    for name in ("monto_reclamado", "monto_reembolsado"):
        if name in data:
            setattr(fur, name, parse_fur_money(data[name], name))
    if (fur.monto_reembolsado is not None and fur.monto_reclamado is not None
            and fur.monto_reembolsado > fur.monto_reclamado):
        raise ValidationError("El monto reembolsado no puede ser mayor que el reclamado.",
                              fields={"monto_reembolsado": "rango"})
    session.flush()
    if not submit:
        return Result(case)
    missing = fur_missing_fields(fur, case.tipo)
    if missing:
        names = ", ".join(FUR_LABELS[m] for m in missing)
        raise ValidationError(f"Faltan datos obligatorios del FUR: {names}.",
                              fields={m: "requerido" for m in missing})
    close_open_requests(session, actor, case, "Se envió el FUR antes de recibir la respuesta.")
    _transition(session, case, Action.RESPONDER, actor, data={"volante": volante.numero, "fur_id": fur.id})
    fur.is_draft = False
    fur.filed_by_id = actor.id
    fur.filed_at = now()
    volante.status = VS.RESPONDIDO
    volante.answered_at = fur.filed_at
    volante.review_due_date = review_due_date(session, fur.filed_at)  # the national review's clock
    volante.first_answer = not any(v.answered_at is not None for v in case.volantes if v is not volante)
    # the report's copies of the filed FUR (migration 0020): it is never edited from now on
    volante.fur_filed_by_id = fur.filed_by_id
    volante.fur_resultado = fur.resultado
    volante.fur_monto_reclamado = fur.monto_reclamado
    volante.fur_monto_reembolsado = fur.monto_reembolsado
    return Result(case, [Job(JobName.NOTIFY_FUR_FILED, {"volante_id": volante.id}, QueueName.DEFAULT)])
