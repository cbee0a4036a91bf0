"""Coverage catalogs: the bundled CSVs plus any edition registered with `sinac coverage load`.

A catalog is one portfolio (cartera) in one edition. Loaded catalogs are plain files copied to
`$SINAC_INSTANCE_DIR/coverage/` and listed in `manifest.json` there; the newest edition of each
cartera wins. No database is involved, so a new year's catalog is a file, not a migration.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from core.config import instance_dir

CARTERAS = ("CAUSES", "FPGC", "SMSXXI")
DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Intervention:
    cartera: str
    edicion: str  # edition of the catalog this row belongs to ("2016", "2016-2017", "2019")
    numero: int | None  # position in the source list; cite only together with the edition
    nombre: str
    grupo: str = ""
    restricciones: str = ""
    cie10: str = ""
    nota: str = ""
    cita_numero: bool = True  # False when the number is not a position in a published list

    @property
    def key(self) -> tuple[str, int | None, str]:
        return (self.cartera, self.numero, self.nombre)

    def to_dict(self) -> dict:
        return {
            "cartera": self.cartera,
            "edicion": self.edicion,
            "numero": self.numero,
            "nombre": self.nombre,
            "grupo": self.grupo,
            "restricciones": self.restricciones,
        }


@dataclass(frozen=True)
class Synonym:
    termino: str
    cartera: str
    numero: int | None
    nombre: str  # name of the target intervention (used to re-target a newer edition)
    nota: str = ""
    kind: str = "termino"  # termino | sintoma | medicamento | estudio (core/coverage/kb.py)


@dataclass
class Catalog:
    cartera: str
    edicion: str
    origen: str  # "incluido" or the path of the loaded file
    interventions: list[Intervention] = field(default_factory=list)


class CatalogError(ValueError):
    """A catalog file that cannot be loaded; the message is Spanish, for the operator."""


# --- reading -------------------------------------------------------------------------------

_YEAR_RE = re.compile(r"^\d{4}(?:-\d{4})?$")


def _int_or_none(value: str) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


def _row_edition(row_edicion: str, catalog_edicion: str) -> str:
    row_edicion = (row_edicion or "").strip()
    # Bundled rows carry their own edition ("2018-2019" for a name only seen later); rows
    # without a clean year (press notes, general knowledge) belong to the catalog's edition.
    return row_edicion if _YEAR_RE.match(row_edicion) else catalog_edicion


def parse_catalog(text: str, cartera: str, edicion: str, origen: str,
                  cita_numero: bool = True,
                  progress: Callable[[int], None] | None = None) -> Catalog:
    """Parse and validate a catalog CSV. Raises CatalogError with a Spanish message."""
    cartera = cartera.upper()
    if cartera not in CARTERAS:
        raise CatalogError(f"Cartera desconocida: {cartera!r}. Usa una de: {', '.join(CARTERAS)}.")
    if not edicion or not re.match(r"^\d{4}", edicion.strip()):
        raise CatalogError(f"Edición inválida: {edicion!r}. Debe empezar con el año, p. ej. 2019.")
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise CatalogError("El archivo está vacío.")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    columns = [(c or "").strip().lower() for c in (reader.fieldnames or [])]
    reader.fieldnames = columns
    missing = [c for c in ("numero", "nombre") if c not in columns]
    if missing:
        raise CatalogError(
            "Faltan columnas obligatorias: " + ", ".join(missing)
            + f". Columnas encontradas: {', '.join(c for c in columns if c) or 'ninguna'}."
            + " Se requieren 'numero' y 'nombre' (opcionales: grupo o conglomerado,"
            + " restricciones, cie10, edicion, nota)."
        )
    catalog = Catalog(cartera=cartera, edicion=edicion.strip(), origen=origen)
    seen: dict[int, int] = {}
    for line_no, row in enumerate(reader, start=2):
        if progress:
            progress(1)
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        nombre = (row.get("nombre") or "").strip()
        if not nombre:
            raise CatalogError(f"Línea {line_no}: la columna 'nombre' está vacía.")
        raw_num = (row.get("numero") or "").strip()
        numero = _int_or_none(raw_num)
        if raw_num and numero is None:
            raise CatalogError(f"Línea {line_no}: 'numero' debe ser un entero, no {raw_num!r}.")
        if numero is not None:
            if numero in seen:
                raise CatalogError(
                    f"Línea {line_no}: el número {numero} ya aparece en la línea {seen[numero]}."
                )
            seen[numero] = line_no
        catalog.interventions.append(Intervention(
            cartera=cartera,
            edicion=_row_edition(row.get("edicion", ""), catalog.edicion),
            numero=numero,
            nombre=nombre,
            grupo=(row.get("grupo") or row.get("conglomerado") or "").strip(),
            restricciones=(row.get("restricciones") or "").strip(),
            cie10=(row.get("cie10") or "").strip(),
            nota=(row.get("nota") or "").strip(),
            cita_numero=cita_numero,
        ))
    if not catalog.interventions:
        raise CatalogError("El archivo no tiene ninguna intervención (solo encabezado).")
    return catalog


def read_text(path: Path) -> str:
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CatalogError(
            f"El archivo {path} no está en UTF-8 (byte inválido en la posición {exc.start})."
            " Guárdalo como CSV UTF-8."
        ) from exc


# Bundled catalogs: file, cartera, catalog edition, whether numbers may be cited.
BUNDLED = (
    ("causes.csv", "CAUSES", "2016", True),
    ("fpgc.csv", "FPGC", "2016-2017", False),  # positions in a de-duplicated file, not official
    ("smsxxi.csv", "SMSXXI", "2016-2017", True),
)


def bundled_catalogs() -> list[Catalog]:
    return [
        parse_catalog(read_text(DATA_DIR / name), cartera, edicion, "incluido", cita)
        for name, cartera, edicion, cita in BUNDLED
    ]


def read_synonyms(path: Path) -> list[Synonym]:
    out = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            termino = (row.get("termino") or "").strip()
            if not termino:
                continue
            out.append(Synonym(
                termino=termino,
                cartera=(row.get("cartera") or "").strip().upper(),
                numero=_int_or_none(row.get("numero", "")),
                nombre=(row.get("nombre_intervencion") or "").strip(),
                nota=(row.get("nota") or "").strip(),
            ))
    return out


def bundled_synonyms() -> list[Synonym]:
    syns = read_synonyms(DATA_DIR / "sinonimos.csv")
    extra = DATA_DIR / "sinonimos_extra.csv"
    if extra.exists():
        syns += read_synonyms(extra)
    return syns


def read_exclusions() -> list[tuple[str, str, bool]]:
    """(termino, etiqueta, firme) of things no portfolio covers (cosmetic surgery, private
    hospitals…). A firm one (a modality, product or place: acupuntura, vitaminas, hospital
    privado) stays excluded whatever condition the question names ("acupuntura para el dolor de
    espalda"); the others give way to a catalogue synonym as specific ("cirugía plástica del labio
    leporino" is covered)."""
    out = []
    with open(DATA_DIR / "no_cubierto.csv", encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            if (row.get("termino") or "").strip():
                out.append((row["termino"].strip(), (row.get("etiqueta") or row["termino"]).strip(),
                            (row.get("firme") or "").strip().lower() in ("si", "sí")))
    return out


# --- loaded catalogs (instance dir + manifest) ---------------------------------------------

def coverage_dir() -> Path:
    return instance_dir() / "coverage"


def manifest_path() -> Path:
    return coverage_dir() / "manifest.json"


def read_manifest() -> list[dict]:
    path = manifest_path()
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CatalogError(f"No se pudo leer {path}: {exc}") from exc
    return list(data.get("catalogos", []))


def manifest_stamp() -> float | None:
    """mtime of the manifest (None when nothing was loaded): the engine cache key."""
    try:
        return manifest_path().stat().st_mtime_ns
    except OSError:
        return None


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def edition_key(edicion: str) -> tuple[int, int, str]:
    years = [int(y) for y in re.findall(r"\d{4}", edicion or "")] or [0]
    return (years[0], years[-1], edicion or "")


def register_catalog(path: Path, cartera: str, edicion: str,
                     progress: Callable[[int], None] | None = None) -> dict:
    """Validate `path`, copy it into the instance dir and record it in the manifest.

    Either everything happens or nothing does: the file is validated completely before the copy,
    and the copy and the manifest are each written atomically (copy first, manifest last).
    """
    path = Path(path)
    if not path.is_file():
        raise CatalogError(f"No existe el archivo {path}.")
    text = read_text(path)
    catalog = parse_catalog(text, cartera, edicion, str(path), progress=progress)
    entries = read_manifest()
    slug = re.sub(r"[^0-9A-Za-z]+", "-", catalog.edicion).strip("-")
    archivo = f"{catalog.cartera.lower()}_{slug}.csv"
    raw = text.encode("utf-8")
    _atomic_write(coverage_dir() / archivo, raw)
    entry = {
        "cartera": catalog.cartera,
        "edicion": catalog.edicion,
        "archivo": archivo,
        "origen": path.name,
        "intervenciones": len(catalog.interventions),
        "sha256": hashlib.sha256(raw).hexdigest(),
        "cargado_en": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    entries = [e for e in entries
               if not (e.get("cartera") == entry["cartera"] and e.get("edicion") == entry["edicion"])]
    entries.append(entry)
    body = json.dumps({"catalogos": entries}, ensure_ascii=False, indent=2).encode("utf-8")
    _atomic_write(manifest_path(), body)
    return entry


def loaded_catalogs() -> list[Catalog]:
    out = []
    for entry in read_manifest():
        path = coverage_dir() / entry["archivo"]
        out.append(parse_catalog(read_text(path), entry["cartera"], entry["edicion"], str(path)))
    return out


def active_catalogs(catalogs: Iterable[Catalog]) -> dict[str, Catalog]:
    """The newest edition of each cartera (a loaded file wins a tie with the bundled one)."""
    best: dict[str, Catalog] = {}
    for cat in catalogs:
        cur = best.get(cat.cartera)
        if cur is None or edition_key(cat.edicion) >= edition_key(cur.edicion):
            best[cat.cartera] = cat
    return best
