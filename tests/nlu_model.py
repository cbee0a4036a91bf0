"""The embedded NLU model, trained once and kept between test sessions.

Training takes seconds; every session, xdist worker and process started by a test (gunicorn, rq
worker) would otherwise train its own. The cache is keyed on what the bot's own cache key covers
(the data, ENGINE_VERSION, scikit-learn) and also on the source of the code that trains it
(bot/nlu/engine.py and the repository modules it imports), so an engine change that forgot to
bump ENGINE_VERSION still retrains here. One process trains while the others wait on a file lock; fixtures then link the file into
the instance directories that are meant to hold a trained model.

SINAC_TEST_CACHE_DIR moves the cache (default ~/.cache/sinac-tests).
"""

from __future__ import annotations

import ast
import fcntl
import hashlib
import os
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRAINING_ENTRY = "bot.nlu.engine"
KEEP = 4  # cached models kept (other branches, other data)


def cache_dir() -> Path:
    base = os.environ.get("SINAC_TEST_CACHE_DIR") or Path.home() / ".cache" / "sinac-tests"
    return Path(base) / "nlu"


def _module_file(name: str) -> Path | None:
    base = ROOT.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def training_sources(entry: str = TRAINING_ENTRY) -> list[Path]:
    """The repository's modules the trainer imports, followed from `entry` (and each package's
    __init__ on the way): a change in any of them retrains; a change elsewhere (the dialogue,
    interpret.py) does not."""
    seen: dict[str, Path] = {}
    todo = [entry]
    while todo:
        name = todo.pop()
        parts = name.split(".")
        for i in range(1, len(parts) + 1):  # the packages on the way are imported too
            sub = ".".join(parts[:i])
            path = _module_file(sub)
            if path is None or sub in seen:
                continue
            seen[sub] = path
            package = sub if path.name == "__init__.py" else sub.rpartition(".")[0]
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ImportFrom):
                    mod = node.module or ""
                    if node.level:
                        mod = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([mod] if mod else []))
                    todo.append(mod)
                    todo.extend(f"{mod}.{alias.name}" for alias in node.names)
                elif isinstance(node, ast.Import):
                    todo.extend(alias.name for alias in node.names)
    return sorted(seen.values())


def _code_hash() -> str:
    h = hashlib.sha256()
    for path in training_sources():
        h.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:12]


def cached_model() -> Path:
    """The cached model file for the current data and code, trained now if missing."""
    from bot.nlu.data import default_data_dir
    from bot.nlu.engine import load_model, model_key, train

    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{model_key(default_data_dir())}-{_code_hash()}.pkl"
    with (folder / ".lock").open("a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one trainer; the other workers wait for its file
        if path.exists() and load_model(path) is not None:
            os.utime(path)  # recently used: kept by the pruning below
            return path
        scratch = folder / f".train-{os.getpid()}"
        try:
            _model, trained, _ = train(inst_dir=scratch, force=True, progress=False)
            os.replace(trained, path)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        for old in sorted(folder.glob("*.pkl"), key=lambda p: p.stat().st_mtime, reverse=True)[KEEP:]:
            old.unlink(missing_ok=True)
    return path


def seed(inst_dir: Path, model: Path) -> Path:
    """Put the cached model where the bot looks for it in `inst_dir`; returns `inst_dir`.
    A hard link (the bot replaces its model file, never writes into it), else a copy."""
    from bot.nlu.data import default_data_dir
    from bot.nlu.engine import model_path

    target = model_path(default_data_dir(), inst_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(model, target)
    except OSError:
        shutil.copyfile(model, target)
    return inst_dir
