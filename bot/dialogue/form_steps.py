"""What the person answers while a report is being filled in (Step.FORM) or at its summary
(Step.CONFIRM): slot answers, corrections, a change of tipo, cancel, sí → registration; another
request in the middle is handled by bot/dialogue/interrupts.py and the form resumes."""

from __future__ import annotations

from bot.dialogue import coverage, interrupts
from bot.dialogue import replies as R
from bot.dialogue import state as S
from bot.dialogue import understand as U
from bot.dialogue.form_fill import (
    add_description,
    advance,
    ask,
    cancel,
    finish_slots,
    full_description,
    missing,
    monto_fix,
    names_a_date,
    prompt,
    retype,
    switch_tipo,
    take_entities,
)
from bot.dialogue.registration import link_messages, register
from bot.dialogue.turn import FORM_INTENTS, Step, Turn, says_no, says_yes
from core.confidential import asks_confidentiality, fears_reprisal
from core.models import Case

FORM_TIPOS = frozenset(FORM_INTENTS.values())  # reports, not information requests


def on_form(t: Turn) -> bool:
    form = t.form
    if not form:
        S.clear_flow(t.state)
        return False
    _track(t, form)
    asking = form.get("asking")
    if (U.is_clear_cancel(t.text) or U.leads_with_cancel(t.text)) and not _answers_slot(t, form):
        cancel(t)  # "cancelar por favor", "ya no", "olvídalo": nothing is registered
        return True
    digit = t.signals.digit
    amount_answer = asking == "monto" and digit is None and U.amount(t.text) is not None
    if not amount_answer:
        if interrupts.interrupt(t):
            return True
        if digit in (1, 2):
            switch_tipo(t, form, "queja" if digit == 1 else "cobro_injustificado")
            return True
    if U.is_cancel(t.text) and U.content_words(t.text) <= 2 and not _answers_slot(t, form):
        cancel(t)
        return True
    if _small_talk(t, form):
        return True
    retyped = retype(t, form)  # "quiero poner una queja" + "me hicieron pagar…": a charge
    changed = take_entities(t, form, correction=False)
    answered = False
    if asking == "estado_clave":
        options = form.pop("estado_options", None)  # offered for this answer only
        if "estado_clave" not in changed:
            clave = U.estado_loose(t.text) or (U.pick_option(t.text, options) if options else None) \
                or U.likelier_estado(t.text) or U.likelier_estado(f"en {t.text}")  # "en matamoros"
            if clave:
                form["slots"]["estado_clave"] = clave
                form["slots"].pop("estado_remembered", None)
                changed.append("estado_clave")
        if ("estado_clave" not in changed and form["tipo"] == "cobro_injustificado"
                and form["slots"].get("monto") is None and "monto" not in changed
                and (U.content_words(t.text) <= 2 or not U.tells_story(t.text))
                and U.amount(t.text) is not None):
            # asked where, the person said how much ("350", "mil ochocientos cincuenta"): keep
            # it, then ask where again
            form["slots"]["monto"] = U.amount(t.text)
            changed.append("monto")
        elif "estado_clave" not in changed and form["slots"].get("monto") is not None:
            monto_fix(t, form, changed)  # asked where: "ah no, perdón, fueron 1,400"
        answered = "estado_clave" in changed
        if U.tells_story(t.text) and not (answered and U.content_words(t.text) <= 3):
            add_description(form, t.text)
            answered = True
    elif asking == "monto":
        dated = names_a_date(t) or U.relative_date(t.text)
        value = U.amount_with_cue(t.text) if dated else U.amount_answer(t.text)
        if value is not None and ("monto" not in changed or (
                not dated and value != form["slots"].get("monto"))):
            # asked how much, every figure is pesos ("900… bueno, 900 y aparte 150"), which
            # the message read alone does not know
            form["slots"]["monto"] = value
            form["slots"].pop("monto_detalle", None)
            if "monto" not in changed:
                changed.append("monto")
        told = U.count_told(form["slots"].get("description") or "")
        if "monto" in changed and form["slots"].get("monto") and told and told > 1 \
                and U.price_each(t.text) and not U.count_told(t.text):
            # "me cobraron 3 consultas" … "de 150 cada una"
            form["slots"]["monto"] = float(form["slots"]["monto"]) * told
        if "monto" not in changed and (U.dont_know(t.text) or _bare_no(t.text) or form.get("misses", 0) >= 1 and (
                U.content_words(t.text) <= 2 and not U.tells_story(t.text))):
            # "no me acuerdo cuánto fue", or asked twice and no figure (a bare "sí"/"ok"): go on
            # without the amount (the enlace asks for the receipt) rather than ask again
            form["slots"]["monto_unknown"] = True
            changed.append("monto")
        answered = "monto" in changed
        if U.tells_story(t.text) and not answered:
            add_description(form, t.text)
    elif asking == "description":
        if _is_story_answer(t):
            add_description(form, t.text)
            answered = True
    else:
        if U.tells_story(t.text):
            add_description(form, t.text)
            answered = True
    if form["tipo"] == "cobro_injustificado" and form["slots"].get("monto") is None and "monto" not in changed:
        value = U.amount_with_cue(t.text) or U.approx_amount(t.text)  # "como 300 creo"
        if value is None and not names_a_date(t):
            value = U.leading_amount(t.text)  # "450 en el hospital general de cuautla"
        if value is not None:
            form["slots"]["monto"] = value
            form["slots"].pop("monto_detalle", None)
            changed.append("monto")
    finish_slots(t, form)
    if (form["tipo"] == "cobro_injustificado" and (answered or changed) and U.asks_coverage(t.text)
            and U.tells_story(t.text)):
        coverage.coverage_of_charge(t)  # "me cobraron la cesárea, ¿no que la cubren?"
    if not answered and not changed and not retyped:
        form["misses"] = int(form.get("misses") or 0) + 1
        if form["misses"] >= 3:
            t.say("Si prefieres, escribe 6 y una persona te atiende.")
        ask(t, form, asking or (missing(form) or ["description"])[0])
        return True
    advance(t)
    return True


def _answers_slot(t: Turn, form: dict) -> bool:
    asking = form.get("asking")
    if asking == "estado_clave":
        return bool(U.estado_loose(t.text))
    if asking == "monto":  # a bare "no" to "¿cuánto te cobraron?" is no figure, not "cancel"
        return U.amount(t.text) is not None or _bare_no(t.text)
    return False


def _bare_no(text: str) -> bool:
    return U.fold(text).strip(" .!¡") in U.BARE_NO


def _is_story_answer(t: Turn) -> bool:
    k = U.fold(t.text)
    if not k or t.signals.digit is not None or U.looks_like_garbage(t.text):
        return False
    if U.is_yes(t.text) or U.is_no(t.text):
        return False
    if U.dont_know(t.text) and U.content_words(t.text) <= 3:
        return False
    if t.intent in ("saludo", "agradecimiento", "despedida") and U.content_words(t.text) <= 1:
        return False
    return len(k.split()) >= 2 or len(k) >= 8


def _small_talk(t: Turn, form: dict) -> bool:
    """'hola' / 'gracias' / 'ok' in the middle of a form: acknowledge and repeat the question."""
    if U.content_words(t.text) > 1 or any(e.get("entity") in ("estado", "monto") for e in t.entities):
        return False
    if form.get("asking") == "estado_clave" and U.estado_loose(t.text):
        return False
    if form.get("asking") == "monto" and U.amount(t.text) is not None:
        return False
    if t.intent == "saludo":
        t.say("¡Hola!")
    elif t.intent == "agradecimiento":
        t.say("¡De nada!")
    elif t.intent == "despedida":
        t.say("Tu reporte queda pendiente. Cuando quieras seguir, escríbeme.")
        return True
    else:
        return False
    prompt(t)
    return True


def _track(t: Turn, form: dict) -> None:
    msgs = form.setdefault("msgs", [])
    if t.message.id not in msgs:
        msgs.append(t.message.id)

def on_confirm(t: Turn) -> bool:
    form = t.form
    if not form:
        S.clear_flow(t.state)
        return False
    _track(t, form)
    digit = t.signals.digit
    if digit in (1, 2):
        switch_tipo(t, form, "queja" if digit == 1 else "cobro_injustificado")
        return True
    if retype(t, form):  # "sí, como sugerencia", "y dejamos 3000 de depósito"
        _corrections(t, form)
        finish_slots(t, form)
        if U.yes_restating(t.text) and U.says_register(t.text):
            do_register(t)  # "sí, regístrelo así como queja": the change and the yes at once
        else:
            advance(t)
        return True
    if U.leads_with_cancel(t.text):
        cancel(t)  # "olvídelo, ya me lo regresaron"
        return True
    if U.is_yes(t.text):
        do_register(t)
        return True
    changed = _corrections(t, form)
    if changed:
        form.pop("fix_asked", None)
    if changed and U.yes_restating(t.text):
        finish_slots(t, form)
        do_register(t)  # "sí, 650 en total": the yes comes with the corrected figure
        return True
    if changed:
        t.say("Corregido.")
        advance(t)
        return True
    if U.yes_restating(t.text):
        do_register(t)  # "sí correcto, son los 405": what the summary says
        return True
    plain_no = U.fold(t.text).strip(" .!") in U.PLAIN_NO
    if U.is_clear_cancel(t.text) and not plain_no:
        cancel(t)
        return True
    if plain_no or U.is_no(t.text) or (t.intent == "negar" and U.content_words(t.text) <= 1):
        if form.get("fix_asked"):
            cancel(t)  # "no" again: nothing to fix, nothing registered
        else:
            # a "no" to the summary is as often "it is not right" as "do not register it":
            # ask what to fix; a second "no" or CANCELAR registers nothing
            form["fix_asked"] = True
            t.say(R.ASK_WHAT_TO_FIX)
        return True
    if t.intent == "afirmar" and t.confidence >= 0.6 and U.content_words(t.text) <= 2:
        do_register(t)
        return True
    if interrupts.interrupt(t):
        return True
    if t.intent in ("saludo", "agradecimiento") and U.content_words(t.text) <= 1:
        t.say(R.CONFIRM_HELP)
        return True
    if "folio" in U.fold(t.text).split() and U.content_words(t.text) <= 4:
        t.say(R.FOLIO_AFTER_CONFIRM, R.CONFIRM_QUESTION)
        return True
    if fears_reprisal(t.text):
        t.say(R.REPRISAL_AT_CONFIRM, R.CONFIRM_QUESTION)  # «¿no me van a dejar de atender?»
        return True
    if U.is_question(t.text) and t.intent != "queja":
        t.say(R.QUESTION_AT_CONFIRM, R.CONFIRM_QUESTION)  # "¿cuánto tardan en contestar?"
        return True
    if U.tells_story(t.text) and t.intent not in ("fuera_de_alcance",):
        add_description(form, t.text)
        finish_slots(t, form)
        t.say(R.ADDED_TO_DESCRIPTION)
        advance(t)
        return True
    t.say(R.CONFIRM_HELP)
    return True


def _corrections(t: Turn, form: dict) -> list[str]:
    """'no, fueron 3500', 'perdón, es Tlaxcala', 'la unidad es el Hospital Civil'."""
    slots = form["slots"]
    changed = take_entities(t, form, correction=True)
    if "fecha" not in changed and U.content_words(t.text) <= 3:
        rel = U.relative_date(t.text)  # "fue ayer", "no, fue antier", "el lunes pasado"
        if rel and rel != slots.get("fecha"):
            slots["fecha"] = rel
            changed.append("fecha")
    if "estado_clave" not in changed:
        clave = U.estado_loose(t.text)
        if clave and clave != slots.get("estado_clave"):
            slots["estado_clave"] = clave
            slots.pop("estado_remembered", None)
            changed.append("estado_clave")
    monto_fix(t, form, changed)
    return changed


# --------------------------------------------------------------------------- registration


def do_register(t: Turn) -> None:
    form = t.form
    slots = form["slots"]
    todo = missing(form)
    if todo:
        advance(t)
        return
    tipo = form["tipo"]
    if _same_matter_asked(t, form):
        return
    description = full_description(form)
    case = register(
        t,
        tipo=tipo,
        description=description,
        estado_clave=slots.get("estado_clave"),
        amerita=form.get("amerita"),
        unidad=slots.get("unidad"),
        monto=slots.get("monto"),
        concepto=_concepto_for_case(slots),
        fecha_hechos_texto=slots.get("fecha"),
        curp=slots.get("curp"),
        confidencial=asks_confidentiality(f"{description}\n{t.text}"),  # «que no sepan mi nombre»
        follow_code=True,
    )
    if case is None:
        t.say(R.REGISTER_FAILED)
        return
    t.case_id = case.id
    t.contact.consent_at = t.at
    if slots.get("estado_clave"):
        t.contact.estado_clave = slots["estado_clave"]
    link_messages(t, case, form.get("msgs") or [])
    volante = case.open_volante
    due = volante.due_date if volante is not None else None
    if tipo == "solicitud_informacion":
        t.say(R.registered_info(case.folio, due))
    else:
        t.say(R.registered(case.folio, due))
    if t.follow_code:
        t.say(R.follow_code(t.follow_code, t.settings.public_base_url, confidential=case.confidencial))
    if tipo == "cobro_injustificado":
        t.say(R.REEMBOLSO)
    S.clear_flow(t.state)
    t.state["last_case"] = {"id": case.id, "folio": case.folio}


def _same_matter_asked(t: Turn, form: dict) -> bool:
    """Before a second folio for what looks like the same matter (core.duplicates: same phone,
    tipo and estado, unit and amount not contradicting, within the window), ask once."""
    from core.duplicates import find_candidates

    if form.get("same_checked") or form["tipo"] not in FORM_TIPOS:
        return False
    form["same_checked"] = True
    slots = form["slots"]
    found = find_candidates(t.session, tipo=form["tipo"], estado_clave=slots.get("estado_clave"),
                            contact_id=t.contact.id, unidad=slots.get("unidad"), monto=slots.get("monto"))
    if not found:
        return False
    earlier = found[0]
    form["same_as"] = {"id": earlier.id, "folio": earlier.folio}
    t.go(Step.SAME_MATTER)
    t.say(R.same_matter(earlier.folio, earlier.created_at.date() if earlier.created_at else None))
    return True


def on_same_matter(t: Turn) -> bool:
    form = t.form
    if not form or not form.get("same_as"):
        S.clear_flow(t.state, keep_form=True)
        return False
    _track(t, form)
    if says_yes(t):
        case = t.session.get(Case, form["same_as"]["id"])
        if case is None or case.contact_id != t.contact.id:
            do_register(t)
            return True
        link_messages(t, case, form.get("msgs") or [])
        t.case_id = case.id
        t.say(R.added_to_folio(case.folio))
        S.clear_flow(t.state)
        t.state["last_case"] = {"id": case.id, "folio": case.folio}
        return True
    if says_no(t):
        do_register(t)
        return True
    if interrupts.interrupt(t):
        return True
    t.say(R.same_matter(form["same_as"]["folio"], None))
    return True


def _concepto_for_case(slots: dict) -> str | None:
    """The concepto, with the breakdown when several charges were added up."""
    detalle = slots.get("monto_detalle")
    if detalle:
        return f"{detalle} (total {R.money(slots['monto'])})" if slots.get("monto") else detalle
    return slots.get("concepto")

