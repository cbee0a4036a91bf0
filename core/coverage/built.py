"""The built engine kept on disk, so each new process loads it (~0.15 s) instead of building
both indexes from the catalogues and the knowledge base (2.4 s on a quiet 2-core machine, several
seconds under load): every burst worker, web process and CLI call paid that.

The file's name is a hash of everything the build reads or runs: the bundled data, the loaded
catalogues' manifest, the source of core/coverage and core/text, and the versions of Python and
of the libraries the index uses. Anything else changes nothing; a file that cannot be read is
rebuilt."""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from core.config import instance_dir

log = logging.getLogger(__name__)

_CODE_DIRS = ("coverage", "text")  # under core/
_LIBRARIES = ("bm25s", "rapidfuzz", "snowballstemmer", "Unidecode", "PyYAML", "numpy", "scipy")


def _files(root: Path, pattern: str) -> list[Path]:
    return sorted(p for p in root.rglob(pattern) if p.is_file())


def build_key(data_dir: Path, manifest: Path) -> str:
    h = hashlib.sha256(sys.version.encode())
    core = Path(__file__).resolve().parent.parent
    roots = [(core / d, "*.py") for d in _CODE_DIRS] + [(data_dir, "*")]
    for root, pattern in roots:
        for path in _files(root, pattern):
            h.update(str(path.relative_to(root)).encode())
            h.update(path.read_bytes())
    if manifest.exists():
        h.update(manifest.read_bytes())
    for name in _LIBRARIES:
        try:
            h.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name}=-".encode())
    return h.hexdigest()[:20]


def cache_path(key: str) -> Path:
    return instance_dir() / "cache" / f"coverage-{key}.pkl"


def load_or_build(key: str, build: Callable[[], object], kind: type) -> object:
    path = cache_path(key)
    try:
        with open(path, "rb") as fh:
            obj = pickle.load(fh)
        if isinstance(obj, kind):
            return obj
    except FileNotFoundError:
        pass
    except Exception as exc:  # noqa: BLE001 - corrupt or from another build: build again
        log.warning("cannot load the coverage engine %s (%s); building it", path, exc)
    obj = build()
    _save(obj, path)
    return obj


def _save(obj: object, path: Path) -> None:
    """Atomic (concurrent builders never expose half a file); a read-only disk only costs time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".pkl", dir=path.parent)
    except OSError as exc:
        log.warning("cannot keep the coverage engine in %s (%s)", path.parent, exc)
        return
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
