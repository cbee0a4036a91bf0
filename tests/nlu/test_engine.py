"""Embedded engine: output shape, fallback, robustness, caching, get_parser()."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.nlu.data import INTENTS
from bot.nlu.engine import EmbeddedParser, load_model, model_path, train


def assert_shape(result, text):
    assert set(result) == {"text", "intent", "entities", "intent_ranking"}
    assert result["text"] == text.encode("utf-8", "replace").decode("utf-8")  # no lone surrogates
    assert set(result["intent"]) == {"name", "confidence"}
    assert isinstance(result["intent"]["name"], str)
    assert 0.0 <= result["intent"]["confidence"] <= 1.0
    for e in result["entities"]:
        assert {"entity", "value", "start", "end"} <= set(e)
    confs = [r["confidence"] for r in result["intent_ranking"]]
    assert confs == sorted(confs, reverse=True)
    assert all(r["name"] in INTENTS for r in result["intent_ranking"])


def test_brief_example(parser):
    text = "me cobraron 350 en el centro de salud de zapopan"
    r = parser.parse(text)
    assert_shape(r, text)
    assert r["intent"]["name"] == "cobro_injustificado"
    assert r["intent"]["confidence"] >= 0.5
    assert {"entity": "monto", "value": 350, "start": 12, "end": 15} in r["entities"]
    assert ("estado", "Jalisco") in [(e["entity"], e["value"]) for e in r["entities"]]
    assert r["intent_ranking"][0]["name"] == "cobro_injustificado"


@pytest.mark.parametrize(
    "text, intent",
    [
        ("hola buenas tardes", "saludo"),
        ("muchas gracias", "agradecimiento"),
        ("tuve que pagar 800 por el ultrasonido", "cobro_injustificado"),
        ("el seguro popular cubre la diabetes?", "consulta_cobertura"),
        ("que requisitos piden para afiliarse", "solicitud_informacion"),
        ("como va mi folio sinac 2026/123", "estado_tramite"),
        ("quiero hablar con una persona", "hablar_con_persona"),
        ("me dieron de baja del seguro popular, como me vuelvo a afiliar?",
         "solicitud_informacion"),
        ("la doctora me trato horrible y me grito", "queja"),
    ],
)
def test_clear_messages(parser, text, intent):
    assert parser.parse(text)["intent"]["name"] == intent


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "🎉🌮🚗",
        "😀😀😀",
        "x" * 5000,
        ("lorem ipsum dolor " * 300)[:5000],
        "\x00\x01\x02\xff\xfe garbage \udcff \u200b",
        bytes(range(256)).decode("latin-1"),
        "Das Wetter ist heute schön und ich gehe spazieren",
        "I would like to know the weather forecast for London tomorrow",
        "今天天气很好我们去公园吧",
        "Je voudrais réserver une table pour deux personnes ce soir",
    ],
)
def test_odd_inputs_fall_back_without_error(parser, text):
    r = parser.parse(text)
    assert_shape(r, text)
    assert r["intent"]["name"] == "nlu_fallback"


def test_non_str_inputs(parser):
    assert parser.parse(None)["intent"]["name"] == "nlu_fallback"
    assert parser.parse(b"hola")["text"] == "hola"


def test_below_threshold_is_fallback_with_real_candidates(nlu_instance):
    strict = EmbeddedParser(inst_dir=nlu_instance, threshold=0.999)
    r = strict.parse("me cobraron la consulta")
    assert r["intent"]["name"] == "nlu_fallback"
    # the fallback says how sure the best candidate was (never the threshold itself)
    assert r["intent"]["confidence"] == r["intent_ranking"][0]["confidence"] < 0.999
    assert r["intent_ranking"][0]["name"] == "cobro_injustificado"
    lax = EmbeddedParser(inst_dir=nlu_instance, threshold=0.0)
    assert lax.parse("me cobraron la consulta")["intent"]["name"] == "cobro_injustificado"


def test_model_cached_on_disk_and_reused(nlu_instance):
    from bot.nlu.data import default_data_dir

    path = model_path(default_data_dir(), nlu_instance)
    assert path.exists() and path.parent == nlu_instance / "nlu"
    assert load_model(path) is not None
    _model, same_path, trained = train(inst_dir=nlu_instance)
    assert not trained and same_path == path


def test_model_key_follows_the_data(tmp_path):
    import shutil

    from bot.nlu.data import default_data_dir

    data = tmp_path / "data"
    shutil.copytree(default_data_dir(), data)
    first = model_path(data, tmp_path)
    (data / "intents" / "saludo.yml").write_text(
        (data / "intents" / "saludo.yml").read_text(encoding="utf-8") + "    - quihubole\n",
        encoding="utf-8",
    )
    assert model_path(data, tmp_path) != first


def test_train_on_demand_when_missing(tmp_path):
    p = EmbeddedParser(inst_dir=tmp_path)
    assert not (tmp_path / "nlu").exists()
    assert p.parse("hola")["intent"]["name"] == "saludo"
    assert len(list((tmp_path / "nlu").glob("embedded-*.pkl"))) == 1


def test_corrupt_model_file_is_retrained(tmp_path, nlu_instance):
    import shutil

    from bot.nlu.data import default_data_dir

    target = model_path(default_data_dir(), tmp_path)
    target.parent.mkdir(parents=True)
    shutil.copy(model_path(default_data_dir(), nlu_instance), target)
    target.write_bytes(b"not a pickle")
    _model, _, trained = train(inst_dir=tmp_path)
    assert trained and load_model(target) is not None


def test_get_parser_is_cached_and_reads_env(instance_env, monkeypatch):
    from bot.nlu import get_parser

    monkeypatch.setenv("NLU_THRESHOLD", "0.7")
    p = get_parser()
    assert p is get_parser()
    assert p.backend == "embedded" and p.threshold == 0.7
    assert p.parse("muchas gracias")["intent"]["name"] == "agradecimiento"


def test_rasa_backend_selected_from_env(instance_env, monkeypatch):
    from bot.nlu import get_parser

    monkeypatch.setenv("NLU_BACKEND", "rasa")
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("NLU_TIMEOUT_S", "0.5")
    p = get_parser()
    assert p.backend == "rasa" and p.url == "http://127.0.0.1:9" and p.timeout_s == 0.5


def test_import_has_no_side_effects(tmp_path):
    code = (
        "import sys, os; os.chdir(sys.argv[1]); import bot.nlu; "
        "from bot.nlu import get_parser, extract_entities, normalize_folio, normalize_text; "
        "assert 'sklearn' not in sys.modules; assert not os.path.exists('instance'); print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "ok"


def test_progress_bar_quiet_when_not_a_terminal(capsys):
    from bot.nlu.data import load_training_data
    from bot.nlu.engine import fit_model

    examples = load_training_data().examples[:300]
    fit_model(examples, progress=None)  # stderr is captured: not a TTY
    assert "nlu train" not in capsys.readouterr().err
    fit_model(examples, progress=True)
    assert "nlu train" in capsys.readouterr().err
