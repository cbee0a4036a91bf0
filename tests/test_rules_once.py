"""Each rule in one home: no label table written twice.

Scans the application's source (core, bot, backoffice, workers) as syntax trees, so a copy that
is added later, anywhere, fails here."""

from __future__ import annotations

import ast
from collections import defaultdict
from enum import StrEnum
from pathlib import Path

from core import enums, lifecycle

ROOT = Path(__file__).resolve().parents[1]
APP = ("core", "bot", "backoffice", "workers")

# The one table of each kind of label, keyed by the domain's vocabularies. Action has two forms:
# the verb of the refusal sentences and the noun of the history. Texts keyed by the same
# vocabularies (the bot's questions per tipo, demo answers) are sentences, not labels: left out.
LABEL_HOMES = {
    enums.Tipo: {"core/enums.py:TIPO_LABELS"},
    enums.Canal: {"core/enums.py:CANAL_LABELS"},
    # staff's words, and the affiliate's ("turnado al Seguro Popular de tu estado")
    enums.CaseStatus: {"core/enums.py:STATUS_LABELS", "bot/dialogue/replies.py:STATUS_TEXT"},
    enums.VolanteStatus: {"core/enums.py:VOLANTE_STATUS_LABELS"},
    enums.Resultado: {"core/enums.py:RESULTADO_LABELS"},
    enums.MessageStatus: {"core/enums.py:MESSAGE_STATUS_LABELS"},
    enums.Role: {"backoffice/admin.py:ROLE_LABELS"},
    lifecycle.Action: {"core/lifecycle.py:ACTION_LABELS", "core/lifecycle.py:HISTORY_NAMES"},
    lifecycle.CaseEvent: {"core/lifecycle.py:HISTORY_NAMES"},
}


def _sources():
    for package in APP:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(), str(path))


SOURCES = list(_sources())


def _string_dicts():
    """(where, assigned name, {key: value}) of every dict literal whose values are all short text."""
    for where, tree in SOURCES:
        names = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        names[id(node.value)] = target.id
        for node in ast.walk(tree):
            if not isinstance(node, ast.Dict) or len(node.keys) < 2 or None in node.keys:
                continue
            values = [v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
            if len(values) != len(node.values):
                continue
            if any(len(v) > 60 or v.rstrip().endswith((".", "?", "!")) for v in values):
                continue  # sentences, not labels
            keys = [_key(k) for k in node.keys]
            yield f"{where}:{node.lineno}", names.get(id(node)), dict(zip(keys, values, strict=True))


def _key(node: ast.expr) -> str:
    """A key as the enum value it stands for when it names a member (`VS.ABIERTO`), else its text."""
    if isinstance(node, ast.Constant):
        return str(node.value)
    if isinstance(node, ast.Attribute):
        return f"member:{node.attr}"
    return ast.unparse(node)


def _vocabularies(keys: set[str]) -> list[type[StrEnum]]:
    """The domain vocabularies a dict is keyed by: it covers most of each of those enums, and
    most of its keys are their members."""
    keyed_by, rest = [], set(keys)
    for vocabulary in LABEL_HOMES:
        members = {f"member:{m.name}" for m in vocabulary} | {m.value for m in vocabulary}
        hits = keys & members
        if len(hits) >= min(3, len(vocabulary)) and len(hits) >= 0.5 * len(vocabulary):
            keyed_by.append(vocabulary)
            rest -= hits
    return keyed_by if len(rest) <= 0.4 * len(keys) else []


def test_each_vocabulary_has_its_label_tables_in_one_place():
    found = defaultdict(set)
    for where, name, table in _string_dicts():
        for vocabulary in _vocabularies(set(table)):
            found[vocabulary].add(f"{where.rsplit(':', 1)[0]}:{name}")
    strays = {v.__name__: sorted(found[v] - homes) for v, homes in LABEL_HOMES.items() if found[v] - homes}
    assert not strays, f"labels written outside their home: {strays}"
    missing = {v.__name__: sorted(homes - found[v]) for v, homes in LABEL_HOMES.items() if homes - found[v]}
    assert not missing, f"label homes not found (moved? update LABEL_HOMES): {missing}"


def test_no_label_written_twice():
    """The same key given the same capitalised or multi-word text in two files is one label
    written twice (the figure names of the report, the routes of a message, ...)."""
    seen = defaultdict(set)
    for where, _name, table in _string_dicts():
        for key, value in table.items():
            if value[:1].isupper() or " " in value:
                seen[(key, value)].add(where)
    # Colloquial spellings the NLU and the coverage search each normalise: the lead's to unify.
    pending = {"bot/nlu/normalize.py", "core/coverage/text.py"}
    twice = {f"{key}={value!r}": sorted(places) for (key, value), places in seen.items()
             if len({p.rsplit(":", 1)[0] for p in places} - pending) > 1}
    assert not twice, f"labels written twice: {twice}"
