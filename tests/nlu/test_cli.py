"""`sinac nlu` commands through click's CliRunner."""

from __future__ import annotations

import json

from click.testing import CliRunner

from backoffice.commands.nlu import nlu


def test_train_uses_cache(instance_env):
    result = CliRunner().invoke(nlu, ["train"])
    assert result.exit_code == 0, result.output
    assert "ya estaba entrenado" in result.output


def test_train_force_quiet_when_piped(instance_env, tmp_path, monkeypatch):
    monkeypatch.setenv("SINAC_INSTANCE_DIR", str(tmp_path))
    result = CliRunner().invoke(nlu, ["train", "--force"])
    assert result.exit_code == 0, result.output
    assert "Modelo entrenado con" in result.output
    assert "nlu train" not in result.output  # no tqdm bar: not a terminal
    assert list((tmp_path / "nlu").glob("embedded-*.pkl"))


def test_parse_one_json_per_line(instance_env):
    stdin = "me cobraron 350 en el centro de salud de zapopan\nhola\n\n🎉🎉\n"
    result = CliRunner().invoke(nlu, ["parse"], input=stdin)
    assert result.exit_code == 0, (result.output, result.exception)
    lines = result.output.splitlines()
    assert len(lines) == 4
    docs = [json.loads(line) for line in lines]
    for d in docs:
        assert set(d) == {"text", "intent", "entities", "intent_ranking"}
    assert docs[0]["intent"]["name"] == "cobro_injustificado"
    assert {"entity": "monto", "value": 350, "start": 12, "end": 15} in docs[0]["entities"]
    assert docs[1]["intent"]["name"] == "saludo"
    assert docs[2]["text"] == "" and docs[2]["intent"]["name"] == "nlu_fallback"
    assert docs[3]["intent"]["name"] == "nlu_fallback"
    assert "zapopan" in lines[0]  # UTF-8 output, not escaped


def test_parse_interpretation_has_secondary_intents(instance_env):
    stdin = "me cobraron 300 por la consulta en el centro de salud. ¿la vacuna de mi bebé la cubren?\n"
    result = CliRunner().invoke(nlu, ["parse", "--interpretation"], input=stdin)
    assert result.exit_code == 0, (result.output, result.exception)
    doc = json.loads(result.output.splitlines()[0])
    assert doc["intent"]["name"] == "cobro_injustificado"
    assert {"name": "consulta_cobertura"} in doc["secondary_intents"]


def test_evaluate_prints_report(instance_env):
    result = CliRunner().invoke(nlu, ["evaluate"])
    assert result.exit_code == 0, result.output
    out = result.output
    for needle in ("precision", "recall", "macro-F1", "entity", "confusion matrix",
                   "cobro_injustificado", "F1:"):
        assert needle in out


def test_evaluate_unseen_file_json(instance_env):
    from pathlib import Path

    unseen = Path(__file__).with_name("unseen.yml")
    result = CliRunner().invoke(nlu, ["evaluate", "--data", str(unseen), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["n_test"] >= 100
    assert set(doc["per_intent"]) >= {"queja", "cobro_injustificado"}
