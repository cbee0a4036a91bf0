"""nlu_data is valid Rasa 3 NLU YAML, read strictly, and its annotations are consistent."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from bot.nlu.data import (
    ENTITIES,
    INTENTS,
    NLUDataError,
    data_files,
    default_data_dir,
    load_file,
    load_training_data,
    parse_annotated,
)
from bot.nlu.evaluate import canonical_value, split_examples
from bot.nlu.normalize import normalize_folio, normalize_text
from core.estados import NOMBRES
from core.text.curp import is_valid_curp

BIG_FOUR = ("queja", "cobro_injustificado", "consulta_cobertura", "solicitud_informacion")


@pytest.fixture(scope="module")
def data():
    return load_training_data()


def test_every_file_is_rasa_3_1_nlu_only():
    import yaml

    files = data_files(default_data_dir())
    assert len(files) >= 10
    assert any("intents" in f.parts for f in files) and any("lookups" in f.parts for f in files)
    for f in files:
        doc = yaml.safe_load(f.read_text(encoding="utf-8"))
        assert set(doc) == {"version", "nlu"}, f
        assert doc["version"] == "3.1", f


def test_all_intents_with_enough_examples(data):
    counts = Counter(ex.intent for ex in data.examples)
    assert set(counts) == set(INTENTS)
    for intent in INTENTS:
        assert counts[intent] >= 60, (intent, counts[intent])
    for intent in BIG_FOUR:
        assert counts[intent] >= 150, (intent, counts[intent])


def test_no_message_is_labelled_with_two_intents(data):
    seen: dict[str, str] = {}
    clashes = []
    for ex in data.examples:
        key = normalize_text(ex.text)
        if seen.setdefault(key, ex.intent) != ex.intent:
            clashes.append((ex.text, seen[key], ex.intent))
    assert clashes == []


def test_annotations_are_well_formed_and_normalised(data):
    n = Counter()
    for ex in data.examples:
        for ent in ex.entities:
            n[ent["entity"]] += 1
            assert ent["entity"] in ENTITIES
            assert 0 <= ent["start"] < ent["end"] <= len(ex.text)
            value = ent["value"]
            if ent["entity"] == "estado":
                assert canonical_value("estado", value, data.synonyms) in NOMBRES, ex.text
            elif ent["entity"] == "monto":
                assert isinstance(canonical_value("monto", value), float), ex.text
            elif ent["entity"] == "curp":
                assert is_valid_curp(value), ex.text
            elif ent["entity"] == "folio":
                written = ex.text[ent["start"] : ent["end"]]
                assert value == (normalize_folio(written) or written), ex.text
    assert all(n[e] >= 3 for e in ENTITIES), n


def test_every_lookup_entry_maps_to_an_official_estado(data):
    from bot.nlu.entities import build_gazetteer

    gaz = build_gazetteer(data.lookups, data.synonyms)
    assert set(gaz.values.values()) == set(NOMBRES)  # all 32 reachable
    assert len(data.lookups["ciudad"]) >= 100


def test_regex_features_match_canonical_forms(data):
    folio = [re.compile(p) for p in data.regexes["folio"]]
    assert any(r.search("mi folio SINAC-2026-000123") for r in folio)
    assert any(r.search("sinac 2026/123") for r in folio)
    curp = [re.compile(p) for p in data.regexes["curp"]]
    assert any(r.search("curp GOMR850312MJCNRS02") for r in curp)
    monto = [re.compile(p) for p in data.regexes["monto"]]
    assert any(r.search("me cobraron $1,200.50") for r in monto)
    assert any(r.search("fueron 350 pesos") for r in monto)


def test_split_is_deterministic_stratified_and_disjoint(data):
    train1, test1 = split_examples(data.examples)
    _train2, test2 = split_examples(data.examples)
    assert [e.text for e in test1] == [e.text for e in test2]
    train_keys = {normalize_text(e.text) for e in train1}
    assert not any(normalize_text(e.text) in train_keys for e in test1)
    counts = Counter(e.intent for e in test1)
    assert set(counts) == set(INTENTS)
    total = Counter(e.intent for e in train1 + test1)
    for intent in INTENTS:
        assert abs(counts[intent] / total[intent] - 0.2) < 0.05


# --- the strict reader rejects what Rasa would not accept -----------------------------------


def _write(tmp_path, text):
    p = tmp_path / "x.yml"
    p.write_text(text, encoding="utf-8")
    return p


GOOD = 'version: "3.1"\nnlu:\n- intent: saludo\n  examples: |\n    - hola\n'


def test_strict_reader_accepts_minimal_file(tmp_path):
    data = load_file(_write(tmp_path, GOOD))
    assert [(e.text, e.intent) for e in data.examples] == [("hola", "saludo")]


@pytest.mark.parametrize(
    "text, message",
    [
        (GOOD.replace('"3.1"', '"2.0"'), "version"),
        (GOOD.replace("version: \"3.1\"", "version: 3.1"), "version"),
        (GOOD + "stories: []\n", "unknown top-level"),
        (GOOD.replace("  examples", "  ejemplos"), "unknown keys"),
        (GOOD + "  extra: 1\n", "unknown keys"),
        (GOOD.replace("saludo", "greet"), "unknown intent"),
        (GOOD.replace("- hola", "- me cobraron [350](dinero)"), "unknown entity"),
        (GOOD.replace("- hola", "- me cobraron [350](monto:350)"), "deprecated"),
        (GOOD.replace("- hola", "- me cobraron [350 pesos"), "malformed"),
        (GOOD.replace("- hola", '- pague [350]{"entity": "monto", "tipo": 1}'), "annotation keys"),
        (GOOD.replace("- hola", '- pague [350]{"entity": monto}'), "JSON"),
        (GOOD.replace("- hola", "hola"), "must start with"),
        (GOOD + "- intent: saludo\n  intent: despedida\n  examples: |\n    - hi\n", "duplicate"),
        ('version: "3.1"\nnlu:\n- regex: folio\n  examples: |\n    - ([a-\n', "bad regex"),
        ('version: "3.1"\nnlu: []\n', "non-empty"),
    ],
)
def test_strict_reader_rejects(tmp_path, text, message):
    with pytest.raises(NLUDataError, match=message):
        load_file(_write(tmp_path, text))


def test_parse_annotated_offsets():
    text, ents = parse_annotated(
        'me cobraron [mil]{"entity": "monto", "value": "1000"} en [cdmx](estado)'
    )
    assert text == "me cobraron mil en cdmx"
    assert ents[0] == {"entity": "monto", "value": "1000", "start": 12, "end": 15}
    assert ents[1] == {"entity": "estado", "value": "cdmx", "start": 19, "end": 23}
