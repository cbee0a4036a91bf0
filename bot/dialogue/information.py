"""General information (bot/content/informacion.yaml through bot/dialogue/info.py): a topic's
answer, the list of topics, and a question nobody wrote an answer for (4 sends it to a person)."""

from __future__ import annotations

from bot.dialogue import form_fill, info
from bot.dialogue import replies as R
from bot.dialogue import state as S
from bot.dialogue import understand as U
from bot.dialogue.registration import register
from bot.dialogue.turn import Step, Turn, back_to_form
from core.enums import Tipo


def information(t: Turn, question: str | None) -> None:
    if question and U.content_words(question) < 2 and info.match(question) is None:
        if U.keyword_intent(question) != "solicitud_informacion":
            t.say(R.MENU)  # "¿me pueden ayudar?": the main menu
            return
        question = None  # "tengo una duda", "información": show the topics
    if not question or not question.strip():
        titles = [tema.titulo for tema in info.temas()]
        t.go(Step.INFO_MENU)
        t.say(R.info_menu(titles))
        return
    tema = info.match(question)
    if tema is None:
        t.state["info"] = {"question": question[:1000]}
        t.go(Step.INFO_UNKNOWN)
        t.say(R.INFO_UNKNOWN)
        return
    answer_tema(t, tema, question)


def answer_tema(t: Turn, tema: info.Tema, question: str) -> None:
    t.say(tema.respuesta)
    register(t, tipo=Tipo.SOLICITUD_INFORMACION.value, description=question,
             estado_clave=t.contact.estado_clave, topic=tema.titulo, amerita=False)
    if t.form:
        S.clear_flow(t.state, keep_form=True)
    else:
        S.clear_flow(t.state)
        t.say(R.INFO_MORE)


def on_info_menu(t: Turn) -> bool:
    digit = t.signals.digit
    temas = info.temas()
    if digit is not None and 1 <= digit <= len(temas):
        tema = temas[digit - 1]
        answer_tema(t, tema, f"Información: {tema.titulo}")
        if t.form:
            form_fill.resume(t)
        return True
    tema = info.match(t.text)
    if tema is not None:
        answer_tema(t, tema, t.text)
        if t.form:
            form_fill.resume(t)
        return True
    if t.form:
        return back_to_form(t)
    S.clear_flow(t.state)
    if t.intent == "solicitud_informacion" and t.confidence >= 0.5:
        information(t, t.text)
        return True
    return False

