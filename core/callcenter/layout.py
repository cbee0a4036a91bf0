"""The call center file's layout: its columns and the names they go by, the limits of a file,
and how a sloppy tipo is recognised (a sloppy estado: core.estados.match_estado)."""

from __future__ import annotations

from core.enums import TIPO_LABELS, Tipo
from core.estados import match_estado  # noqa: F401  (the estado column's rule, core.estados)
from core.text.fold import fold

MAX_ROWS = 10_000  # per file (CLI)
WEB_MAX_ROWS = 500  # per upload: the import runs inside the web request (docs/benchmarks.md)
REQUIRED_COLUMNS = ("id_llamada", "tipo", "estado", "descripcion")
OPTIONAL_COLUMNS = ("fecha", "telefono", "nombre", "unidad", "monto", "concepto", "fecha_hechos",
                    "curp", "email")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

COLUMN_ALIASES: dict[str, str] = {
    **{c: c for c in COLUMNS},
    "id": "id_llamada", "llamada": "id_llamada", "id_de_llamada": "id_llamada",
    "folio_llamada": "id_llamada", "folio_de_llamada": "id_llamada", "no_llamada": "id_llamada",
    "num_llamada": "id_llamada", "numero_de_llamada": "id_llamada", "numero_llamada": "id_llamada",
    "call_id": "id_llamada", "idllamada": "id_llamada",
    "tipo_de_solicitud": "tipo", "tipo_solicitud": "tipo", "tipo_de_caso": "tipo", "motivo": "tipo",
    "entidad": "estado", "entidad_federativa": "estado", "estado_clave": "estado",
    "descripcion_de_la_llamada": "descripcion", "detalle": "descripcion", "comentarios": "descripcion",
    "observaciones": "descripcion", "asunto": "descripcion", "descripcion_llamada": "descripcion",
    "fecha_llamada": "fecha", "fecha_de_llamada": "fecha", "fecha_de_la_llamada": "fecha",
    "fecha_hora": "fecha",
    "tel": "telefono", "celular": "telefono", "telefono_contacto": "telefono",
    "numero_telefonico": "telefono", "telefono_de_contacto": "telefono", "movil": "telefono",
    "nombre_completo": "nombre", "nombre_del_ciudadano": "nombre", "ciudadano": "nombre",
    "afiliado": "nombre", "nombre_afiliado": "nombre",
    "unidad_medica": "unidad", "unidad_de_salud": "unidad", "hospital": "unidad",
    "importe": "monto", "cantidad": "monto", "monto_cobrado": "monto",
    "concepto_del_cobro": "concepto", "concepto_cobro": "concepto",
    "fecha_de_los_hechos": "fecha_hechos", "fecha_hecho": "fecha_hechos",
    "correo": "email", "correo_electronico": "email", "e_mail": "email", "mail": "email",
}

TIPO_SYNONYMS: dict[str, str] = {
    "queja": Tipo.QUEJA, "quejas": Tipo.QUEJA, "inconformidad": Tipo.QUEJA, "reclamo": Tipo.QUEJA,
    "denuncia": Tipo.QUEJA, "mala atencion": Tipo.QUEJA,
    "cobro": Tipo.COBRO_INJUSTIFICADO, "cobros": Tipo.COBRO_INJUSTIFICADO,
    "cobro indebido": Tipo.COBRO_INJUSTIFICADO, "cobro injustificado": Tipo.COBRO_INJUSTIFICADO,
    "cobros injustificados": Tipo.COBRO_INJUSTIFICADO, "reembolso": Tipo.COBRO_INJUSTIFICADO,
    "solicitud de informacion": Tipo.SOLICITUD_INFORMACION, "informacion": Tipo.SOLICITUD_INFORMACION,
    "solicitud informacion": Tipo.SOLICITUD_INFORMACION, "info": Tipo.SOLICITUD_INFORMACION,
    "orientacion": Tipo.SOLICITUD_INFORMACION, "asesoria": Tipo.SOLICITUD_INFORMACION,
    "solicitud": Tipo.SOLICITUD_INFORMACION,
    "consulta de cobertura": Tipo.CONSULTA_COBERTURA, "cobertura": Tipo.CONSULTA_COBERTURA,
    "consulta cobertura": Tipo.CONSULTA_COBERTURA,
    "sugerencia": Tipo.SUGERENCIA, "sugerencias": Tipo.SUGERENCIA, "propuesta": Tipo.SUGERENCIA,
    "felicitacion": Tipo.FELICITACION, "felicitaciones": Tipo.FELICITACION,
    "reconocimiento": Tipo.FELICITACION, "agradecimiento": Tipo.FELICITACION,
}

def norm(value) -> str:
    """A cell folded for matching (core.text.fold): 'Michoacán de  Ocampo' -> 'michoacan de ocampo'."""
    return fold(str(value or ""))


def match_tipo(value) -> str | None:
    key = norm(value)
    if not key:
        return None
    if key.replace(" ", "_") in Tipo.__members__.values():
        return key.replace(" ", "_")
    for tipo, label in TIPO_LABELS.items():
        if norm(label) == key:
            return str(tipo)
    tipo = TIPO_SYNONYMS.get(key)
    return str(tipo) if tipo else None


def norm_header(value) -> str:
    return norm(value).replace(" ", "_")
