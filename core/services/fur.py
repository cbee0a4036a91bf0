"""The FUR: its fields per tipo, the one validator of what an enlace saves or files (the views
map its errors to their fields), and filing it, which moves the case to respondida."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

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
from core.text.money import monto_in_range
from core.timeutil import now
from core.versions import Seen, claim_fur


def _money(value, label: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError(f"{label}: escribe una cantidad en pesos.", fields={label: "inválido"})
    if not monto_in_range(amount):
        raise ValidationError(f"{label}: la cantidad está fuera de rango.", fields={label: "rango"})
    return amount


def _date(value, label: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError(f"{label}: escribe una fecha válida (AAAA-MM-DD).", fields={label: "inválido"})


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
            setattr(fur, name, (data[name] or "").strip() or None)
    if "resultado" in data:
        res = data["resultado"] or None
        if res is not None and res not in Resultado.__members__.values():
            raise ValidationError("El resultado no es válido.", fields={"resultado": "inválido"})
        fur.resultado = res
    for name in ("fecha_respuesta", "fecha_reembolso"):
        if name in data:
            setattr(fur, name, _date(data[name], FUR_LABELS[name]))
    for name in ("monto_reclamado", "monto_reembolsado"):
        if name in data:
            setattr(fur, name, _money(data[name], FUR_LABELS[name]))
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
    return Result(case, [Job(JobName.NOTIFY_FUR_FILED, {"volante_id": volante.id}, QueueName.DEFAULT)])
