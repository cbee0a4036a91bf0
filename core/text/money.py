"""Amounts of money in pesos: the one range every layer accepts (forms, imports, the bot)."""

from __future__ import annotations

from decimal import Decimal

MAX_MONTO = Decimal(10000000)  # ten million pesos: beyond any charge at a health unit


def monto_in_range(amount: Decimal | float) -> bool:
    """0 <= amount <= MAX_MONTO (the bot additionally ignores 0: nothing was charged)."""
    return 0 <= Decimal(str(amount)) <= MAX_MONTO
