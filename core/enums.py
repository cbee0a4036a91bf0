"""Closed vocabularies of the domain (DOMAIN.md §1-§5)."""

from enum import StrEnum


class Role(StrEnum):
    ENLACE = "enlace"
    VINCULACION = "vinculacion"
    PARTICIPACION_SOCIAL = "participacion_social"
    ADMIN = "admin"


# The national staff who run cases: register, turn, decide, see full contact data, the simulator.
STAFF_ROLES = frozenset({Role.VINCULACION, Role.ADMIN})


class Canal(StrEnum):
    WHATSAPP = "whatsapp"
    SMS = "sms"
    CALL_CENTER = "call_center"
    BUZON = "buzon"
    OFICIO = "oficio"


class Tipo(StrEnum):
    QUEJA = "queja"
    COBRO_INJUSTIFICADO = "cobro_injustificado"
    SOLICITUD_INFORMACION = "solicitud_informacion"
    CONSULTA_COBERTURA = "consulta_cobertura"
    SUGERENCIA = "sugerencia"
    FELICITACION = "felicitacion"


class CaseStatus(StrEnum):
    REGISTRADA = "registrada"
    ATENDIDA = "atendida"
    TURNADA = "turnada"
    RESPONDIDA = "respondida"
    CONCLUIDA = "concluida"
    CANCELADA = "cancelada"


OPEN_STATUSES = frozenset({CaseStatus.REGISTRADA, CaseStatus.TURNADA, CaseStatus.RESPONDIDA})


class VolanteStatus(StrEnum):
    ABIERTO = "abierto"  # waiting for the enlace's FUR
    RESPONDIDO = "respondido"  # FUR filed, waiting for review
    ACEPTADO = "aceptado"
    DEVUELTO = "devuelto"
    CANCELADO = "cancelado"  # case cancelled or reassigned while open


# A volante's status as staff read it; the case page adds what an open round waits for.
VOLANTE_STATUS_LABELS = {VolanteStatus.ABIERTO: "Abierto", VolanteStatus.RESPONDIDO: "Respondido",
                         VolanteStatus.ACEPTADO: "Aceptado", VolanteStatus.DEVUELTO: "Devuelto",
                         VolanteStatus.CANCELADO: "Cancelado"}
VOLANTE_WAITING_FOR = {VolanteStatus.ABIERTO: "esperando FUR", VolanteStatus.RESPONDIDO: "en revisión"}


class Resultado(StrEnum):
    FAVORABLE = "favorable"
    NO_FAVORABLE = "no_favorable"
    IMPROCEDENTE = "improcedente"


# the FUR's result as staff read it (the notices use it in lower case)
RESULTADO_LABELS = {Resultado.FAVORABLE: "Favorable", Resultado.NO_FAVORABLE: "No favorable",
                    Resultado.IMPROCEDENTE: "Improcedente"}


class ReviewDecision(StrEnum):
    ACEPTADA = "aceptada"
    DEVUELTA = "devuelta"


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class MessageStatus(StrEnum):
    # inbound
    RECEIVED = "received"
    PROCESSED = "processed"
    # outbound (Twilio's vocabulary)
    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"
    UNDELIVERED = "undelivered"
    SUPPRESSED = "suppressed"  # not sent: opted-out phone


# A message's delivery as staff read it (Twilio's vocabulary, some of whose words never get a
# member above: "sending", "accepted").
MESSAGE_STATUS_LABELS = {
    "received": "recibido", "processed": "recibido", "queued": "en cola", "sending": "enviando",
    "accepted": "en cola", "sent": "enviado", "delivered": "entregado", "read": "leído", "failed": "falló",
    "undelivered": "no entregado", "suppressed": "no enviado (pidió BAJA)",
}

TIPO_LABELS = {
    Tipo.QUEJA: "Queja",
    Tipo.COBRO_INJUSTIFICADO: "Cobro injustificado",
    Tipo.SOLICITUD_INFORMACION: "Solicitud de información",
    Tipo.CONSULTA_COBERTURA: "Consulta de cobertura",
    Tipo.SUGERENCIA: "Sugerencia",
    Tipo.FELICITACION: "Felicitación",
}

CANAL_LABELS = {
    Canal.WHATSAPP: "WhatsApp",
    Canal.SMS: "SMS",
    Canal.CALL_CENTER: "Centro de atención telefónica",
    Canal.BUZON: "Buzón web",
    Canal.OFICIO: "Oficio",
}

STATUS_LABELS = {
    CaseStatus.REGISTRADA: "Registrada",
    CaseStatus.ATENDIDA: "Atendida",
    CaseStatus.TURNADA: "Turnada",
    CaseStatus.RESPONDIDA: "Respondida",
    CaseStatus.CONCLUIDA: "Concluida",
    CaseStatus.CANCELADA: "Cancelada",
}

# Whether a tipo amerita gestión by default (DOMAIN.md §3).
AMERITA_GESTION_DEFAULT = {
    Tipo.QUEJA: True,
    Tipo.COBRO_INJUSTIFICADO: True,
    Tipo.SOLICITUD_INFORMACION: False,
    Tipo.CONSULTA_COBERTURA: False,
    Tipo.SUGERENCIA: True,
    Tipo.FELICITACION: True,
}
