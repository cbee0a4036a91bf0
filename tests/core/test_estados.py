"""The estados' names and aliases live once (core.estados): the call center's file and the padrón
(match_estado) and the bot's estado answer (bot.dialogue.understand.estado_loose) read the same
table; the bot adds only its chat words."""

from __future__ import annotations

import pytest

from bot.dialogue.understand import estado_loose
from core.estados import match_estado


@pytest.mark.parametrize("raw,clave", [
    ("Baja California Norte", "02"), ("BCN", "02"), ("edo de mex", "15"), ("Edo. de México", "15"),
    ("cd de mexico", "09"), ("Ciudad Mexico", "09"), ("D.F.", "09"), ("Q. Roo", "23"), ("SLP", "24"),
    ("Michoacán de Ocampo", "16"), ("Veracruz de Ignacio de la Llave", "30"),
])
def test_the_file_and_the_bot_read_one_table(raw, clave):
    assert match_estado(raw) == clave
    assert estado_loose(raw) == clave


@pytest.mark.parametrize("raw,clave", [("la capital", "09"), ("san luis", "24"), ("quintana", "23")])
def test_the_chat_words_are_the_bots_only(raw, clave):
    assert estado_loose(raw) == clave
    assert match_estado(raw) is None


@pytest.mark.parametrize("raw,clave", [("9", "09"), ("14", "14"), ("09.", "09")])
def test_a_file_may_give_the_inegi_key_the_bot_never_reads_a_number_as_one(raw, clave):
    assert match_estado(raw) == clave
    assert estado_loose(raw) is None  # "14" in a chat may be an age, a day, a count
