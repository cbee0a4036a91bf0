"""Where stored files live: the one rule for every file SINAC keeps (evidence uploads, scans,
media downloaded from a message). Files are under `instance_dir/uploads` with random names; the
database keeps the relative `storage_key`, and nothing a user or a sender chose becomes a path."""

from __future__ import annotations

import hashlib
import io
import secrets
import zipfile
from pathlib import Path

from core.timeutil import now

UPLOAD_DIR = "uploads"


def upload_root(settings) -> Path:
    return (Path(settings.instance_dir) / UPLOAD_DIR).resolve()


def resolve_key(settings, key: str) -> Path:
    """The absolute path of a storage key; refuses anything that escapes the upload root."""
    root = upload_root(settings)
    if not key or key.startswith(("/", "\\")) or ".." in Path(key).parts:
        raise ValueError("invalid storage key")
    path = (root / key).resolve()
    if root not in path.parents:
        raise ValueError("invalid storage key")
    return path


def store_bytes(settings, data: bytes, ext: str, *, prefix: str = "") -> tuple[str, str]:
    """Write a new file with a random name; returns (storage_key, sha256)."""
    stamp = now()
    key = f"{prefix}{stamp:%Y}/{stamp:%m}/{secrets.token_hex(16)}.{ext}"
    path = resolve_key(settings, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "xb") as fh:
        fh.write(data)
    return key, hashlib.sha256(data).hexdigest()


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
