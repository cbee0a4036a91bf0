from __future__ import annotations

import pytest

from core.coverage.age import age_hint, extract_age
from core.coverage.text import stem, tokens


@pytest.mark.parametrize(
    ("text", "edad"),
    [
        ("mi bebé de 8 meses tiene diarrea", 0.67),
        ("tengo 64 años", 64),
        ("mi hijo de 3", 3),
        ("mi hijo de 3 tiene fiebre", 3),
        ("mi niño de 3 años tiene leucemia, lo cubren?", 3),
        ("un año y medio", 1.5),
        ("mi niño tiene dos años y medio", 2.5),
        ("mi hijo de 2 años y 6 meses", 2.5),
        ("mi papá tiene sesenta y cinco años", 65),
        ("a los 65 años me dio un infarto", 65),
        ("mi abuelita de 80 tiene catarata", 80),
        ("tiene 15 días de nacido", 0.04),
        ("mi hija de 15 años está embarazada de 3 meses", 15),
        ("mi bebe nacio de 7 meses y ahora tiene 2 meses", 0.17),
        ("tengo cuarenta y dos", 42),
    ],
)
def test_reads_age(text, edad):
    assert extract_age(text) == pytest.approx(edad, abs=0.01)


@pytest.mark.parametrize(
    "text",
    [
        "nació de 7 meses",  # gestation
        "mi bebé nació de 32 semanas",
        "estoy embarazada de 5 meses",
        "tengo 5 meses de embarazo",
        "mis 3 niños tienen piojos",  # a count
        "tengo 3 hijos",
        "tengo 3 años con diabetes",  # a duration
        "desde hace 2 años me duele",
        "me cobraron 500 pesos",
        "me cubren la cesárea?",
    ],
)
def test_not_an_age(text):
    assert extract_age(text) is None


def test_age_hints_are_rough_and_separate():
    assert age_hint("mi bebé tiene diarrea") < 1
    assert age_hint("mi abuelita tiene catarata") >= 60
    assert age_hint("me cubren la cesárea") is None


def test_normalisation_meets_lay_spelling():
    assert tokens("¿Me cubre la VESÍCULA?") == tokens("me cubre la vesicula") == ["vesicul"]
    assert stem("vacunas") == stem("vacuna")
    assert stem("infecciosa") == stem("infeccioso")
    # "q", "xq" and the vocabulary of asking are not content
    assert tokens("q tal xq no me cubren la vesicula en el seguro popular") == ["vesicul"]
    # "mi mamá" is a person, "mama" a breast
    assert tokens("mi mamá tiene cáncer de mama") == ["cancer", "mama"]
    # the letter of hepatitis C and the type of diabetes are meaning
    assert tokens("hepatitis C") != tokens("hepatitis B")
    assert tokens("diabetes tipo 1") != tokens("diabetes tipo 2")


def test_a_duration_or_a_count_of_children_is_not_the_age():
    from core.coverage.age import extract_age

    assert extract_age("tengo tos con flema desde hace mas de 15 dias") is None
    assert extract_age("hace como 3 meses me salió una bolita") is None
    assert extract_age("quiero operarme para ya no tener hijos, ya tengo 4") is None
    assert extract_age("tengo 35") == 35
