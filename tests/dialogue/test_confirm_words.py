"""What people write at the summary: yes in more words, a fear of reprisal, a last opt-out."""

from __future__ import annotations

from bot.dialogue.understand import is_question, is_yes
from bot.nlu.signals import Signals
from core.confidential import asks_confidentiality, fears_reprisal


def test_yes_said_with_more_words():
    for text in ("Muy bien, sí, está correcto. Gracias señorita", "bueno esta bien, si",
                 "sí, confidencial", "está correcto"):
        assert is_yes(text), text
    for text in ("esta bien pero cambia el monto", "muy bien no"):
        assert not is_yes(text), text


def test_a_fear_of_reprisal_is_heard_and_a_confidential_yes_is_kept():
    assert fears_reprisal("oiga pero no me van a dejar de atender si se enteran que me queje?")
    assert fears_reprisal("tengo miedo de que me traten peor")
    assert not fears_reprisal("me cobraron 300 en la consulta")
    assert asks_confidentiality("sí, confidencial")


def test_when_and_where_open_a_question_only_with_its_mark():
    assert not is_question("Pero cuando entró el doctor de guardia todo cambió")
    assert is_question("cuanto tardan en contestar")
    assert is_question("¿cuándo me responden?")


def test_stop_the_messages_in_a_familys_words():
    text = ("hola, soy la hija, mi mama se equivoco, no queremos reportar nada, y no queremos que "
            "nos sigan llegando mensajes, cancelar")
    assert Signals.read(text).opt_out
    assert Signals.read("ya no me lleguen mensajes por favor").opt_out
    assert not Signals.read("no me llegan los mensajes de mi cita").opt_out


def test_praise_asked_for_in_a_verb_names_the_tipo():
    from bot.dialogue.understand import named_tipo

    assert named_tipo("pero cuando entró el doctor todo cambió. Quiero que le feliciten a él") \
        == "felicitacion"
    assert named_tipo("me gustaria que reconocieran a la enfermera") == "felicitacion"
    assert named_tipo("no quiero que lo feliciten, nos trató mal") != "felicitacion"


def test_medicine_sold_at_the_window_is_a_charge():
    from bot.nlu.interpret import describes_charge

    assert describes_charge("la ultima vez me la vendieron ahi mismo en la ventanilla en 90 pesos")
