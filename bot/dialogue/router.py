"""One dialogue turn: which rule gets the message, in a fixed order of precedence.

opt-out / ALTA → silence while opted out → the answer to a request for information sent from
the case (info_reply) → silence while handed off → the satisfaction survey's answer →
first-contact greeting → idle-session expiry → media → empty text → MENÚ → the step the
conversation is waiting at (STEP_HANDLERS) → the intent (INTENT_HANDLERS) → fallback.

`run_turn(turn)` fills the Turn's replies, jobs and case; bot.turns stores the state, queues the
replies and marks the message processed. Nothing here commits. The flows (control, coverage,
information, tramite, form_fill/form_steps) never call back into the router: a side flow that
finds the message belongs to the pending report returns TO_FORM and the router hands it over.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.dialogue import (
    control,
    coverage,
    form_fill,
    form_steps,
    info,
    info_reply,
    information,
    padron,
    reopen,
    tramite,
)
from bot.dialogue import replies as R
from bot.dialogue import state as S
from bot.dialogue import understand as U
from bot.dialogue.state import FORM_STEPS
from bot.dialogue.turn import FORM_INTENTS, TO_FORM, Step, Turn
from core.estados import BY_CLAVE

MAX_TEXT_OUTSIDE_FORM = 1500


def run_turn(turn: Turn) -> Turn:
    t = turn
    if t.signals.opt_out:
        control.opt_out(t)
        return t
    if t.contact.opt_out:
        if t.signals.opt_in:
            control.opt_in(t)
        return t  # opted out: stored, never answered
    if t.signals.crisis:
        t.say(R.CRISIS)  # before anything else, also when a person has the chat
        if t.intent in ("fuera_de_alcance", "nlu_fallback") or t.contact.handoff:
            return t  # nothing else asked: no menu after it, and any open report waits
    if info_reply.answer(t):
        return t  # the answer to a request for information sent from the case
    if t.contact.handoff:
        control.keep_media(t)
        return t  # a person answers; the bot stays quiet
    if t.text.strip() and control.survey_answer(t):
        reopen.offer_after_survey(t)
        return t
    if t.contact.privacy_notice_at is None:
        t.first_contact = True
        t.contact.privacy_notice_at = t.at
        t.say(R.greeting_first(t.settings.privacy_url))
    if control.expiry(t):
        return t
    if control.media(t):
        return t
    if not t.text.strip():
        t.say(R.EMPTY)
        if t.form and t.step in FORM_STEPS:
            form_fill.prompt(t)
        else:
            t.say(R.MENU)
        return t
    if t.signals.menu or t.signals.opt_in:
        S.clear_flow(t.state)
        t.say(R.MENU)
        return t
    if len(t.text) > MAX_TEXT_OUTSIDE_FORM and not t.form:
        t.say(R.TOO_LONG)
    if _run_step(t):
        return t
    if padron.answer(t):
        return t  # «¿sigo vigente?» with a CURP (core/padron/answer.py)
    if reopen.unresolved(t):
        return t
    dispatch(t)
    return t


def _run_step(t: Turn) -> bool:
    handler = STEP_HANDLERS.get(t.step)
    outcome = handler(t) if handler is not None else False
    if outcome is TO_FORM:
        form_handler = STEP_HANDLERS.get(t.step) if t.step in FORM_STEPS else None
        outcome = form_handler(t) if form_handler is not None else False
    return bool(outcome)


def dispatch(t: Turn) -> None:
    """Act on the message's intent with no sub-flow in progress (or after leaving one)."""
    intent = t.effective_intent()
    if t.step not in (None, *FORM_STEPS):
        S.clear_flow(t.state, keep_form=True)
    if U.looks_like_garbage(t.text):
        intent = "nlu_fallback"
    if intent != "nlu_fallback":
        t.state["fallbacks"] = 0
    if intent in FORM_INTENTS:
        _report(t, intent)
        return
    if intent in _PLACE_READS and _place_only(t):
        return
    INTENT_HANDLERS.get(intent, _fallback)(t)


# readings under which a message that only names a place ("Veracruz", "cs huamantla",
# "hospital regional de coatza") is that place, kept for the report that follows
_PLACE_READS = frozenset({"nlu_fallback", "saludo", "fuera_de_alcance", "solicitud_informacion",
                          "afirmar", "negar"})


def _place_only(t: Turn) -> bool:
    estado = U.estado_places(t.text, t.entities)
    unidad = next((str(e["value"]) for e in t.entities if e.get("entity") == "unidad" and e.get("value")),
                  None) or U.unit_words(t.text)
    rest = U.without_entities(t.text, t.entities, ("estado", "unidad"))
    if not (estado or unidad) or U.content_words(rest) > 1 or U.asks_coverage(t.text):
        return False
    place = t.state.get("place") or {}
    if estado:
        place["estado_clave"] = estado
    if unidad:
        place["unidad"] = unidad[:300]
    t.state["place"] = place
    nombre = BY_CLAVE[estado].nombre if estado in BY_CLAVE else None
    t.say(R.place_noted(", ".join(x for x in (unidad, nombre) if x)))
    t.say(R.MENU)
    return True


def _report(t: Turn, intent: str) -> None:
    mark = len(t.replies)
    form_fill.start(t, FORM_INTENTS[intent], story=not t.menu_choice)
    asks = "consulta_cobertura" in t.secondary or (
        intent == "cobro_injustificado" and U.asks_coverage(t.text))
    if not t.menu_choice and asks:
        form_replies = t.replies[mark:]
        del t.replies[mark:]
        # "me cobraron la cesárea, ¿no que la cubren?": the answer first, then the report
        coverage.coverage_of_charge(t, t.clauses.get("consulta_cobertura"),
                                    charged=intent == "cobro_injustificado")
        t.replies.extend(form_replies)


def _coverage_question(t: Turn) -> None:
    if t.menu_choice or not U.content_words(t.text):
        t.go(Step.COVERAGE_ASK)
        t.say(R.ASK_COVERAGE)
        return
    coverage.coverage(t, t.clauses.get("consulta_cobertura") or t.text)
    _report_beside(t)


def _status_question(t: Turn) -> None:
    tramite.tramite(t)
    if not t.menu_choice:
        _report_beside(t)


def _report_beside(t: Turn) -> None:
    """After the answer to a question, the report of the other matter the message told ("¿el VIH
    lo cubren? y quiero quejarme…", "¿cómo va mi folio? y otra cosa, me volvieron a cobrar 250")."""
    report = next((i for i in t.secondary if i in FORM_INTENTS), None)
    if report is not None:
        form_fill.start(t, FORM_INTENTS[report], story=True)


def _greeting(t: Turn) -> None:
    if not t.first_contact:
        t.say(R.GREETING_AGAIN if t.state.get("last_at") else R.HOLA)
    t.say(R.MENU)


def _no(t: Turn) -> None:
    t.say(R.DONE if t.state.get("last_at") and not t.first_contact else R.MENU)


def _out_of_scope(t: Turn) -> None:
    if t.first_contact:
        _fallback(t)
    else:
        t.say(R.OUT_OF_SCOPE, R.MENU)


def _fallback(t: Turn) -> None:
    tema = info.match(t.text) if U.content_words(t.text) >= 2 else None
    if tema is not None:
        information.information(t, t.text)
        return
    if coverage.answers_unclassified(t):
        return
    if t.first_contact:
        t.say(R.MENU)
        return
    t.state["fallbacks"] = int(t.state.get("fallbacks") or 0) + 1
    if t.state["fallbacks"] >= 2:
        t.say(R.NOT_UNDERSTOOD_AGAIN)
    else:
        t.say(R.NOT_UNDERSTOOD, R.MENU)


def _on_resume(t: Turn) -> bool:
    if U.is_yes(t.text) or (t.intent == "afirmar" and t.confidence >= 0.6 and U.content_words(t.text) <= 2):
        t.go(Step.CONFIRM if (t.form or {}).get("ready") else Step.FORM)
        form_fill.prompt(t)
        return True
    if U.is_no(t.text) or (t.intent == "negar" and U.content_words(t.text) <= 1):
        S.clear_flow(t.state)
        t.say(R.START_OVER, R.MENU)
        return True
    S.clear_flow(t.state)
    return False


INTENT_HANDLERS: dict[str, Callable[[Turn], None]] = {
    "hablar_con_persona": control.handoff,
    "consulta_cobertura": _coverage_question,
    "solicitud_informacion": lambda t: information.information(t, None if t.menu_choice else t.text),
    "estado_tramite": _status_question,
    "saludo": _greeting,
    "despedida": lambda t: t.say(R.GOODBYE),
    "agradecimiento": lambda t: t.say(R.THANKS),
    "afirmar": lambda t: t.say(R.MENU),
    "negar": _no,
    "fuera_de_alcance": _out_of_scope,
}

STEP_HANDLERS: dict[Step, Callable[[Turn], object]] = {
    Step.FORM: form_steps.on_form,
    Step.CONFIRM: form_steps.on_confirm,
    Step.RESUME: _on_resume,
    Step.COVERAGE_ASK: coverage.on_coverage_ask,
    Step.COVERAGE_CLARIFY: coverage.on_coverage_clarify,
    Step.COVERAGE_AFTER: coverage.on_after_question,
    Step.INFO_UNKNOWN: coverage.on_after_question,
    Step.INFO_MENU: information.on_info_menu,
    Step.TRAMITE: tramite.on_tramite,
    Step.SAME_MATTER: form_steps.on_same_matter,
    Step.REOPEN: reopen.on_reopen,
}
