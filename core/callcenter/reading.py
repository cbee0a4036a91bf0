"""Reading an uploaded CSV or XLSX into numbered rows of named columns: the call center's file,
and any other layout read the same way (the padrón's: core/padron/importer.py)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from core.callcenter.layout import COLUMN_ALIASES, COLUMNS, MAX_ROWS, REQUIRED_COLUMNS, norm_header
from core.errors import DomainError
from core.spreadsheets import unneutralize


class FileRejected(DomainError):
    """The whole file is unusable (type, size, columns); nothing was imported."""

    code = "file_rejected"


def _cell(value) -> str | date | datetime:
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unneutralize(str(value).strip())


def _decode(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise FileRejected("El archivo no es un CSV de texto: guárdalo como CSV o XLSX.")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRejected("No se pudo leer el texto del archivo: guárdalo como CSV UTF-8.")


def _read_csv(data: bytes) -> list[list]:
    text = _decode(data)
    # The delimiter is the candidate most frequent in the header line: column names never
    # contain separators, while descriptions often do (commas in a semicolon file and back).
    header = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(",;\t|", key=header.count) if any(c in header for c in ",;\t|") else ","
    return [[_cell(c) for c in row] for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _read_xlsx(data: bytes, max_rows: int = MAX_ROWS) -> list[list]:
    import zipfile

    from openpyxl import load_workbook

    if not data.startswith(b"PK"):
        raise FileRejected("El archivo no es un XLSX válido.")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise FileRejected("El archivo no es un XLSX válido.") from exc
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append([_cell(c) for c in row])
            if len(rows) > max_rows + 2:
                break
        return rows
    finally:
        workbook.close()


def read_table(data: bytes, filename: str, *, max_bytes: int | None = None,
               max_rows: int = MAX_ROWS, columns: tuple[str, ...] = COLUMNS,
               aliases: dict[str, str] | None = None, required: tuple[str, ...] = REQUIRED_COLUMNS,
               ) -> tuple[dict[str, int], list[tuple[int, dict]], list[str]]:
    """(column -> index, [(row number, {column: value})], ignored headers). Raises FileRejected.
    `columns`, `aliases` and `required` describe another layout read the same way (the padrón's:
    core/padron/importer.py); the call center's by default."""
    aliases = COLUMN_ALIASES if aliases is None else aliases
    known = columns
    name = (filename or "").lower()
    if not data:
        raise FileRejected("El archivo está vacío.")
    if max_bytes is not None and len(data) > max_bytes:
        raise FileRejected(f"El archivo supera el tamaño máximo ({max_bytes // (1024 * 1024)} MB).")
    if name.endswith(".xlsx"):
        rows = _read_xlsx(data, max_rows)
    elif name.endswith((".csv", ".txt")):
        if data.startswith(b"PK"):
            raise FileRejected("El archivo parece un XLSX con extensión .csv: revisa el formato.")
        rows = _read_csv(data)
    else:
        raise FileRejected("Formato no admitido: sube un archivo CSV o XLSX.")
    while rows and not any(str(c).strip() for c in rows[0]):
        rows.pop(0)
    if not rows:
        raise FileRejected("El archivo está vacío.")
    header = rows[0]
    columns: dict[str, int] = {}
    ignored: list[str] = []
    names = [norm_header(raw) for raw in header]
    exact = {name: i for i, name in reversed(list(enumerate(names))) if name in known}
    for i, raw in enumerate(header):
        key = aliases.get(names[i])
        if key and exact.get(key, i) == i and key not in columns:
            columns[key] = i  # a column's own name wins over a variant ("motivo" beside "tipo")
        elif str(raw).strip():
            ignored.append(str(raw).strip())
    missing = [c for c in required if c not in columns]
    if missing:
        raise FileRejected("Faltan columnas obligatorias: " + ", ".join(missing) + ".")
    body = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(str(c).strip() for c in row if c is not None):
            continue  # blank line
        body.append((number, {k: (row[i] if i < len(row) else "") for k, i in columns.items()}))
    if not body:
        raise FileRejected("El archivo no tiene filas de datos.")
    if len(body) > max_rows:
        hint = " o impórtalo con «sinac callcenter import»" if max_rows < MAX_ROWS else ""
        raise FileRejected(f"El archivo tiene más de {max_rows:,} filas: divídelo en varios{hint}.")
    return columns, body, ignored
