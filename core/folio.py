"""Folio SINAC-YYYY-NNNNNN: a per-year counter incremented atomically in the database.

The upsert takes a row lock on PostgreSQL (and the write lock on SQLite) until the caller
commits, so two processes registering at once never get the same number.
"""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.errors import DomainError

FOLIO_RE = re.compile(r"^SINAC-(\d{4})-(\d{6})$")
MAX_SEQUENCE = 999_999

_UPSERT = text(
    "INSERT INTO folio_counters (year, last) VALUES (:year, 1) "
    "ON CONFLICT (year) DO UPDATE SET last = folio_counters.last + 1 RETURNING last"
)


def format_folio(year: int, sequence: int) -> str:
    return f"SINAC-{year:04d}-{sequence:06d}"


def next_folio(session: Session, year: int) -> str:
    sequence = session.execute(_UPSERT, {"year": year}).scalar_one()
    if sequence > MAX_SEQUENCE:
        raise DomainError(f"Se agotaron los folios del año {year}.")
    return format_folio(year, sequence)


def is_folio(value: str) -> bool:
    return bool(FOLIO_RE.match(value or ""))
