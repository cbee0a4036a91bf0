"""Evidence uploads: size and type limits, type by magic bytes, random storage names.

Files live under `settings.instance_dir / "uploads"`; the database keeps the relative
`storage_key`. The name the user gave is kept only for display and for the download's
Content-Disposition; it never becomes part of a path.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from core.errors import ValidationError
from core.files import UPLOAD_DIR, resolve_key, sniff, store_bytes, upload_root  # noqa: F401  (their home)

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


def safe_display_name(name: str | None, default: str = "archivo") -> str:
    """The user's file name without directories or control characters (display only)."""
    name = (name or "").replace("\\", "/").split("/")[-1]
    name = unicodedata.normalize("NFC", name)
    name = re.sub(r"[\x00-\x1f\x7f\"<>:|?*]", "", name).strip().strip(".")
    return (name or default)[:200]


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
    key, sha256 = store_bytes(settings, data, ext)
    return StoredFile(storage_key=key, filename=display, content_type=content_type, size=len(data),
                      sha256=sha256)


def delete_stored(settings, key: str) -> None:
    """Remove a stored file (cleanup when the surrounding transaction failed)."""
    try:
        resolve_key(settings, key).unlink(missing_ok=True)
    except ValueError:
        pass


def uploaded_files(files, name: str) -> list:
    """Non-empty FileStorage objects under a multipart field name."""
    return [f for f in files.getlist(name) if f and f.filename]


def read_bounded(file_storage, settings) -> tuple[str, bytes]:
    """An uploaded file's display name and its bytes, read up to one byte past
    UPLOAD_MAX_BYTES: the importers refuse a larger file without the rest ever being read."""
    return safe_display_name(file_storage.filename), file_storage.stream.read(settings.upload_max_bytes + 1)
