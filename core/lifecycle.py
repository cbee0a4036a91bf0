"""The one transition table of a case (DOMAIN.md §4) and who may trigger each action."""

from __future__ import annotations

from enum import StrEnum

from core.enums import STAFF_ROLES as _STAFF
from core.enums import CaseStatus as S
from core.enums import Role
from core.errors import IllegalTransition, PermissionDenied


class Action(StrEnum):
    REGISTRAR = "registrar"
    DECIDIR_GESTION = "decidir_gestion"
    ATENDER = "atender"  # amerita gestión = no: answered directly, closed
    TURNAR = "turnar"
    RESPONDER = "responder"  # enlace files the FUR
    ACEPTAR = "aceptar"  # review: complete and favorable
    DEVOLVER = "devolver"  # review: send back ("ampliar gestión")
    REASIGNAR = "reasignar"  # to another estado (portabilidad)
    PAUSAR = "pausar"  # clock paused while waiting for the affiliate
    REANUDAR = "reanudar"
    CANCELAR = "cancelar"
    REABRIR = "reabrir"  # a closed case opens a new round on the same folio (core.services.reopen)
    FUSIONAR = "fusionar"  # a duplicate is merged into the surviving case (core.services.merge)
    # A request for information to the affiliate (core.services.affiliate_contact): a fact beside
    # the status, which it keeps; it pauses the round's plazo, and the reply (or closing it
    # unanswered) resumes it.
    SOLICITAR_INFORMACION = "solicitar_informacion"
    RECIBIR_INFORMACION = "recibir_informacion"
    CERRAR_SOLICITUD = "cerrar_solicitud"


TRANSITIONS: dict[tuple[S | None, Action], S] = {
    (None, Action.REGISTRAR): S.REGISTRADA,
    (S.REGISTRADA, Action.DECIDIR_GESTION): S.REGISTRADA,
    (S.REGISTRADA, Action.ATENDER): S.ATENDIDA,
    (S.REGISTRADA, Action.TURNAR): S.TURNADA,
    (S.TURNADA, Action.RESPONDER): S.RESPONDIDA,
    (S.RESPONDIDA, Action.ACEPTAR): S.CONCLUIDA,
    (S.RESPONDIDA, Action.DEVOLVER): S.TURNADA,
    (S.REGISTRADA, Action.REASIGNAR): S.REGISTRADA,
    (S.TURNADA, Action.REASIGNAR): S.TURNADA,
    (S.TURNADA, Action.PAUSAR): S.TURNADA,
    (S.TURNADA, Action.REANUDAR): S.TURNADA,
    (S.REGISTRADA, Action.CANCELAR): S.CANCELADA,
    (S.TURNADA, Action.CANCELAR): S.CANCELADA,
    (S.RESPONDIDA, Action.CANCELAR): S.CANCELADA,
    # Reopen: a concluded case goes straight back to an enlace; an attended one (no volante yet)
    # waits in registrada for its turn.
    (S.CONCLUIDA, Action.REABRIR): S.TURNADA,
    (S.ATENDIDA, Action.REABRIR): S.REGISTRADA,
    # A merged duplicate is closed as cancelada and points to the surviving case.
    (S.REGISTRADA, Action.FUSIONAR): S.CANCELADA,
    (S.TURNADA, Action.FUSIONAR): S.CANCELADA,
    (S.RESPONDIDA, Action.FUSIONAR): S.CANCELADA,
    (S.REGISTRADA, Action.SOLICITAR_INFORMACION): S.REGISTRADA,
    (S.TURNADA, Action.SOLICITAR_INFORMACION): S.TURNADA,
    (S.REGISTRADA, Action.RECIBIR_INFORMACION): S.REGISTRADA,
    (S.TURNADA, Action.RECIBIR_INFORMACION): S.TURNADA,
    (S.REGISTRADA, Action.CERRAR_SOLICITUD): S.REGISTRADA,
    (S.TURNADA, Action.CERRAR_SOLICITUD): S.TURNADA,
}

_AUTO = frozenset({"bot", "system"})

# Roles allowed to trigger each action; "bot"/"system" are the automatic actors.
ALLOWED_ROLES: dict[Action, frozenset[str]] = {
    Action.REGISTRAR: _STAFF | _AUTO,
    Action.DECIDIR_GESTION: _STAFF | _AUTO,
    Action.ATENDER: _STAFF | _AUTO,
    Action.TURNAR: _STAFF | _AUTO,
    Action.RESPONDER: frozenset({Role.ENLACE}) | _STAFF,
    Action.ACEPTAR: frozenset({Role.VINCULACION}),
    Action.DEVOLVER: frozenset({Role.VINCULACION}),
    Action.REASIGNAR: frozenset({Role.VINCULACION}),
    Action.PAUSAR: frozenset({Role.VINCULACION}),
    Action.REANUDAR: frozenset({Role.VINCULACION}) | _AUTO,
    Action.CANCELAR: frozenset({Role.VINCULACION}),
    Action.REABRIR: frozenset({Role.VINCULACION, "bot"}),  # the bot on the affiliate's request
    Action.FUSIONAR: frozenset({Role.VINCULACION}),
    Action.SOLICITAR_INFORMACION: frozenset({Role.ENLACE, Role.VINCULACION}),
    Action.RECIBIR_INFORMACION: frozenset({"bot"}),  # the affiliate's reply, routed by the bot
    Action.CERRAR_SOLICITUD: frozenset({Role.ENLACE, Role.VINCULACION}) | _AUTO,
}

class CaseEvent(StrEnum):
    """Entries of a case's history that change no status (the transitions are Action's)."""

    NOTA = "nota"
    RESPUESTA_PERSONAL = "respuesta_personal"  # staff wrote to the affiliate in a handoff
    LIBERAR_CONVERSACION = "liberar_conversacion"  # the conversation went back to the bot
    FUSION_RECIBIDA = "fusion_recibida"  # the surviving case of a merge
    POSIBLE_DUPLICADO = "posible_duplicado"
    ENCUESTA_SATISFACCION = "encuesta_satisfaccion"
    MENSAJE_AFILIADO = "mensaje_afiliado"  # written to the affiliate from the case
    SOLICITUD_CERRADA = "solicitud_cerrada"  # a request for information closed by the system
    # a day declared non-working that the round's clock had counted moved its due day
    # (core.services.non_working_days)
    VENCIMIENTO_RECORRIDO = "vencimiento_recorrido"


# An action as a verb, for sentences ("No se puede turnar al enlace un caso …").
ACTION_LABELS = {
    Action.REGISTRAR: "registrar",
    Action.DECIDIR_GESTION: "decidir si amerita gestión",
    Action.ATENDER: "atender directamente",
    Action.TURNAR: "turnar al enlace",
    Action.RESPONDER: "responder con FUR",
    Action.ACEPTAR: "aceptar la respuesta",
    Action.DEVOLVER: "devolver al enlace",
    Action.REASIGNAR: "reasignar a otro estado",
    Action.PAUSAR: "pausar el plazo",
    Action.REANUDAR: "reanudar el plazo",
    Action.CANCELAR: "cancelar",
    Action.REABRIR: "reabrir",
    Action.FUSIONAR: "fusionar con otro folio",
    Action.SOLICITAR_INFORMACION: "pedir información a la persona afiliada",
    Action.RECIBIR_INFORMACION: "recibir la respuesta de la persona afiliada",
    Action.CERRAR_SOLICITUD: "cerrar la solicitud de información",
}

# What each entry of a case's history is called in its timeline and in the system audit.
HISTORY_NAMES: dict[str, str] = {
    Action.REGISTRAR: "Registro",
    Action.DECIDIR_GESTION: "Decisión de gestión",
    Action.ATENDER: "Atendido directamente",
    Action.TURNAR: "Turnado al enlace",
    Action.RESPONDER: "FUR enviado",
    Action.ACEPTAR: "Respuesta aceptada",
    Action.DEVOLVER: "Devuelto al enlace",
    Action.REASIGNAR: "Reasignado de estado",
    Action.PAUSAR: "Plazo pausado",
    Action.REANUDAR: "Plazo reanudado",
    Action.CANCELAR: "Cancelado",
    Action.REABRIR: "Reabierto (nueva ronda)",
    Action.FUSIONAR: "Fusionado en otro folio",
    Action.SOLICITAR_INFORMACION: "Solicitud de información a la persona afiliada",
    Action.RECIBIR_INFORMACION: "Respuesta de la persona afiliada a la solicitud",
    Action.CERRAR_SOLICITUD: "Solicitud de información cerrada",
    CaseEvent.NOTA: "Nota interna",
    CaseEvent.RESPUESTA_PERSONAL: "Respuesta del personal",
    CaseEvent.LIBERAR_CONVERSACION: "Conversación devuelta al bot",
    CaseEvent.FUSION_RECIBIDA: "Se le fusionó un folio duplicado",
    CaseEvent.POSIBLE_DUPLICADO: "Posible duplicado detectado",
    CaseEvent.ENCUESTA_SATISFACCION: "Encuesta de satisfacción respondida",
    CaseEvent.MENSAJE_AFILIADO: "Mensaje a la persona afiliada",
    CaseEvent.SOLICITUD_CERRADA: "Solicitud de información cerrada",
    CaseEvent.VENCIMIENTO_RECORRIDO: "Vencimiento recorrido por día inhábil",
}


def next_status(current: str | None, action: Action) -> S:
    """The status after `action`, or IllegalTransition with a message a person can read."""
    key = (S(current) if current is not None else None, action)
    if key not in TRANSITIONS:
        where = f"en estatus «{current}»" if current else "sin registrar"
        raise IllegalTransition(
            f"No se puede {ACTION_LABELS[action]} un caso {where}.", code="illegal_transition"
        )
    return TRANSITIONS[key]


def allowed_actions(current: str | None) -> list[Action]:
    cur = S(current) if current is not None else None
    return [a for (s, a) in TRANSITIONS if s == cur]


def check_role(action: Action, role: str | None) -> None:
    if role not in ALLOWED_ROLES[action]:
        raise PermissionDenied(f"Tu perfil no permite {ACTION_LABELS[action]}.")
