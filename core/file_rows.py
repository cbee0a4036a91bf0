"""The rules every row of an imported file follows — the call center's daily file
(core.callcenter) and the state padrón extract (core.padron) — written once: how a cell reads as
text or as a date, what a valid estado, phone, CURP or date is and the words that say what is
wrong, a value repeated in the file, and the rejected rows handed back as a file to correct.

Each importer keeps only its own columns and rules; a row is checked whole (every problem
listed, in the order of its columns) and nothing of a rejected row is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from core.errors import ValidationError
from core.estados import match_estado
from core.phones import normalize_phone
from core.spreadsheets import csv_text
from core.text.curp import clean_curp

NOMBRE_MAX = 200  # a person's name as kept from a file (longer text is cut)
DATE_HINT = "usa AAAA-MM-DD o DD/MM/AAAA"
_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S",
                 "%d/%m/%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d-%m-%Y", "%d-%m-%Y %H:%M",
                 "%d/%m/%y")


def parse_date(value) -> date | None:
    """A date from an XLSX cell or text; None when empty; ValueError when not a date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    if not text:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def cell_text(value) -> str:
    """A cell as trimmed text (dates in ISO form)."""
    return str(value or "").strip() if not isinstance(value, (date, datetime)) else value.isoformat()


@dataclass
class CheckedRow:
    """One row of a file: its number (as the spreadsheet shows it), the cells as read, the values
    its importer keeps, and what is wrong with it."""

    number: int
    raw: dict
    data: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def reason(self) -> str:
        return " ".join(self.errors)


@dataclass
class FileReport:
    """A whole file checked: the rows that pass, those that do not, the columns nobody reads."""

    filename: str
    accepted: list = field(default_factory=list)
    rejected: list = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.accepted) + len(self.rejected)


class RowChecks:
    """The shared checks of one row's cells; each appends what is wrong to `errors` and returns
    the clean value (None when empty or wrong)."""

    def __init__(self, raw: dict, errors: list[str]):
        self.raw, self.errors = raw, errors

    def text(self, column: str) -> str:
        return cell_text(self.raw.get(column))

    def required(self, column: str, missing: str) -> str:
        value = self.text(column)
        if not value:
            self.errors.append(missing)
        return value

    def nombre(self, column: str = "nombre", *, missing: str | None = None) -> str:
        value = self.text(column)[:NOMBRE_MAX]
        if not value and missing:
            self.errors.append(missing)
        return value

    def estado(self, column: str = "estado") -> str | None:
        """Required: the INEGI key of a sloppy estado name, abbreviation or key."""
        value = self.text(column)
        clave = match_estado(value)
        if not value:
            self.errors.append("Falta el estado.")
        elif clave is None:
            self.errors.append(f"Estado desconocido: «{value}».")
        return clave

    def phone(self, column: str = "telefono") -> str | None:
        """Optional: a phone in E.164."""
        value = self.text(column)
        if not value:
            return None
        try:
            return normalize_phone(value)
        except ValidationError:
            self.errors.append(f"Teléfono no válido: «{value}».")
            return None

    def curp(self, column: str = "curp", *, missing: str | None = None) -> str | None:
        """A CURP (format and check digit); required when `missing` says what to answer."""
        try:
            value = clean_curp(self.text(column))
        except ValidationError as exc:
            self.errors.append(exc.message)
            return None
        if value is None and missing:
            self.errors.append(missing)
        return value

    def date(self, column: str, label: str, *, missing: str | None = None, not_after: date | None = None,
             future: str = "") -> date | None:
        """A date in one of the accepted forms (`label` names it in the answer); required when
        `missing` is given; a date after `not_after` is answered with `future` (and kept)."""
        try:
            value = parse_date(self.raw.get(column))
        except ValueError:
            self.errors.append(f"{label} no válida: «{self.text(column)}» ({DATE_HINT}).")
            return None
        if value is None and missing:
            self.errors.append(missing)
        elif value is not None and not_after is not None and value > not_after:
            self.errors.append(future)
        return value


def mark_repeated(rows: Iterable[CheckedRow], key: Callable[[CheckedRow], str | None], what: str) -> dict[str, int]:
    """A value a row shares with an earlier row of the file is refused first ("… repetida en el
    archivo"); returns each value's first row."""
    seen: dict[str, int] = {}
    for row in rows:
        value = key(row)
        if not value:
            continue
        if value in seen:
            row.errors.insert(0, f"{what} repetida en el archivo (ya aparece en la fila {seen[value]}).")
        else:
            seen[value] = row.number
    return seen


def rejected_csv(rows: Iterable[CheckedRow], columns: Sequence[str]) -> str:
    """The rejected rows as CSV (the known columns, as uploaded, plus row number and reason), so
    the sender can correct and send just those. Cells are formula-neutralised (an uploaded
    "=HYPERLINK(...)" stays text); reading the file back drops that apostrophe."""
    table = [["fila", "motivo", *columns]]
    table += [[row.number, row.reason, *(cell_text(row.raw.get(c)) for c in columns)] for row in rows]
    return csv_text(table)
