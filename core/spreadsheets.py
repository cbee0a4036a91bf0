"""Every CSV and XLSX the application writes goes through here, so no cell can run as a
formula when someone opens the file in a spreadsheet (CSV/formula injection).

Text that starts with = + - @, a tab, a carriage return or a line feed is prefixed with an
apostrophe: the spreadsheet shows it as text. Numbers, dates and empty cells are written as
they are. Files that come back (the call center's corrected rows) lose that apostrophe again
on reading (`unneutralize`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralize(value):
    """Spreadsheet formula injection: text starting with = + - @ (or tab/CR/LF) becomes literal."""
    if isinstance(value, str) and value.startswith(DANGEROUS):
        return "'" + value
    return value


def unneutralize(value):
    """The inverse, for files we wrote and get back: "'=x" is read as "=x"."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(DANGEROUS):
        return value[1:]
    return value


def safe_row(values: Iterable) -> list:
    return [neutralize(v) for v in values]


def csv_text(rows: Iterable[Iterable]) -> str:
    """Rows as CSV text (comma-separated, minimal quoting), every cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow(safe_row(row))
    return out.getvalue()


def workbook(*, write_only: bool = False):
    """A new openpyxl workbook; fill its sheets with `append`."""
    from openpyxl import Workbook

    return Workbook(write_only=write_only)


def append(sheet, values: Iterable) -> None:
    """One neutralised row at the end of an openpyxl sheet."""
    sheet.append(safe_row(values))


def xlsx_bytes(book) -> bytes:
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
