"""Canned responses (issue 17 item 4, docs/canned_responses.md): national or per-estado texts with
placeholders, filled from a case when an enlace inserts one in a FUR or staff in a handoff reply.

Placeholders are Python format fields limited to the names in PLACEHOLDERS; a text naming
anything else, or with unbalanced braces, is refused on save with a Spanish message that says
which names exist. Filling never fails: a value the case lacks becomes «[nombre de la unidad]»
so whoever inserts it sees what to complete. Only admins create, edit and disable them; every
change is an audit event.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core import audit
from core.actors import Actor
from core.enums import TIPO_LABELS, Role
from core.errors import PermissionDenied, ValidationError
from core.estados import BY_CLAVE
from core.models import CannedResponse, Case
from core.timeutil import fecha_larga, today_mx

PLACEHOLDERS = {
    "folio": "folio del caso",
    "nombre_unidad": "nombre de la unidad de salud",
    "fecha": "fecha de hoy",
    "fecha_hechos": "fecha de los hechos",
    "nombre": "nombre de la persona afiliada",
    "estado": "estado",
    "tipo": "tipo de solicitud",
    "monto": "monto reclamado",
    "vence": "fecha límite del volante",
}
TITULO_MAX = 120
CUERPO_MAX = 5000


def placeholders_in(text: str) -> list[str]:
    """The placeholder names a text uses, in order; ValidationError when a brace is malformed or a
    name is not in PLACEHOLDERS."""
    try:
        fields = [(name, spec, conv) for _, name, spec, conv in string.Formatter().parse(text) if name is not None]
    except ValueError:
        raise ValidationError("Revisa las llaves { }: cada campo se escribe como {folio}; para una llave "
                              "literal escribe {{ o }}.", fields={"cuerpo": "llaves"}) from None
    names = []
    unknown = []
    for name, spec, conv in fields:
        if spec or conv or name not in PLACEHOLDERS:
            unknown.append("{" + name + ("!" + conv if conv else "") + (":" + spec if spec else "") + "}")
        else:
            names.append(name)
    if unknown:
        available = ", ".join("{" + n + "}" for n in PLACEHOLDERS)
        raise ValidationError(
            f"La plantilla usa {'campos que no existen' if len(unknown) > 1 else 'un campo que no existe'}: "
            f"{', '.join(unknown)}. Los campos disponibles son: {available}.", fields={"cuerpo": "campo"})
    return names


def _require_admin(actor: Actor) -> None:
    if actor.role != Role.ADMIN:
        raise PermissionDenied("Solo la administración gestiona las respuestas predefinidas.")


def _clean(titulo: str, cuerpo: str, estado_clave: str | None) -> tuple[str, str, str | None]:
    titulo = " ".join((titulo or "").split())
    cuerpo = (cuerpo or "").strip()
    estado_clave = estado_clave or None
    if not titulo:
        raise ValidationError("Escribe un título para la plantilla.", fields={"titulo": "requerido"})
    if len(titulo) > TITULO_MAX:
        raise ValidationError(f"El título es demasiado largo (máximo {TITULO_MAX} caracteres).",
                              fields={"titulo": "largo"})
    if not cuerpo:
        raise ValidationError("Escribe el texto de la plantilla.", fields={"cuerpo": "requerido"})
    if len(cuerpo) > CUERPO_MAX:
        raise ValidationError(f"El texto es demasiado largo (máximo {CUERPO_MAX} caracteres).",
                              fields={"cuerpo": "largo"})
    if estado_clave is not None and estado_clave not in BY_CLAVE:
        raise ValidationError("El estado no es válido.", fields={"estado": "inválido"})
    placeholders_in(cuerpo)
    return titulo, cuerpo, estado_clave


def save(session: Session, actor: Actor, *, titulo: str, cuerpo: str, estado_clave: str | None,
         template: CannedResponse | None = None) -> CannedResponse:
    """Create a template, or edit `template`; flushes, the caller commits."""
    _require_admin(actor)
    titulo, cuerpo, estado_clave = _clean(titulo, cuerpo, estado_clave)
    clash = select(CannedResponse.id).where(
        CannedResponse.titulo == titulo,
        CannedResponse.estado_clave.is_(None) if estado_clave is None else CannedResponse.estado_clave == estado_clave)
    if template is not None:
        clash = clash.where(CannedResponse.id != template.id)
    if session.scalar(clash.limit(1)) is not None:
        raise ValidationError("Ya hay una plantilla con ese título para el mismo alcance.", fields={"titulo": "repetido"})
    created = template is None
    if created:
        template = CannedResponse(created_by_id=actor.id, active=True)
        session.add(template)
    template.titulo, template.cuerpo, template.estado_clave = titulo, cuerpo, estado_clave
    template.updated_by_id = actor.id
    session.flush()
    audit.record(session, actor, "plantilla_creada" if created else "plantilla_editada",
                 data={"plantilla_id": template.id, "titulo": titulo, "estado": estado_clave})
    return template


def set_active(session: Session, actor: Actor, template: CannedResponse, active: bool) -> None:
    _require_admin(actor)
    template.active = active
    template.updated_by_id = actor.id
    session.flush()
    audit.record(session, actor, "plantilla_activada" if active else "plantilla_desactivada",
                 data={"plantilla_id": template.id, "titulo": template.titulo})


def available(session: Session, estado_clave: str | None) -> list[CannedResponse]:
    """Active templates usable for a case of `estado_clave`: the national ones and its estado's."""
    scope = CannedResponse.estado_clave.is_(None)
    if estado_clave:
        scope = or_(scope, CannedResponse.estado_clave == estado_clave)
    return list(session.scalars(select(CannedResponse).where(CannedResponse.active.is_(True), scope)
                                .order_by(CannedResponse.estado_clave.is_(None), CannedResponse.titulo)))


def usable(session: Session, template_id, estado_clave: str | None) -> CannedResponse:
    """The template chosen in a form, if it may be used for this estado's case."""
    raw = str(template_id or "").strip()
    chosen = next((t for t in available(session, estado_clave) if raw.isdigit() and t.id == int(raw)), None)
    if chosen is None:
        raise ValidationError("Elige una respuesta predefinida de la lista.", fields={"plantilla": "inválido"})
    return chosen


def values_for(case: Case | None, today: date | None = None) -> dict[str, str]:
    """What each placeholder becomes for this case (missing: shown bracketed, to complete)."""
    today = today or today_mx()
    values = {"fecha": fecha_larga(today)}
    if case is not None:
        volante = case.open_volante
        values.update({
            "folio": case.folio,
            "nombre_unidad": case.unidad or "",
            "fecha_hechos": fecha_larga(case.fecha_hechos) if case.fecha_hechos else (case.fecha_hechos_texto or ""),
            "nombre": case.contacto_nombre or "",
            "estado": BY_CLAVE[case.estado_clave].nombre if case.estado_clave in BY_CLAVE else "",
            "tipo": TIPO_LABELS.get(case.tipo, ""),
            "monto": f"${case.monto:,.2f}" if case.monto is not None else "",
            "vence": fecha_larga(volante.due_date) if volante is not None else "",
        })
    return {name: values.get(name) or f"[{label}]" for name, label in PLACEHOLDERS.items()}


def fill(template: CannedResponse | str, case: Case | None, today: date | None = None) -> str:
    text = template if isinstance(template, str) else template.cuerpo
    return text.format_map(values_for(case, today))


@dataclass(frozen=True)
class Option:
    """One entry of a picker: the template and its text already filled for the case."""

    id: int
    titulo: str
    nacional: bool
    texto: str


def options_for(session: Session, case: Case | None, today: date | None = None) -> list[Option]:
    values = values_for(case, today)
    return [Option(t.id, t.titulo, t.estado_clave is None, t.cuerpo.format_map(values))
            for t in available(session, case.estado_clave if case is not None else None)]
