"""One reading of amounts (core.text.money.parse_amount) for the FUR, the call center's file and
the operator's form, and the FUR form read by the rules save_fur applies (core.services.fur)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from core.errors import ValidationError
from core.services.fur import clean_fur_form, parse_fur_date
from core.text.money import MAX_MONTO, parse_amount
from core.timeutil import today_mx


@pytest.mark.parametrize("written,amount", [
    ("$1,500", Decimal("1500.00")), ("350.50", Decimal("350.50")), ("350,50", Decimal("350.50")),
    ("1 200 MXN", Decimal("1200.00")), ("0", Decimal("0.00")), ("", None), (None, None),
    (Decimal("99.5"), Decimal("99.50")),
])
def test_amounts_as_people_write_them(written, amount):
    assert parse_amount(written) == amount


@pytest.mark.parametrize("written", ["mil", "-5", "NaN", "Infinity", str(MAX_MONTO + 1), "1.2.3"])
def test_what_is_not_an_amount_in_range_is_refused(written):
    with pytest.raises(ValueError):
        parse_amount(written)


def test_the_fur_form_reports_every_field_at_once():
    tomorrow = (today_mx() + timedelta(days=1)).isoformat()
    data, errors = clean_fur_form({"fecha_respuesta": tomorrow, "resultado": "quizas", "acciones": "x" * 10001,
                                   "monto_reclamado": "mil", "monto_reembolsado": "$1,500",
                                   "fecha_reembolso": "31/02/2026"}, "cobro_injustificado")
    assert errors == {
        "fecha_respuesta": "Fecha de respuesta: la fecha no puede ser futura.",
        "resultado": "Resultado: elige una opción de la lista.",
        "acciones": "Acciones realizadas: el texto es demasiado largo (máximo 10000 caracteres).",
        "monto_reclamado": "Monto reclamado: escribe una cantidad en pesos, por ejemplo 1500.00.",
        "fecha_reembolso": "Fecha de reembolso: escribe una fecha válida (AAAA-MM-DD).",
    }
    assert data["monto_reembolsado"] == Decimal("1500.00")


def test_a_queja_has_no_amounts_to_read():
    data, errors = clean_fur_form({"fecha_respuesta": today_mx().isoformat(), "monto_reclamado": "mil"}, "queja")
    assert errors == {} and "monto_reclamado" not in data


def test_a_fur_date_outside_the_form_may_be_any_day():
    later = today_mx() + timedelta(days=3)
    assert parse_fur_date(later.isoformat(), "fecha_respuesta", not_future=False) == later
    with pytest.raises(ValidationError) as refused:
        parse_fur_date(later, "fecha_respuesta")
    assert refused.value.fields == {"fecha_respuesta": "futura"}


@pytest.mark.parametrize("address,valid", [
    ("persona@correo.mx", True), ("sin-arroba.mx", False), ("dos@@correo.mx", False),
    ("a b@correo.mx", False), ("x@" + "d" * 250 + ".mx", False),
])
def test_one_check_of_an_email_address(address, valid):
    from core.users import valid_email

    assert valid_email(address) is valid
