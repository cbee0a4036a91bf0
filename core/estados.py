"""The 32 entidades federativas with their INEGI keys.

Names are the short official forms the bot and the reports show ("Estado de México",
"Ciudad de México", "Michoacán"); `clave` is INEGI's two-digit key, used as the primary key.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EstadoInfo:
    clave: str
    nombre: str
    abreviatura: str
    nombre_oficial: str


ESTADOS: tuple[EstadoInfo, ...] = (
    EstadoInfo("01", "Aguascalientes", "AGS", "Aguascalientes"),
    EstadoInfo("02", "Baja California", "BC", "Baja California"),
    EstadoInfo("03", "Baja California Sur", "BCS", "Baja California Sur"),
    EstadoInfo("04", "Campeche", "CAMP", "Campeche"),
    EstadoInfo("05", "Coahuila", "COAH", "Coahuila de Zaragoza"),
    EstadoInfo("06", "Colima", "COL", "Colima"),
    EstadoInfo("07", "Chiapas", "CHIS", "Chiapas"),
    EstadoInfo("08", "Chihuahua", "CHIH", "Chihuahua"),
    EstadoInfo("09", "Ciudad de México", "CDMX", "Ciudad de México"),
    EstadoInfo("10", "Durango", "DGO", "Durango"),
    EstadoInfo("11", "Guanajuato", "GTO", "Guanajuato"),
    EstadoInfo("12", "Guerrero", "GRO", "Guerrero"),
    EstadoInfo("13", "Hidalgo", "HGO", "Hidalgo"),
    EstadoInfo("14", "Jalisco", "JAL", "Jalisco"),
    EstadoInfo("15", "Estado de México", "MEX", "México"),
    EstadoInfo("16", "Michoacán", "MICH", "Michoacán de Ocampo"),
    EstadoInfo("17", "Morelos", "MOR", "Morelos"),
    EstadoInfo("18", "Nayarit", "NAY", "Nayarit"),
    EstadoInfo("19", "Nuevo León", "NL", "Nuevo León"),
    EstadoInfo("20", "Oaxaca", "OAX", "Oaxaca"),
    EstadoInfo("21", "Puebla", "PUE", "Puebla"),
    EstadoInfo("22", "Querétaro", "QRO", "Querétaro"),
    EstadoInfo("23", "Quintana Roo", "QROO", "Quintana Roo"),
    EstadoInfo("24", "San Luis Potosí", "SLP", "San Luis Potosí"),
    EstadoInfo("25", "Sinaloa", "SIN", "Sinaloa"),
    EstadoInfo("26", "Sonora", "SON", "Sonora"),
    EstadoInfo("27", "Tabasco", "TAB", "Tabasco"),
    EstadoInfo("28", "Tamaulipas", "TAMPS", "Tamaulipas"),
    EstadoInfo("29", "Tlaxcala", "TLAX", "Tlaxcala"),
    EstadoInfo("30", "Veracruz", "VER", "Veracruz de Ignacio de la Llave"),
    EstadoInfo("31", "Yucatán", "YUC", "Yucatán"),
    EstadoInfo("32", "Zacatecas", "ZAC", "Zacatecas"),
)

BY_CLAVE: dict[str, EstadoInfo] = {e.clave: e for e in ESTADOS}
BY_NOMBRE: dict[str, EstadoInfo] = {e.nombre: e for e in ESTADOS}
NOMBRES: tuple[str, ...] = tuple(e.nombre for e in ESTADOS)


def clave_for(nombre_or_clave: str) -> str | None:
    """Resolve an exact official name, abbreviation or INEGI key to the key."""
    value = (nombre_or_clave or "").strip()
    if value in BY_CLAVE:
        return value
    if value in BY_NOMBRE:
        return BY_NOMBRE[value].clave
    upper = value.upper()
    for e in ESTADOS:
        if e.abreviatura == upper or e.nombre.upper() == upper or e.nombre_oficial.upper() == upper:
            return e.clave
    return None
