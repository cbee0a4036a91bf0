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
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from unidecode import unidecode

from core import audit
from core.actors import Actor
from core.enums import TIPO_LABELS, Canal, Tipo
from core.errors import DomainError, ValidationError
from core.estados import ESTADOS, clave_for
from core.jobs import Job
from core.models import Case, Contact
from core.phones import normalize_phone
from core.spreadsheets import csv_text, unneutralize
from core.text.curp import clean_curp
from core.text.money import monto_in_range
from core.timeutil import today_mx

MAX_ROWS = 10_000  # per file (CLI)
WEB_MAX_ROWS = 500  # per upload: the import runs inside the web request (docs/benchmarks.md)
MAX_TEXT = 10_000
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
REQUIRED_COLUMNS = ("id_llamada", "tipo", "estado", "descripcion")
OPTIONAL_COLUMNS = ("fecha", "telefono", "nombre", "unidad", "monto", "concepto", "fecha_hechos",
                    "curp", "email")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

COLUMN_ALIASES: dict[str, str] = {
    **{c: c for c in COLUMNS},
    "id": "id_llamada", "llamada": "id_llamada", "id_de_llamada": "id_llamada",
    "folio_llamada": "id_llamada", "folio_de_llamada": "id_llamada", "no_llamada": "id_llamada",
    "num_llamada": "id_llamada", "numero_de_llamada": "id_llamada", "numero_llamada": "id_llamada",
    "call_id": "id_llamada", "idllamada": "id_llamada",
    "tipo_de_solicitud": "tipo", "tipo_solicitud": "tipo", "tipo_de_caso": "tipo", "motivo": "tipo",
    "entidad": "estado", "entidad_federativa": "estado", "estado_clave": "estado",
    "descripcion_de_la_llamada": "descripcion", "detalle": "descripcion", "comentarios": "descripcion",
    "observaciones": "descripcion", "asunto": "descripcion", "descripcion_llamada": "descripcion",
    "fecha_llamada": "fecha", "fecha_de_llamada": "fecha", "fecha_de_la_llamada": "fecha",
    "fecha_hora": "fecha",
    "tel": "telefono", "celular": "telefono", "telefono_contacto": "telefono",
    "numero_telefonico": "telefono", "telefono_de_contacto": "telefono", "movil": "telefono",
    "nombre_completo": "nombre", "nombre_del_ciudadano": "nombre", "ciudadano": "nombre",
    "afiliado": "nombre", "nombre_afiliado": "nombre",
    "unidad_medica": "unidad", "unidad_de_salud": "unidad", "hospital": "unidad",
    "importe": "monto", "cantidad": "monto", "monto_cobrado": "monto",
    "concepto_del_cobro": "concepto", "concepto_cobro": "concepto",
    "fecha_de_los_hechos": "fecha_hechos", "fecha_hecho": "fecha_hechos",
    "correo": "email", "correo_electronico": "email", "e_mail": "email", "mail": "email",
}

TIPO_SYNONYMS: dict[str, str] = {
    "queja": Tipo.QUEJA, "quejas": Tipo.QUEJA, "inconformidad": Tipo.QUEJA, "reclamo": Tipo.QUEJA,
    "denuncia": Tipo.QUEJA, "mala atencion": Tipo.QUEJA,
    "cobro": Tipo.COBRO_INJUSTIFICADO, "cobros": Tipo.COBRO_INJUSTIFICADO,
    "cobro indebido": Tipo.COBRO_INJUSTIFICADO, "cobro injustificado": Tipo.COBRO_INJUSTIFICADO,
    "cobros injustificados": Tipo.COBRO_INJUSTIFICADO, "reembolso": Tipo.COBRO_INJUSTIFICADO,
    "solicitud de informacion": Tipo.SOLICITUD_INFORMACION, "informacion": Tipo.SOLICITUD_INFORMACION,
    "solicitud informacion": Tipo.SOLICITUD_INFORMACION, "info": Tipo.SOLICITUD_INFORMACION,
    "orientacion": Tipo.SOLICITUD_INFORMACION, "asesoria": Tipo.SOLICITUD_INFORMACION,
    "solicitud": Tipo.SOLICITUD_INFORMACION,
    "consulta de cobertura": Tipo.CONSULTA_COBERTURA, "cobertura": Tipo.CONSULTA_COBERTURA,
    "consulta cobertura": Tipo.CONSULTA_COBERTURA,
    "sugerencia": Tipo.SUGERENCIA, "sugerencias": Tipo.SUGERENCIA, "propuesta": Tipo.SUGERENCIA,
    "felicitacion": Tipo.FELICITACION, "felicitaciones": Tipo.FELICITACION,
    "reconocimiento": Tipo.FELICITACION, "agradecimiento": Tipo.FELICITACION,
}

ESTADO_ALIASES: dict[str, str] = {
    "df": "09", "d f": "09", "distrito federal": "09", "cdmx": "09", "cd de mexico": "09",
    "cd mexico": "09", "mexico df": "09", "ciudad de mexico": "09",
    "edomex": "15", "edo mex": "15", "edo de mexico": "15", "estado de mexico": "15", "mexico": "15",
    "coahuila": "05", "michoacan": "16", "veracruz": "30", "q roo": "23", "qroo": "23",
    "baja california norte": "02", "bcn": "02", "nuevo leon": "19", "slp": "24",
}


def norm(text) -> str:
    """Lower-case ASCII with single spaces: 'Michoacán de  Ocampo' -> 'michoacan de ocampo'."""
    text = unidecode(str(text or "")).lower()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def _estado_index() -> dict[str, str]:
    index = dict(ESTADO_ALIASES)
    for e in ESTADOS:
        for name in (e.nombre, e.nombre_oficial, e.abreviatura, e.clave):
            index.setdefault(norm(name), e.clave)
    return index


def match_estado(value) -> str | None:
    """INEGI key for a sloppy state name ('jalisco', 'EDOMEX', 'Michoacan', '9'), else None."""
    raw = str(value or "").strip()
    if not raw:
        return None
    exact = clave_for(raw)
    if exact:
        return exact
    if raw.isdigit() and len(raw) == 1:
        return clave_for("0" + raw)
    key = norm(raw)
    index = _estado_index()
    if key in index:
        return index[key]
    if key.startswith("estado de "):
        return index.get(key[len("estado de "):])
    return None


def match_tipo(value) -> str | None:
    key = norm(value)
    if not key:
        return None
    if key.replace(" ", "_") in Tipo.__members__.values():
        return key.replace(" ", "_")
    for tipo, label in TIPO_LABELS.items():
        if norm(label) == key:
            return str(tipo)
    tipo = TIPO_SYNONYMS.get(key)
    return str(tipo) if tipo else None


def norm_header(value) -> str:
    return norm(value).replace(" ", "_")


# -- reading --------------------------------------------------------------------------------------


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


# -- validating -----------------------------------------------------------------------------------


@dataclass
class Row:
    number: int
    id_llamada: str
    raw: dict
    data: dict = field(default_factory=dict)
    fecha_llamada: date | None = None
    errors: list[str] = field(default_factory=list)
    folio: str | None = None
    case_id: int | None = None

    @property
    def reason(self) -> str:
        return " ".join(self.errors)


@dataclass
class ImportReport:
    filename: str
    accepted: list[Row] = field(default_factory=list)
    rejected: list[Row] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    imported: bool = False

    @property
    def total(self) -> int:
        return len(self.accepted) + len(self.rejected)


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


def parse_money(value) -> Decimal | None:
    text = str(value or "").strip().replace("$", "").replace(" ", "").replace("MXN", "")
    if not text:
        return None
    if "," in text and "." not in text and re.fullmatch(r"\d+,\d{1,2}", text):
        text = text.replace(",", ".")  # 350,50
    text = text.replace(",", "")
    try:
        amount = Decimal(text).quantize(Decimal("0.01"))
    except InvalidOperation as exc:
        raise ValueError(value) from exc
    if not monto_in_range(amount):
        raise ValueError(value)
    return amount


def _text(value) -> str:
    return str(value or "").strip() if not isinstance(value, (date, datetime)) else value.isoformat()


def validate_row(number: int, raw: dict, *, today: date) -> Row:
    row = Row(number=number, id_llamada=_text(raw.get("id_llamada")), raw=raw)
    err = row.errors.append
    if not row.id_llamada:
        err("Falta el identificador de la llamada (id_llamada).")
    elif len(row.id_llamada) > 100:
        err("El identificador de la llamada es demasiado largo (máximo 100 caracteres).")

    tipo_raw = _text(raw.get("tipo"))
    tipo = match_tipo(tipo_raw)
    if not tipo_raw:
        err("Falta el tipo de solicitud.")
    elif tipo is None:
        err(f"Tipo de solicitud desconocido: «{tipo_raw}».")

    estado_raw = _text(raw.get("estado"))
    estado = match_estado(estado_raw)
    if not estado_raw:
        err("Falta el estado.")
    elif estado is None:
        err(f"Estado desconocido: «{estado_raw}».")

    descripcion = _text(raw.get("descripcion"))
    if not descripcion:
        err("Falta la descripción.")

    try:
        row.fecha_llamada = parse_date(raw.get("fecha"))
        if row.fecha_llamada and row.fecha_llamada > today:
            err("La fecha de la llamada está en el futuro.")
    except ValueError:
        err(f"Fecha no válida: «{_text(raw.get('fecha'))}» (usa AAAA-MM-DD o DD/MM/AAAA).")

    fecha_hechos = None
    try:
        fecha_hechos = parse_date(raw.get("fecha_hechos"))
        if fecha_hechos and fecha_hechos > today:
            err("La fecha de los hechos está en el futuro.")
    except ValueError:
        err(f"Fecha de los hechos no válida: «{_text(raw.get('fecha_hechos'))}».")

    telefono = None
    tel_raw = _text(raw.get("telefono"))
    if tel_raw:
        try:
            telefono = normalize_phone(tel_raw)
        except ValidationError:
            err(f"Teléfono no válido: «{tel_raw}».")

    monto = None
    monto_raw = _text(raw.get("monto"))
    try:
        monto = parse_money(monto_raw)
    except ValueError:
        err(f"Monto no válido: «{monto_raw}».")
    else:
        if tipo == Tipo.COBRO_INJUSTIFICADO and monto is None:
            err("Falta el monto (obligatorio para cobro injustificado).")

    curp = None
    try:
        curp = clean_curp(_text(raw.get("curp")))
    except ValidationError as exc:
        err(exc.message)

    email = _text(raw.get("email")).lower() or None
    if email and (len(email) > 254 or not EMAIL_RE.match(email)):
        err(f"Correo electrónico no válido: «{email}».")

    row.data = {
        "tipo": tipo,
        "estado_clave": estado,
        "description": descripcion[:MAX_TEXT],
        "contacto_nombre": _text(raw.get("nombre"))[:200] or None,
        "contacto_telefono": telefono,
        "contacto_email": email,
        "unidad": _text(raw.get("unidad"))[:300] or None,
        "fecha_hechos": fecha_hechos,
        "monto": monto,
        "concepto": _text(raw.get("concepto"))[:300] or None,
        "curp": curp,
    }
    return row


def validate_rows(session: Session, body: list[tuple[int, dict]], filename: str = "",
                  *, today: date | None = None) -> ImportReport:
    """Every row checked, duplicates (in the file and already imported) rejected."""
    today = today or today_mx()
    report = ImportReport(filename=filename)
    rows = [validate_row(n, raw, today=today) for n, raw in body]
    seen: dict[str, int] = {}
    for row in rows:
        if not row.id_llamada:
            continue
        if row.id_llamada in seen:
            row.errors.insert(0, f"Llamada repetida en el archivo (ya aparece en la fila {seen[row.id_llamada]}).")
        else:
            seen[row.id_llamada] = row.number
    existing = _already_imported(session, list(seen))
    for row in rows:
        if row.id_llamada in existing and not any(e.startswith("Llamada repetida") for e in row.errors):
            row.errors.insert(0, f"La llamada ya está registrada (folio {existing[row.id_llamada]}).")
        (report.rejected if row.errors else report.accepted).append(row)
    return report


def _already_imported(session: Session, refs: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for start in range(0, len(refs), 500):
        chunk = refs[start:start + 500]
        for ref, folio in session.execute(
            select(Case.external_ref, Case.folio).where(Case.canal == Canal.CALL_CENTER,
                                                        Case.external_ref.in_(chunk))
        ):
            found[ref] = folio
    return found


def rejected_csv(report: ImportReport) -> str:
    """The rejected rows as CSV (the known columns, as uploaded, plus row number and reason), so
    the call center can correct and resend just those. Cells are formula-neutralised (an
    uploaded "=HYPERLINK(...)" stays text); reading the file back drops that apostrophe."""
    rows = [["fila", "motivo", *COLUMNS]]
    rows += [[row.number, row.reason, *(_text(row.raw.get(c)) for c in COLUMNS)] for row in report.rejected]
    return csv_text(rows)


# -- importing ------------------------------------------------------------------------------------


class ImportFailed(DomainError):
    """The database refused the import; it was rolled back entirely."""

    code = "import_failed"


def import_rows(session: Session, actor: Actor, report: ImportReport,
                on_row: Callable[[Row], None] | None = None) -> list[Job]:
    """Register every accepted row (caller commits). On any error: rollback, ImportFailed."""
    from core.services.cases import register_case

    jobs: list[Job] = []
    try:
        phones = {r.data["contacto_telefono"] for r in report.accepted if r.data["contacto_telefono"]}
        contacts = _contacts_by_phone(session, phones)
        for row in report.accepted:
            result = register_case(
                session, actor, canal=Canal.CALL_CENTER, external_ref=row.id_llamada,
                contact=contacts.get(row.data["contacto_telefono"]), route=True, **row.data,
            )
            audit.record(session, actor, "importado_centro_atencion", case=result.case,
                         data={"id_llamada": row.id_llamada, "fila": row.number, "archivo": report.filename,
                               "fecha_llamada": row.fecha_llamada.isoformat() if row.fecha_llamada else None})
            row.folio = result.case.folio
            row.case_id = result.case.id
            jobs += result.jobs
            if on_row is not None:
                on_row(row)
        session.flush()
    except (SQLAlchemyError, DomainError) as exc:
        session.rollback()
        for row in report.accepted:
            row.folio = None
            row.case_id = None
        raise ImportFailed(
            "No se importó ninguna fila: la base de datos rechazó la importación "
            "(¿otra persona importó el mismo archivo al mismo tiempo?). Vuelve a intentarlo."
        ) from exc
    report.imported = True
    return jobs


def _contacts_by_phone(session: Session, phones: set[str]) -> dict[str, Contact]:
    """Existing contacts only: a phone from the call center does not become a bot contact."""
    if not phones:
        return {}
    return {c.phone: c for c in session.scalars(select(Contact).where(Contact.phone.in_(phones)))}


def import_file(session: Session, actor: Actor, data: bytes, filename: str, *,
                max_bytes: int | None = None, max_rows: int = MAX_ROWS,
                on_row: Callable[[Row], None] | None = None,
                today: date | None = None) -> tuple[ImportReport, list[Job]]:
    """Read, validate everything, then import the valid rows. The caller commits, then enqueues."""
    _columns, body, ignored = read_table(data, filename, max_bytes=max_bytes, max_rows=max_rows)
    report = validate_rows(session, body, filename, today=today)
    report.ignored_columns = ignored
    jobs = import_rows(session, actor, report, on_row=on_row) if report.accepted else []
    return report, jobs
