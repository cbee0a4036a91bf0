from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from backoffice.commands.coverage import coverage
from core.coverage import get_engine
from core.coverage.catalog import CatalogError, read_manifest, register_catalog

CAUSES_2019 = """numero,nombre,conglomerado
1,Vacunación contra tuberculosis (B.C.G.),Salud pública
2,Diagnóstico y tratamiento de influenza,Medicina general
3,Diagnóstico y tratamiento de colecistitis y colelitiasis,Cirugía general
4,Atención de cesárea y puerperio quirúrgico,Cirugía general
"""


def _write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_load_registers_a_new_edition_that_wins(coverage_instance, tmp_path):
    before = get_engine()
    assert before.ask("cirugía de vesícula").matches[0]["numero"] == 238
    path = _write(tmp_path, "causes2019.csv", CAUSES_2019)
    result = CliRunner().invoke(coverage, ["load", str(path), "--cartera", "CAUSES",
                                           "--edicion", "2019"])
    assert result.exit_code == 0, result.output
    assert "4 intervenciones" in result.output
    assert (coverage_instance / "coverage" / "causes_2019.csv").exists()
    [entry] = read_manifest()
    assert (entry["cartera"], entry["edicion"], entry["intervenciones"]) == ("CAUSES", "2019", 4)

    engine = get_engine()  # rebuilt because the manifest changed
    assert engine is not before
    ans = engine.ask("me van a operar de la vesícula")
    assert ans.cartera == "CAUSES" and ans.matches[0]["numero"] == 3
    assert "intervención 3 del CAUSES 2019" in ans.answer
    # lay synonyms follow the intervention by name into the new numbering
    assert engine.ask("cesaria").matches[0]["numero"] == 4
    # the other portfolios are still the bundled ones
    assert engine.ask("mi niño de 3 años tiene leucemia").cartera == "FPGC"
    assert get_engine() is engine  # cached while nothing changes


def test_older_edition_does_not_replace_the_bundled_one(coverage_instance, tmp_path):
    path = _write(tmp_path, "viejo.csv", CAUSES_2019)
    result = CliRunner().invoke(coverage, ["load", str(path), "--cartera", "causes",
                                           "--edicion", "2012"])
    assert result.exit_code == 0, result.output
    assert "sigue siendo 2016" in result.output
    assert get_engine().ask("cirugía de vesícula").matches[0]["numero"] == 238


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id,titulo\n1,algo\n", "Faltan columnas obligatorias"),
        ("numero,nombre\n", "no tiene ninguna intervención"),
        ("numero,nombre\n1,Algo\n1,Otra cosa\n", "ya aparece"),
        ("numero,nombre\nx,Algo\n", "debe ser un entero"),
        ("numero,nombre\n1,\n", "está vacía"),
        ("", "vacío"),
    ],
)
def test_bad_files_are_refused_in_spanish_and_nothing_is_loaded(coverage_instance, tmp_path,
                                                                text, message):
    path = _write(tmp_path, "malo.csv", text)
    result = CliRunner().invoke(coverage, ["load", str(path), "--cartera", "FPGC",
                                           "--edicion", "2019"])
    assert result.exit_code != 0
    assert "No se cargó el catálogo" in result.output and message in result.output
    assert read_manifest() == []
    assert not (coverage_instance / "coverage" / "fpgc_2019.csv").exists()


def test_non_utf8_file_is_refused(coverage_instance, tmp_path):
    path = _write(tmp_path, "latin.csv", "numero,nombre\n1,Atención del niño\n", "latin-1")
    with pytest.raises(CatalogError, match="UTF-8"):
        register_catalog(path, "CAUSES", "2019")
    assert read_manifest() == []


def test_semicolon_csv_with_bom_is_accepted(coverage_instance, tmp_path):
    path = _write(tmp_path, "excel.csv", "\ufeffNumero;Nombre;Restricciones\n1;Cáncer de pulmón;"
                  "mayores de 18 años\n")
    entry = register_catalog(path, "FPGC", "2019")
    assert entry["intervenciones"] == 1
    ans = get_engine().ask("cáncer de pulmón, tengo 50 años")
    assert ans.cartera == "FPGC" and ans.covered is True


def test_ask_json(coverage_instance):
    result = CliRunner().invoke(coverage, ["ask", "--json", "mi niño de 3 años tiene leucemia"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"cartera", "covered", "edad", "matches", "answer"}
    assert (data["cartera"], data["covered"], data["edad"]) == ("FPGC", True, 3.0)
    assert len(data["matches"]) <= 5


def test_ask_with_edad_option(coverage_instance):
    result = CliRunner().invoke(coverage, ["ask", "--json", "--edad", "40", "leucemia"])
    data = json.loads(result.output)
    assert data["edad"] == 40 and data["covered"] is False


def test_ask_jsonl_one_object_per_line(coverage_instance):
    result = CliRunner().invoke(coverage, ["ask", "--jsonl"],
                                input="vacunas\n\nasdfgh\nme cubren la cesárea?\n")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert len(lines) == 3
    assert lines[1]["covered"] is None and lines[2]["cartera"] == "CAUSES"


def test_ask_plain_text(coverage_instance):
    result = CliRunner().invoke(coverage, ["ask", "cirugía de vesícula"])
    assert result.exit_code == 0
    assert "intervención 238 del CAUSES 2016" in result.output


def test_evaluate_prints_both_accuracies(coverage_instance):
    result = CliRunner().invoke(coverage, ["evaluate", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["preguntas"] >= 150
    assert data["cartera_top1"] >= 0.9 and data["concepto_top3"] >= 0.9
    text = CliRunner().invoke(coverage, ["evaluate"]).output
    assert "Cartera top-1" in text and "Concepto top-3" in text


def test_list_and_search(coverage_instance):
    out = CliRunner().invoke(coverage, ["list", "--cartera", "SMSXXI"]).output
    assert "SMSXXI 2016-2017" in out and "Tamiz metabólico semiampliado" in out
    found = CliRunner().invoke(coverage, ["list", "--buscar", "hernia", "--json"]).output
    rows = [json.loads(line) for line in found.splitlines()]
    assert rows and rows[0]["nombre"].lower().count("hernia")
