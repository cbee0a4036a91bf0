"""Evidence uploads: size and type limits, type by magic bytes, random storage names.

Files live under `settings.instance_dir / "uploads"`; the database keeps the relative
`storage_key`. The name the user gave is kept only for display and for the download's
Content-Disposition; it never becomes part of a path.
"""

from __future__ import annotations

import hashlib
import io
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from core.errors import ValidationError
from core.timeutil import now

UPLOAD_DIR = "uploads"

# kind -> (content type, extension)
KINDS: dict[str, tuple[str, str]] = {
    "pdf": ("application/pdf", "pdf"),
    "jpeg": ("image/jpeg", "jpg"),
    "png": ("image/png", "png"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}
EVIDENCE_KINDS = frozenset(KINDS)
ALLOWED_LABEL = "PDF, JPG, PNG, DOCX o XLSX"


@dataclass(frozen=True)
class StoredFile:
    storage_key: str
    filename: str
    content_type: str
    size: int
    sha256: str


def sniff(head: bytes, data: bytes | None = None) -> str | None:
    """The kind of file by its first bytes (and, for ZIP-based Office files, its entries)."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"PK\x03\x04") and data is not None:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = zf.namelist()
        except (zipfile.BadZipFile, ValueError):
            return None
        if "[Content_Types].xml" not in names:
            return None
        if any(n.startswith("word/") for n in names):
            return "docx"
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
    return None


def safe_display_name(name: str | None, default: str = "archivo") -> str:
    """The user's file name without directories or control characters (display only)."""
    name = (name or "").replace("\\", "/").split("/")[-1]
    name = unicodedata.normalize("NFC", name)
    name = re.sub(r"[\x00-\x1f\x7f\"<>:|?*]", "", name).strip().strip(".")
    return (name or default)[:200]


def upload_root(settings) -> Path:
    return (Path(settings.instance_dir) / UPLOAD_DIR).resolve()


def store_upload(file_storage, settings, *, allowed: frozenset[str] = EVIDENCE_KINDS,
                 max_bytes: int | None = None) -> StoredFile:
    """Validate and store one werkzeug FileStorage; ValidationError (Spanish) when refused."""
    max_bytes = max_bytes or settings.upload_max_bytes
    display = safe_display_name(getattr(file_storage, "filename", None))
    stream = file_storage.stream
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        mb = max_bytes / (1024 * 1024)
        raise ValidationError(f"«{display}» supera el tamaño máximo de {mb:.0f} MB.",
                              fields={"evidencia": "tamaño"})
    if not data:
        raise ValidationError(f"«{display}» está vacío.", fields={"evidencia": "vacío"})
    kind = sniff(data[:16], data)
    if kind is None or kind not in allowed:
        raise ValidationError(
            f"«{display}» no es un tipo de archivo permitido ({ALLOWED_LABEL}).",
            fields={"evidencia": "tipo"},
        )
    content_type, ext = KINDS[kind]
    stamp = now()
    key = f"{stamp:%Y}/{stamp:%m}/{secrets.token_hex(16)}.{ext}"
    path = resolve_key(settings, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "xb") as fh:
        fh.write(data)
    return StoredFile(storage_key=key, filename=display, content_type=content_type, size=len(data),
                      sha256=hashlib.sha256(data).hexdigest())


def resolve_key(settings, key: str) -> Path:
    """The absolute path of a storage key; refuses anything that escapes the upload root."""
    root = upload_root(settings)
    if not key or key.startswith(("/", "\\")) or ".." in Path(key).parts:
        raise ValueError("invalid storage key")
    path = (root / key).resolve()
    if root not in path.parents:
        raise ValueError("invalid storage key")
    return path


def delete_stored(settings, key: str) -> None:
    """Remove a stored file (cleanup when the surrounding transaction failed)."""
    try:
        resolve_key(settings, key).unlink(missing_ok=True)
    except ValueError:
        pass


def uploaded_files(files, name: str) -> list:
    """Non-empty FileStorage objects under a multipart field name."""
    return [f for f in files.getlist(name) if f and f.filename]
