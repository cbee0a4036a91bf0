"""CURP (Clave Única de Registro de Población): format and check digit (RENAPO's algorithm)."""

from __future__ import annotations

import re

from core.errors import ValidationError

_ENTIDADES = (
    "AS|BC|BS|CC|CL|CM|CS|CH|DF|DG|GT|GR|HG|JC|MC|MN|MS|NT|NL|OC|PL|QT|QR|SP|SL|SR|TC|TS|TL|VZ|YN|ZS|NE"
)
CURP_RE = re.compile(
    r"^[A-Z][AEIOUX][A-Z]{2}\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])[HMX]"
    rf"({_ENTIDADES})[B-DF-HJ-NP-TV-Z]{{3}}[A-Z\d]\d$"
)
_DICT = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"


def check_digit(first17: str) -> int:
    total = sum(_DICT.index(ch) * (18 - i) for i, ch in enumerate(first17))
    return (10 - total % 10) % 10


def is_valid_curp(value: str | None) -> bool:
    curp = (value or "").strip().upper()
    if not CURP_RE.match(curp):
        return False
    return check_digit(curp[:17]) == int(curp[17])


def clean_curp(value: str | None) -> str | None:
    """The CURP in upper case, None when empty; ValidationError (Spanish) when malformed."""
    curp = re.sub(r"\s+", "", value or "").upper()
    if not curp:
        return None
    if len(curp) != 18 or not CURP_RE.match(curp):
        raise ValidationError("La CURP no tiene el formato correcto (18 caracteres).", fields={"curp": "formato"})
    if check_digit(curp[:17]) != int(curp[17]):
        raise ValidationError("La CURP no es válida: el dígito verificador no coincide.",
                              fields={"curp": "verificador"})
    return curp
