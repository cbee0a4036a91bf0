"""The external call center's daily file: read, validate every row, then import in one go.

Layout (documented for the call center in docs/callcenter.md): a CSV (UTF-8 or Windows-1252;
comma, semicolon, tab or pipe separated) or an XLSX (first sheet) whose first row names the
columns. Header names are matched without regard to case, accents, spaces or hyphens, and a
few usual variants are accepted (see COLUMN_ALIASES).

    id_llamada   required  the call center's unique id of the call (de-duplication key)
    tipo         required  queja, cobro injustificado, solicitud de información, consulta de
                           cobertura, sugerencia, felicitación (and synonyms, TIPO_SYNONYMS)
    estado       required  name, abbreviation or INEGI key of the entidad federativa
    descripcion  required  what the caller reported
    fecha        optional  date of the call (AAAA-MM-DD, DD/MM/AAAA, with or without time)
    telefono     optional  caller's phone (normalised to E.164)
    nombre       optional  caller's name
    unidad       optional  health unit involved
    monto        optional  amount charged; REQUIRED for cobro injustificado
    concepto     optional  what was charged
    fecha_hechos optional  when it happened
    curp         optional  CURP (format and check digit validated)
    email        optional  caller's e-mail

Nothing is half-imported: `import_file` validates every row first; only then registers the
valid rows, all in the caller's single transaction. Any database error rolls everything back.

The package: layout.py (columns, aliases, limits, tipo and estado matching), reading.py (CSV/XLSX
to rows), validation.py (every row checked, the rejected rows as CSV), importing.py (the accepted
rows registered as cases); the rules any imported file's rows share (dates, estado, phone, CURP)
are core.file_rows'. The names below are what the back office, the CLI and the tests use.
"""

from core.callcenter.importing import ImportFailed, import_file, import_rows
from core.callcenter.layout import (
    COLUMNS,
    MAX_ROWS,
    REQUIRED_COLUMNS,
    WEB_MAX_ROWS,
    match_estado,
    match_tipo,
)
from core.callcenter.reading import FileRejected, read_table
from core.callcenter.validation import ImportReport, Row, rejected_csv, validate_rows
from core.file_rows import cell_text, parse_date

__all__ = [
    "COLUMNS", "MAX_ROWS", "REQUIRED_COLUMNS", "WEB_MAX_ROWS", "FileRejected", "ImportFailed", "ImportReport",
    "Row", "cell_text", "import_file", "import_rows", "match_estado", "match_tipo", "parse_date",
    "read_table", "rejected_csv", "validate_rows",
]
