"""Calendar months in Mexico City time, as the report counts them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from core.errors import ValidationError
from core.timeutil import MESES, MX_TZ, today_mx

_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        match = _MONTH.match(text or "")
        if not match or not 1 <= int(match.group(2)) <= 12 or not 2000 <= int(match.group(1)) <= 2100:
            raise ValidationError("Escribe el mes como AAAA-MM (por ejemplo 2026-10).", fields={"month": "inválido"})
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @classmethod
    def previous_to_today(cls) -> Month:
        return cls.of(today_mx()).shift(-1)

    def check_reportable(self) -> Month:
        """Reports exist up to the current month (which is partial); never for future months."""
        if self > Month.of(today_mx()):
            raise ValidationError("Ese mes todavía no empieza: elige un mes anterior.", fields={"month": "futuro"})
        return self

    def is_closed(self, today: date | None = None) -> bool:
        """The month has ended (Mexico City time): its figures can be frozen."""
        return self < Month.of(today or today_mx())

    def check_closed(self) -> Month:
        """Snapshots freeze a month's report for good: only of months that have ended."""
        current = Month.of(today_mx())
        if self > current:
            raise ValidationError("Ese mes todavía no empieza: solo se guarda el informe de un mes ya terminado.",
                                  fields={"month": "futuro"})
        if self == current:
            following = self.shift(1)
            raise ValidationError(
                f"{MESES[self.month - 1].capitalize()} de {self.year} todavía no termina: solo se guarda el "
                f"informe de un mes ya terminado. Podrá guardarse a partir del 1 de "
                f"{MESES[following.month - 1]} de {following.year}.",
                fields={"month": "abierto"})
        return self

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def __str__(self) -> str:
        return self.key

    def shift(self, months: int) -> Month:
        index = self.year * 12 + (self.month - 1) + months
        return Month(index // 12, index % 12 + 1)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return self.shift(1).first_day - timedelta(days=1)

    @property
    def start_utc(self) -> datetime:
        """Local midnight of the 1st, in UTC (timestamps are stored in UTC)."""
        return datetime(self.year, self.month, 1, tzinfo=MX_TZ).astimezone(UTC)

    @property
    def end_utc(self) -> datetime:
        return self.shift(1).start_utc

    @property
    def label(self) -> str:
        return f"{MESES[self.month - 1]} {self.year}"
