"""One interpretation per message (bot/nlu/interpret.py), on the trained embedded model."""

from __future__ import annotations

import pytest

from bot.nlu.interpret import Interpreter, after_greeting, interpret, keyword_intent


class Scripted:
    """A parser that answers from a table: the rules of interpret() in isolation."""

    def __init__(self, table: dict[str, tuple[str, float]], ranking: dict | None = None):
        self.table, self.rankings = table, ranking or {}

    def parse(self, text):
        name, conf = self.table.get(text, ("nlu_fallback", 0.2))
        ranking = self.rankings.get(text) or [{"name": name, "confidence": conf}]
        return {"text": text, "intent": {"name": name, "confidence": conf}, "entities": [],
                "intent_ranking": ranking}


def test_a_greeting_in_front_of_a_request_is_read_without_it():
    p = Scripted({"hola buenas, me cobraron la consulta": ("saludo", 0.8),
                  "me cobraron la consulta": ("cobro_injustificado", 0.9)})
    i = interpret("hola buenas, me cobraron la consulta", p)
    assert (i.intent, i.source) == ("cobro_injustificado", "greeting")
    assert after_greeting("hola") is None


def test_an_explicit_word_decides_only_what_the_classifier_could_not():
    p = Scripted({"quiero reportar un cobro": ("nlu_fallback", 0.3)})
    assert interpret("quiero reportar un cobro", p).intent == "cobro_injustificado"
    # a confident reading is never overturned by a word in it
    sure = Scripted({"mi queja es que cambian de doctor": ("queja", 0.62)},
                    {"mi queja es que cambian de doctor": [{"name": "queja", "confidence": 0.62},
                                                           {"name": "sugerencia", "confidence": 0.2}]})
    assert interpret("mi queja es que cambian de doctor", sure).intent == "queja"
    assert keyword_intent("el clima") is None


def test_right_after_a_coverage_answer_an_elliptical_question_is_coverage():
    p = Scripted({"y la vesicula?": ("nlu_fallback", 0.3)})
    assert interpret("y la vesicula?", p).intent == "nlu_fallback"
    i = interpret("y la vesicula?", p, {"step": "coverage_after"})
    assert (i.intent, i.source) == ("consulta_cobertura", "context")
    # a plain "gracias" after the answer stays thanks
    thanks = Scripted({"gracias": ("agradecimiento", 0.95)})
    assert interpret("gracias", thanks, {"step": "coverage_after"}).intent == "agradecimiento"


def test_close_candidates_are_both_offered():
    p = Scripted({"x y z": ("queja", 0.45)},
                 {"x y z": [{"name": "queja", "confidence": 0.45},
                            {"name": "sugerencia", "confidence": 0.40}]})
    assert interpret("x y z", p).candidates == ["queja", "sugerencia"]


@pytest.fixture(scope="module")
def real(parser):
    return parser


def test_a_charge_and_a_coverage_question_in_one_message(real):
    i = interpret("me cobraron 300 por la consulta en el centro de salud. "
                  "¿la vacuna de mi bebé la cubren?", real)
    assert i.intent == "cobro_injustificado"
    assert "consulta_cobertura" in i.secondary
    assert [e["value"] for e in i.entities if e["entity"] == "monto"] == [300]


def test_one_topic_has_no_secondary(real):
    assert interpret("me cobraron 300 por la consulta en el centro de salud", real).secondary == []


def test_the_interpreter_keeps_rasas_shape(real):
    out = Interpreter(real).parse("hola, quiero hablar con una persona")
    assert out["intent"]["name"] == "hablar_con_persona"
    assert isinstance(out["intent_ranking"], list) and "secondary_intents" in out


def test_money_left_or_settled_is_a_charge_and_a_long_reason_is_a_matter_of_its_own(parser):
    from bot.nlu.interpret import interpret

    left = interpret("me mandaron a hacer la placa a un particular, ahí dejé 450", parser)
    assert left.intent == "cobro_injustificado"
    settled = interpret("no le daban el alta hasta que liquidáramos 3,800 de la cuenta del hospital", parser)
    assert settled.intent == "cobro_injustificado"
    assert any(e["entity"] == "monto" and float(e["value"]) == 3800 for e in settled.entities)
    both = interpret("quiero saber si la hemodiálisis está cubierta porque a mi esposo no le dan la "
                     "cita en el hospital de Morelia desde hace dos meses", parser)
    assert both.intent == "consulta_cobertura" and "queja" in both.secondary


def test_an_explicit_ask_for_a_person_rides_along_with_a_report(parser):
    from bot.nlu.interpret import interpret

    it = interpret("quiero hablar con una persona porque me cobraron 1,100 de la consulta de mi mamá", parser)
    assert it.intent == "cobro_injustificado" and "hablar_con_persona" in it.secondary


def test_a_person_is_a_secondary_intent_only_when_asked_for_in_so_many_words(parser):
    from bot.nlu.interpret import interpret

    it = interpret("Buenos días joven. Soy una persona mayor y no sé mucho de esto. En el centro de salud "
                   "me dijeron que la medicina de la presión no hay y la tuve que comprar, me costó "
                   "doscientos ochenta pesos", parser)
    assert it.intent == "cobro_injustificado" and "hablar_con_persona" not in it.secondary
    assert not it.signals.asks_human
