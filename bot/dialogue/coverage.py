"""Coverage questions: the catalogs' answer (core.coverage), which intervention when several
match, a short follow-up question after an answer, and the coverage side of a charge report
("me cobraron la cesárea, ¿no que la cubren?")."""

from __future__ import annotations

import logging

from bot.dialogue import form_fill
from bot.dialogue import replies as R
from bot.dialogue import state as S
from bot.dialogue import understand as U
from bot.dialogue.registration import register
from bot.dialogue.turn import Step, Turn, back_to_form
from core.enums import Tipo
from core.models import Case

log = logging.getLogger(__name__)

FALLBACK_COVERAGE_SCORE = 0.95  # a text the classifier did not get, read as a disease name
UNAVAILABLE = "No pude consultar los catálogos en este momento. Escribe 6 para hablar con una persona."


def _coverage_engine():
    from core.coverage import get_engine

    return get_engine()


def ask_engine(t: Turn, question: str, edad=None):
    try:
        return _coverage_engine().ask(question, edad=edad)
    except Exception:  # the catalog failing must not drop the conversation
        log.exception("coverage engine failed")
        return None


def answers_unclassified(t: Turn) -> bool:
    """A message the classifier did not get may still be a coverage question: the classifier's
    near miss with a coverage cue, a vaccine, or a disease named alone ("insuficiencia renal",
    "cataratas") that the catalogs match firmly. True when it was answered as one."""
    top = t.ranking[0] if t.ranking else {}
    if top.get("name") == "consulta_cobertura" and top.get("confidence", 0) >= 0.35 and U.coverage_cue(t.text):
        coverage(t, t.text)
        return True
    if U.mentions_vaccine(t.text) and 1 <= U.content_words(t.text) <= 6:
        coverage(t, t.text)  # "vacuna covid": what the catalogs say about that vaccine
        return True
    if 1 <= U.content_words(t.text) <= 6 and not U.looks_like_garbage(t.text):
        ans = ask_engine(t, t.text)
        top_score = float((ans.matches or [{}])[0].get("score") or 0) if ans is not None else 0.0
        if ans is not None and (ans.covered is True or ans.clarify) and top_score >= FALLBACK_COVERAGE_SCORE:
            coverage(t, t.text, ans=ans)
            return True
    return False


def coverage(t: Turn, question: str, *, edad=None, ans=None) -> None:
    question = (question or "").strip()[:500]
    ans = ans or ask_engine(t, question, edad)
    if ans is None:
        t.say(UNAVAILABLE)
        return
    t.say(ans.answer)
    case = register(t, tipo=Tipo.CONSULTA_COBERTURA.value, description=question,
                    estado_clave=t.contact.estado_clave, topic=ans.topic or U.fold(question)[:100])
    t.state["coverage"] = {"question": question, "options": list(ans.clarify or []), "edad": ans.edad,
                           "case_id": case.id if case is not None else None, "covered": ans.covered}
    if ans.clarify:
        t.go(Step.COVERAGE_CLARIFY)
    elif not t.form:
        t.go(Step.COVERAGE_AFTER)  # 4 = volante when unsure; follow-up questions


def coverage_of_charge(t: Turn, question: str | None = None, *, charged: bool = True) -> None:
    """A report that comes with a coverage question: when the catalogs clearly cover it, say so
    before the report goes on (the question stays in the report's story; no separate consulta
    is registered). Unsure answers are left to the enlace."""
    from core.coverage.answer import COBRO

    question = question or U.without_entities(t.text, t.entities)
    ans = ask_engine(t, question)
    if ans is None or ans.covered is not True or ans.clarify:
        return
    answer = ans.answer.replace(COBRO, "").strip()
    if not charged:
        t.say(answer)
        return
    combined = f"{answer} {R.COVERED_BUT_CHARGED}"
    if len(combined) <= 300:  # one WhatsApp bubble, at most two SMS segments
        t.say(combined)
    else:
        t.say(answer, R.COVERED_BUT_CHARGED)


def _follow_up(t: Turn) -> bool:
    """'¿y la de cadera?' right after a coverage answer is another coverage question."""
    if t.menu_choice or t.signals.digit is not None or U.looks_like_garbage(t.text):
        return False
    words = U.fold(t.text).split()
    if not words or len(words) > 10 or U.content_words(t.text) == 0:
        return False
    if t.intent == "consulta_cobertura":
        return True
    question_like = "?" in t.text or words[0] in ("y", "tambien", "ademas", "e")
    return question_like and (t.confidence < 0.8 or t.intent in ("nlu_fallback", "fuera_de_alcance"))


_SMALL_TALK = ("saludo", "agradecimiento", "despedida", "afirmar", "negar")


def on_coverage_ask(t: Turn) -> bool:
    intent = t.effective_intent()
    if not t.menu_choice and intent in _SMALL_TALK and U.content_words(t.text) <= 1:
        return back_to_form(t)
    if not t.menu_choice and (U.content_words(t.text) == 0 or U.looks_like_garbage(t.text)):
        t.say(R.ASK_COVERAGE)
        return True
    if t.menu_choice or intent in ("hablar_con_persona", "estado_tramite") or U.is_cancel(t.text):
        t.menu_choice = False
        if U.is_cancel(t.text):
            S.clear_flow(t.state, keep_form=True)
            if t.form:
                form_fill.resume(t)
            else:
                t.say(R.MENU)
            return True
        return back_to_form(t)
    coverage(t, t.text)
    if t.step is not Step.COVERAGE_CLARIFY and t.form:
        form_fill.resume(t)
    return True


def on_coverage_clarify(t: Turn) -> bool:
    cov = t.state.get("coverage") or {}
    options = cov.get("options") or []
    digit = t.signals.digit
    choice = None
    if digit is not None and 1 <= digit <= len(options):
        choice = options[digit - 1]
    else:
        k = U.fold(t.text)
        for opt in options:
            fo = U.fold(opt)
            if k and len(k) >= 4 and (k in fo or fo in k):
                choice = opt
                break
    if choice is None:
        intent = t.effective_intent()
        if t.menu_choice or intent not in ("consulta_cobertura", "nlu_fallback", "fuera_de_alcance"):
            t.menu_choice = False
            return back_to_form(t)
        coverage(t, t.text)
        if t.step is not Step.COVERAGE_CLARIFY and t.form:
            form_fill.resume(t)
        return True
    ans = ask_engine(t, choice, cov.get("edad"))
    if ans is None:
        t.say(UNAVAILABLE)
        return True
    t.say(ans.answer)
    case_id = cov.get("case_id")
    if case_id:
        case = t.session.get(Case, case_id)
        if case is not None and ans.topic:
            case.topic = ans.topic[:300]
        t.message.case_id = case_id
    cov["options"] = []
    t.state["coverage"] = cov
    if t.form:
        S.clear_flow(t.state, keep_form=True)
        form_fill.resume(t)
    else:
        cov["covered"] = ans.covered
        t.go(Step.COVERAGE_AFTER)
    return True


def on_after_question(t: Turn) -> bool:
    """After an answer: 4 sends a question the bot was unsure of to a person as a volante; a
    short follow-up question after a coverage answer is answered as coverage too."""
    digit = t.signals.digit
    cov = t.state.get("coverage") or {}
    question = cov.get("question") if t.step is Step.COVERAGE_AFTER else (t.state.get("info") or {}).get("question")
    unsure = t.step is Step.INFO_UNKNOWN or cov.get("covered") is not True
    if digit == 4 and question and unsure:
        S.clear_flow(t.state)
        form_fill.start_info_volante(t, question)
        return True
    if t.step is Step.COVERAGE_AFTER and _follow_up(t):
        coverage(t, t.text, edad=cov.get("edad"))
        return True
    S.clear_flow(t.state, keep_form=True)
    return False

