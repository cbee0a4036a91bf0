"""The 32 entidades federativas with their INEGI keys.

Names are the short official forms the bot and the reports show ("Estado de México",
"Ciudad de México", "Michoacán"); `clave` is INEGI's two-digit key, used as the primary key.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.text.fold import fold


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


# Ways the estados are written that are none of their names or abbreviations above, folded
# (core.text.fold): old names, short forms, spellings without the accents' help. The one table:
# the call center's file and the bot read it through FOLDED_NAMES / match_estado.
ALIASES: dict[str, str] = {
    "df": "09", "d f": "09", "distrito federal": "09", "mexico df": "09", "cd de mexico": "09",
    "cd mexico": "09", "ciudad mexico": "09",
    "edomex": "15", "edo mex": "15", "edo de mex": "15", "edo de mexico": "15",
    "q roo": "23", "baja california norte": "02", "bcn": "02", "aguas": "01",
}


def _folded_names() -> dict[str, str]:
    index = {}
    for e in ESTADOS:
        for name in (e.nombre, e.nombre_oficial, e.abreviatura):
            index.setdefault(fold(name), e.clave)
    index.update(ALIASES)
    return index


# folded name, official name, abbreviation or alias -> INEGI key
FOLDED_NAMES: dict[str, str] = _folded_names()


def match_estado(value) -> str | None:
    """INEGI key for a sloppy estado name ('jalisco', 'EDOMEX', 'Michoacan', '9'), else None."""
    raw = str(value or "").strip()
    if not raw:
        return None
    exact = clave_for(raw)
    if exact:
        return exact
    if raw.isdigit() and len(raw) == 1:
        return clave_for("0" + raw)
    key = fold(raw)
    if key not in FOLDED_NAMES and key.startswith("estado de "):
        key = key[len("estado de "):]
    if key in BY_CLAVE:  # '09.', ' 9 '
        return key
    return FOLDED_NAMES.get(key)
