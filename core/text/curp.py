"""CURP (Clave Única de Registro de Población): RENAPO structure and check digit, in one place.

Staff forms require a valid check digit (a typo there is worth stopping); the bot accepts a
well-formed CURP even when the check digit does not match, because people copy them by hand and
a slip of one character should not lose the rest of the message."""

from __future__ import annotations

import re

from core.errors import ValidationError

_ALPHABET = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"
_VALUES = {c: i for i, c in enumerate(_ALPHABET)}
_STATES = (
    "AS|BC|BS|CC|CL|CM|CS|CH|DF|DG|GT|GR|HG|JC|MC|MN|MS|NT|NL|OC|PL|QT|QR|SP|SL|SR|TC|TS|TL|VZ|YN"
    "|ZS|NE"
)
CURP_PATTERN = (
    r"[A-Z][AEIOUX][A-Z]{2}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])[HMX]"
    rf"(?:{_STATES})[B-DF-HJ-NP-TV-Z]{{3}}[0-9A-Z]\d"
)
CURP_RE = re.compile(rf"^{CURP_PATTERN}$")
CURP_SEARCH_RE = re.compile(rf"(?<![A-Za-z0-9]){CURP_PATTERN}(?![A-Za-z0-9])", re.IGNORECASE)


def check_digit(first17: str) -> str:
    """RENAPO verification digit for the first 17 characters of a CURP."""
    first17 = first17.upper()
    if len(first17) != 17:
        raise ValueError("need the first 17 characters")
    total = sum(_VALUES[c] * (18 - i) for i, c in enumerate(first17))
    return str((10 - total % 10) % 10)


def is_well_formed(value: str | None) -> bool:
    return isinstance(value, str) and bool(CURP_RE.match(value.strip().upper()))


def is_valid_curp(value: str | None) -> bool:
    """Well-formed (RENAPO structure) and the check digit matches."""
    if not is_well_formed(value):
        return False
    value = value.strip().upper()
    return check_digit(value[:17]) == value[17]


def clean_curp(value: str | None) -> str | None:
    """The CURP in upper case, None when empty; ValidationError (Spanish) when malformed."""
    curp = re.sub(r"\s+", "", value or "").upper()
    if not curp:
        return None
    if len(curp) != 18 or not CURP_RE.match(curp):
        raise ValidationError("La CURP no tiene el formato correcto (18 caracteres).",
                              fields={"curp": "formato"})
    if check_digit(curp[:17]) != curp[17]:
        raise ValidationError("La CURP no es válida: el dígito verificador no coincide.",
                              fields={"curp": "verificador"})
    return curp
