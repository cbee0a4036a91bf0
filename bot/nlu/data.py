"""Strict reader for Rasa 3 NLU training data (YAML, version "3.1").

Only the NLU part of the Rasa format is accepted: top-level keys `version` and `nlu`; items
`intent` (+ `examples`, optional `metadata`), `synonym`, `regex`, `lookup` (+ `examples`).
Anything else (unknown keys, duplicate keys, malformed entity annotations, unknown intent or
entity names) raises `NLUDataError` with the file and the offending item.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

RASA_VERSION = "3.1"

INTENTS: tuple[str, ...] = (
    "saludo",
    "despedida",
    "agradecimiento",
    "queja",
    "cobro_injustificado",
    "solicitud_informacion",
    "consulta_cobertura",
    "sugerencia",
    "felicitacion",
    "estado_tramite",
    "hablar_con_persona",
    "afirmar",
    "negar",
    "fuera_de_alcance",
)
ENTITIES: tuple[str, ...] = ("estado", "folio", "monto", "curp", "fecha", "unidad")
FALLBACK_INTENT = "nlu_fallback"

_TOP_KEYS = {"version", "nlu"}
_ITEM_KEYS = {
    "intent": {"intent", "examples", "metadata"},
    "synonym": {"synonym", "examples"},
    "regex": {"regex", "examples"},
    "lookup": {"lookup", "examples"},
}
_ANNOTATION_KEYS = {"entity", "value", "role", "group"}

# [text](entity) or [text]{"entity": "...", "value": "..."}
_ANNOTATION_RE = re.compile(r"\[(?P<text>[^\[\]]+)\](?:\((?P<name>[^()]*)\)|(?P<json>\{[^{}]*\}))")
_NAME_RE = re.compile(r"^[a-z_][a-z0-9_]*$")


class NLUDataError(ValueError):
    """The training data is not valid Rasa 3 NLU YAML (or uses unknown names)."""


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    entities: tuple[dict, ...] = ()
    source: str = ""


@dataclass
class TrainingData:
    examples: list[Example] = field(default_factory=list)
    synonyms: dict[str, str] = field(default_factory=dict)  # lowercased text -> value
    regexes: dict[str, list[str]] = field(default_factory=dict)
    lookups: dict[str, list[str]] = field(default_factory=dict)

    def by_intent(self) -> dict[str, list[Example]]:
        out: dict[str, list[Example]] = {}
        for ex in self.examples:
            out.setdefault(ex.intent, []).append(ex)
        return out


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys."""


def _construct_mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise NLUDataError(f"duplicate key {key!r} at line {key_node.start_mark.line + 1}")
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def default_data_dir() -> Path:
    """NLU_DATA_DIR, else the repository's nlu_data/ (next to the bot package)."""
    return _data_dir_for(os.environ.get("NLU_DATA_DIR") or "")


@functools.lru_cache(maxsize=8)
def _data_dir_for(env: str) -> Path:
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "nlu_data"


def data_files(path: Path | str) -> list[Path]:
    path = Path(path)
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise NLUDataError(f"no NLU data at {path}")
    files = sorted(p for p in path.rglob("*") if p.suffix in (".yml", ".yaml") and p.is_file())
    if not files:
        raise NLUDataError(f"no .yml files under {path}")
    return files


def data_hash(path: Path | str) -> str:
    """Stable hash of the data files (relative names and bytes)."""
    path = Path(path)
    h = hashlib.sha256()
    base = path if path.is_dir() else path.parent
    for f in data_files(path):
        h.update(str(f.relative_to(base)).encode())
        h.update(b"\0")
        h.update(f.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def parse_annotated(line: str, where: str = "") -> tuple[str, tuple[dict, ...]]:
    """'me cobraron [350](monto)' -> ('me cobraron 350', ({entity, value, start, end},)).

    `value` is the annotated value when given ({"value": ...}), else the text itself.
    """
    plain: list[str] = []
    entities: list[dict] = []
    pos = 0
    length = 0
    for m in _ANNOTATION_RE.finditer(line):
        before = line[pos : m.start()]
        plain.append(before)
        length += len(before)
        text = m.group("text")
        if m.group("json") is not None:
            try:
                spec = json.loads(m.group("json"))
            except json.JSONDecodeError as exc:
                raise NLUDataError(f"{where}: bad entity JSON in {line!r}: {exc}") from None
            if not isinstance(spec, dict) or "entity" not in spec:
                raise NLUDataError(f"{where}: entity JSON needs 'entity' in {line!r}")
            extra = set(spec) - _ANNOTATION_KEYS
            if extra:
                raise NLUDataError(f"{where}: unknown annotation keys {sorted(extra)} in {line!r}")
            name = spec["entity"]
            value = spec.get("value", text)
        else:
            name = m.group("name")
            if ":" in name:
                raise NLUDataError(f"{where}: deprecated '(entity:value)' syntax in {line!r}")
            value = text
        if not isinstance(name, str) or not _NAME_RE.match(name):
            raise NLUDataError(f"{where}: bad entity name {name!r} in {line!r}")
        if name not in ENTITIES:
            raise NLUDataError(f"{where}: unknown entity {name!r} in {line!r}")
        if text != text.strip() or not text.strip():
            raise NLUDataError(f"{where}: entity text has outer spaces in {line!r}")
        entities.append(
            {"entity": name, "value": value, "start": length, "end": length + len(text)}
        )
        plain.append(text)
        length += len(text)
        pos = m.end()
    plain.append(line[pos:])
    out = "".join(plain)
    if "[" in out or "]" in out:
        raise NLUDataError(f"{where}: unbalanced or malformed annotation in {line!r}")
    return out, tuple(entities)


def _example_lines(block, where: str) -> list[str]:
    if not isinstance(block, str):
        raise NLUDataError(f"{where}: 'examples' must be a block string of '- ' lines")
    lines = []
    for raw in block.splitlines():
        if not raw.strip():
            continue
        if not raw.startswith("- "):
            raise NLUDataError(f"{where}: example line must start with '- ': {raw!r}")
        text = raw[2:].strip()
        if not text:
            raise NLUDataError(f"{where}: empty example")
        lines.append(text)
    if not lines:
        raise NLUDataError(f"{where}: no examples")
    return lines


def load_file(path: Path | str, into: TrainingData | None = None) -> TrainingData:
    path = Path(path)
    data = into if into is not None else TrainingData()
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)
    except yaml.YAMLError as exc:
        raise NLUDataError(f"{path}: invalid YAML: {exc}") from None
    if not isinstance(doc, dict):
        raise NLUDataError(f"{path}: top level must be a mapping")
    unknown = set(doc) - _TOP_KEYS
    if unknown:
        raise NLUDataError(f"{path}: unknown top-level keys {sorted(unknown)}")
    if doc.get("version") != RASA_VERSION:
        raise NLUDataError(f"{path}: version must be the string {RASA_VERSION!r}")
    items = doc.get("nlu")
    if not isinstance(items, list) or not items:
        raise NLUDataError(f"{path}: 'nlu' must be a non-empty list")
    for i, item in enumerate(items):
        where = f"{path.name} item {i}"
        if not isinstance(item, dict):
            raise NLUDataError(f"{where}: must be a mapping")
        kinds = [k for k in _ITEM_KEYS if k in item]
        if len(kinds) != 1:
            raise NLUDataError(f"{where}: needs exactly one of {sorted(_ITEM_KEYS)}")
        kind = kinds[0]
        extra = set(item) - _ITEM_KEYS[kind]
        if extra:
            raise NLUDataError(f"{where}: unknown keys {sorted(extra)} for {kind}")
        name = item[kind]
        if not isinstance(name, str) or not name.strip():
            raise NLUDataError(f"{where}: {kind} name must be a non-empty string")
        if "examples" not in item:
            raise NLUDataError(f"{where}: missing 'examples'")
        lines = _example_lines(item["examples"], f"{where} ({kind}: {name})")
        if kind == "intent":
            if name not in INTENTS:
                raise NLUDataError(f"{where}: unknown intent {name!r}")
            if "metadata" in item and not isinstance(item["metadata"], dict):
                raise NLUDataError(f"{where}: metadata must be a mapping")
            for line in lines:
                text, ents = parse_annotated(line, where)
                data.examples.append(Example(text, name, ents, path.name))
        elif kind == "synonym":
            for line in lines:
                key = line.lower()
                if data.synonyms.get(key, name) != name:
                    raise NLUDataError(f"{where}: {line!r} is a synonym of two values")
                data.synonyms[key] = name
        elif kind == "regex":
            for line in lines:
                try:
                    re.compile(line)
                except re.error as exc:
                    raise NLUDataError(f"{where}: bad regex {line!r}: {exc}") from None
            data.regexes.setdefault(name, []).extend(lines)
        else:
            data.lookups.setdefault(name, []).extend(lines)
    return data


def load_training_data(path: Path | str | None = None) -> TrainingData:
    """Load every .yml under `path` (a directory or one file; default: default_data_dir())."""
    path = Path(path) if path is not None else default_data_dir()
    data = TrainingData()
    for f in data_files(path):
        load_file(f, data)
    return data
