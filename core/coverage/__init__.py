"""Coverage answers from CAUSES, FPGC and SMSXXI (issue 4).

    from core.coverage import get_engine
    ans = get_engine().ask("mi niño de 3 años tiene leucemia, lo cubren?")
    ans.cartera, ans.covered, ans.edad, ans.matches, ans.answer, ans.clarify, ans.topic

Nothing is loaded at import time. `get_engine()` builds the engine on first use from the bundled
catalogs plus any registered with `sinac coverage load`, and rebuilds it when that manifest
changes, so a running worker picks up a new edition without a restart.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.coverage.engine import CoverageAnswer, CoverageEngine

__all__ = ["CoverageAnswer", "CoverageEngine", "get_engine", "reset_engine"]

_lock = threading.Lock()
_cache: dict[str, object] = {}


def get_engine() -> CoverageEngine:
    """The process-wide engine (built lazily; rebuilt when a catalog is loaded)."""
    from core.coverage import catalog
    from core.coverage.built import build_key, load_or_build
    from core.coverage.engine import CoverageEngine

    key = (str(catalog.manifest_path().resolve()), catalog.manifest_stamp())
    with _lock:
        if _cache.get("key") != key or "engine" not in _cache:
            built = build_key(catalog.DATA_DIR, catalog.manifest_path())
            _cache["engine"] = load_or_build(built, CoverageEngine.from_files, CoverageEngine)
            _cache["key"] = key
        return _cache["engine"]  # type: ignore[return-value]


def reset_engine() -> None:
    with _lock:
        _cache.clear()


def __getattr__(name: str):
    if name in ("CoverageAnswer", "CoverageEngine"):
        from core.coverage import engine

        return getattr(engine, name)
    raise AttributeError(name)
