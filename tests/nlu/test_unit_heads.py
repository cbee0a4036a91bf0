"""Units people name without "hospital": the affiliation module, "el general de …", "hg"."""

from __future__ import annotations

from bot.nlu.entities import extract_entities


def units(text):
    return [e["value"] for e in extract_entities(text) if e["entity"] == "unidad"]


def test_short_unit_names_are_units():
    assert units("muy buena atención en el módulo de afiliación de Zacatecas") == ["módulo de afiliación de Zacatecas"]
    assert units("mis respetos para el personal del general de Acapulco") == ["general de Acapulco"]
    assert units("en el hg de Pachuca no hay doctor") == ["hg de Pachuca"]


def test_general_alone_is_no_unit():
    assert units("la maestra me dijo que en general de salud bien") == []
    assert units("el general de la colonia") == []
