"""Amounts of money in pesos: the one range every layer accepts (forms, imports, the bot)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

MAX_MONTO = Decimal(10000000)  # ten million pesos: beyond any charge at a health unit


def monto_in_range(amount: Decimal | float) -> bool:
    """0 <= amount <= MAX_MONTO (the bot additionally ignores 0: nothing was charged)."""
    return 0 <= Decimal(str(amount)) <= MAX_MONTO


def parse_amount(value) -> Decimal | None:
    """An amount as people write it ('$1,500', '350.50', '350,50', '1 200 MXN') in pesos with
    two decimals; None when empty; ValueError when it is not an amount or is out of range."""
    text = str(value if value is not None else "").strip().replace("$", "").replace("MXN", "").replace(" ", "")
    if not text:
        return None
    if "," in text and "." not in text and re.fullmatch(r"\d+,\d{1,2}", text):
        text = text.replace(",", ".")  # a decimal comma: 350,50
    text = text.replace(",", "")  # thousands: 1,500
    try:
        amount = Decimal(text).quantize(Decimal("0.01"))
    except InvalidOperation as exc:
        raise ValueError(value) from exc
    if not amount.is_finite() or not monto_in_range(amount):
        raise ValueError(value)
    return amount
