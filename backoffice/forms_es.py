"""Small form helpers shared by intake, buzón and admin: Spanish choices, money, dates, phones."""

from __future__ import annotations

from datetime import date

from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError as FormError

from core.errors import ValidationError
from core.estados import ESTADOS
from core.phones import normalize_phone
from core.timeutil import FutureDay, parse_day
from core.users import valid_email

INVALID_CHOICE = "Elige una opción de la lista."
ESTADO_CHOICES = [(e.clave, e.nombre) for e in ESTADOS]


def select(label: str, choices, validators=None, **kw) -> SelectField:
    """A SelectField from (value, label) pairs with a Spanish invalid-choice message."""
    choices = [SelectChoice(str(v), str(lbl)) for v, lbl in choices]
    return SelectField(label, choices=choices, validators=validators or [],
                       invalid_choice_message=INVALID_CHOICE, **kw)


def date_input(label: str, validators=None) -> StringField:
    """A text field rendered as <input type=date>; parsed by `parse_form_date` (Spanish errors)."""
    return StringField(label, validators=validators or [], render_kw={"type": "date"})


def parse_form_date(value: str | None, *, not_future: bool = True) -> date | None:
    try:
        return parse_day(value, not_future=not_future)
    except FutureDay:
        raise FormError("La fecha no puede estar en el futuro.") from None
    except ValueError:
        raise FormError("Escribe una fecha válida (AAAA-MM-DD).") from None


def clean_phone(value: str | None) -> str | None:
    text = (value or "").strip()
    if not text:
        return None
    try:
        return normalize_phone(text)
    except ValidationError:
        raise FormError("El número de teléfono no es válido (10 dígitos, p. ej. 33 1234 5678).") from None


def check_email(value: str | None) -> str | None:
    text = (value or "").strip().lower()
    if not text:
        return None
    if not valid_email(text):
        raise FormError("El correo electrónico no es válido.")
    return text


def cleaned(field):
    """The value a field's inline validator parsed (None when the field was empty and skipped)."""
    return getattr(field, "clean", None)
