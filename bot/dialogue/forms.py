"""Forms per tipo: fill slots from whatever the user says, ask only for what is missing, confirm.

Required: the story (description) and the estado for every tipo; the monto for
cobro_injustificado. Unidad, fecha, concepto and CURP are taken when given, never asked for.
"""

from __future__ import annotations

from bot.dialogue import replies as R
from bot.dialogue import state as S
from bot.dialogue import understand as U
from core.estados import BY_CLAVE
from core.models import Attachment, Message
from core.text.money import monto_in_range

REQUIRED = {
    "cobro_injustificado": ("description", "estado_clave", "monto"),
}
DEFAULT_REQUIRED = ("description", "estado_clave")
MAX_DESCRIPTION = 4000


def _engine():
    from bot.dialogue import engine

    return engine


def required(tipo: str) -> tuple[str, ...]:
    return REQUIRED.get(tipo, DEFAULT_REQUIRED)


def missing(form: dict) -> list[str]:
    slots = form["slots"]
    out = []
    for name in required(form["tipo"]):
        if name == "monto" and slots.get("monto_unknown"):
            continue
        if slots.get(name) in (None, ""):
            out.append(name)
    return out


# --------------------------------------------------------------------------- start


def start(t, tipo: str, *, story: bool) -> None:
    """Open a form of `tipo`, using everything the triggering message already says."""
    if tipo == "queja" and story and U.describes_charge(t.text):
        tipo = "cobro_injustificado"  # the tipo follows the story, not the word announced
    form = {"tipo": tipo, "slots": {}, "asking": None, "msgs": [t.message.id] + list(t.state.get("media") or []),
            "amerita": None, "misses": 0, "ready": False}
    t.state["media"] = []
    t.state["form"] = form
    t.state["step"] = "form"
    changed = _take_entities(t, form, correction=False)
    if tipo == "cobro_injustificado" and form["slots"].get("monto") is None:
        approx = U.approx_amount(t.text)  # "me cobraron la consulta, como 300 creo"
        if approx is not None:
            form["slots"]["monto"] = approx
            changed.append("monto")
    if story and U.tells_story(t.text):
        _add_description(form, t.text)
    elif story and (changed or U.content_words(t.text) >= 1) and not U.looks_like_garbage(t.text):
        form["intro"] = " ".join(t.text.split())[:500]  # "me cobraron 200": kept, but ask for the story
    _finish_slots(t, form)
    _default_estado(t, form)
    advance(t)


def start_info_volante(t, question: str) -> None:
    """The bot could not answer: send the question to the state's enlace (amerita gestión)."""
    form = {"tipo": "solicitud_informacion", "slots": {"description": question[:MAX_DESCRIPTION]},
            "asking": None, "msgs": [t.message.id], "amerita": True, "misses": 0, "ready": False}
    t.state["form"] = form
    t.state["step"] = "form"
    _default_estado(t, form)
    advance(t)


def _default_estado(t, form: dict) -> None:
    slots = form["slots"]
    if not slots.get("estado_clave") and t.contact.estado_clave in BY_CLAVE:
        slots["estado_clave"] = t.contact.estado_clave
        slots["estado_remembered"] = True


# --------------------------------------------------------------------------- slots


def full_description(form: dict) -> str:
    description = form["slots"].get("description") or ""
    intro = form.get("intro") or ""
    if intro and intro not in description:
        return f"{intro}\n{description}" if description else intro
    return description


def _add_description(form: dict, text: str) -> None:
    text = " ".join((text or "").split())
    if not text:
        return
    slots = form["slots"]
    current = slots.get("description") or ""
    if text in current:
        return
    slots["description"] = (f"{current}\n{text}" if current else text)[:MAX_DESCRIPTION]


def _take_entities(t, form: dict, *, correction: bool) -> list[str]:
    """Copy NLU entities into the slots; returns the names that changed."""
    slots = form["slots"]
    changed = []
    from bot.dialogue.understand import estado_from_entities

    clave = estado_from_entities(t.entities)
    if clave and slots.get("estado_clave") != clave:
        slots["estado_clave"] = clave
        slots.pop("estado_remembered", None)
        changed.append("estado_clave")
    montos: list[tuple[float, int, int]] = []
    for ent in t.entities:
        name, value = ent.get("entity"), ent.get("value")
        if value in (None, ""):
            continue
        if name == "monto":
            try:
                amount = float(value)
            except (TypeError, ValueError):
                continue
            parts = ent.get("parts") or [[amount, ent.get("start"), ent.get("end")]]
            for value, start, end in parts:  # the NLU's breakdown (bot/nlu/amounts.py)
                if float(value) > 0 and monto_in_range(value):
                    montos.append((float(value), int(start or 0), int(end or 0)))
        elif name == "unidad" and (correction or not slots.get("unidad")):
            if slots.get("unidad") != str(value):
                slots["unidad"] = str(value)[:300]
                changed.append("unidad")
        elif name == "fecha" and (correction or not slots.get("fecha")):
            if slots.get("fecha") != str(value):
                slots["fecha"] = str(value)[:100]
                changed.append("fecha")
        elif name == "curp" and not slots.get("curp"):
            slots["curp"] = str(value).upper()[:18]
    if montos:
        _set_monto(t, slots, montos, changed)
    return changed


def _set_monto(t, slots: dict, montos: list[tuple[float, int, int]], changed: list[str]) -> None:
    """One amount, or several charges in one message added up ('250 la consulta y 180 la
    vacuna' -> $430, with the breakdown kept for the summary and the case's concepto)."""
    amount, summed = U.combine_amounts(t.text, montos)
    detalle = None
    if summed:
        labels = U.conceptos(t.text)
        parts = [R.money(v) for v, _s, _e in montos]
        if len(labels) == len(parts):
            parts = [f"{label} {money}" for label, money in zip(labels, parts, strict=True)]
        detalle = " + ".join(parts)
    if slots.get("monto") != amount or slots.get("monto_detalle") != detalle:
        slots["monto"] = amount
        slots.pop("monto_unknown", None)
        if detalle:
            slots["monto_detalle"] = detalle
            labels = U.conceptos(t.text)
            if labels:
                slots["concepto"] = " y ".join(labels)
        else:
            slots.pop("monto_detalle", None)
        changed.append("monto")


def _finish_slots(t, form: dict) -> None:
    slots = form["slots"]
    if not slots.get("fecha"):
        rel = U.relative_date(t.text)
        if rel:
            slots["fecha"] = rel
    if not slots.get("concepto") and form["tipo"] == "cobro_injustificado":
        found = U.concepto(slots.get("description") or t.text)
        if found:
            slots["concepto"] = found


def _ask(t, form: dict, name: str) -> None:
    form["asking"] = name
    again = form.get("misses", 0) > 0
    if name == "description":
        t.say(R.ASK_DESCRIPTION_AGAIN if again else R.ASK_DESCRIPTION.get(form["tipo"], R.ASK_DESCRIPTION["queja"]))
    elif name == "estado_clave":
        if again:
            t.say(R.ASK_ESTADO_AGAIN)
        else:
            t.say(R.ASK_ESTADO_INFO if form["tipo"] == "solicitud_informacion" else R.ASK_ESTADO)
    elif name == "monto":
        t.say(R.ASK_MONTO_AGAIN if again else R.ASK_MONTO)


def advance(t) -> None:
    """Ask for the next missing slot, or show the summary for confirmation."""
    form = t.state["form"]
    todo = missing(form)
    if todo:
        form["ready"] = False
        t.state["step"] = "form"
        if form.get("asking") != todo[0]:
            form["misses"] = 0
        _ask(t, form, todo[0])
        return
    form["ready"] = True
    form["asking"] = None
    t.state["step"] = "confirm"
    say_summary(t)


def prompt(t) -> None:
    """Repeat whatever the form is waiting for."""
    form = t.state.get("form")
    if not form:
        t.say(R.MENU)
        return
    if form.get("ready") and not missing(form):
        t.state["step"] = "confirm"
        say_summary(t)
        return
    advance(t)


def say_summary(t) -> None:
    form = t.state["form"]
    slots = form["slots"]
    estado = BY_CLAVE.get(slots.get("estado_clave") or "")
    shown = dict(slots, description=full_description(form))
    t.say(*R.summary(form["tipo"], shown, estado.nombre if estado else None, t.settings.privacy_url,
                     short=t.contact.channel == "sms"))


# --------------------------------------------------------------------------- steps


def on_form(t) -> bool:
    form = t.form
    if not form:
        S.clear_flow(t.state)
        return False
    _track(t, form)
    asking = form.get("asking")
    if U.is_clear_cancel(t.text) and not _answers_slot(t, form):
        cancel(t)  # "cancelar por favor", "ya no", "olvídalo": nothing is registered
        return True
    digit = U.menu_digit(t.text)
    amount_answer = asking == "monto" and digit is None and U.amount(t.text) is not None
    if not amount_answer:
        if _engine().interrupt(t):
            return True
        if digit in (1, 2):
            _switch_tipo(t, form, "queja" if digit == 1 else "cobro_injustificado")
            return True
    if U.is_cancel(t.text) and U.content_words(t.text) <= 2 and not _answers_slot(t, form):
        cancel(t)
        return True
    if _small_talk(t, form):
        return True
    if form["tipo"] == "queja" and U.describes_charge(t.text):
        form["tipo"] = "cobro_injustificado"  # "quiero poner una queja" + "me hicieron pagar…"
        form["amerita"] = None
    changed = _take_entities(t, form, correction=False)
    answered = False
    if asking == "estado_clave":
        if "estado_clave" not in changed:
            clave = U.estado_loose(t.text)
            if clave:
                form["slots"]["estado_clave"] = clave
                form["slots"].pop("estado_remembered", None)
                changed.append("estado_clave")
        if ("estado_clave" not in changed and form["tipo"] == "cobro_injustificado"
                and form["slots"].get("monto") is None and "monto" not in changed
                and U.content_words(t.text) <= 2 and U.amount(t.text) is not None):
            # asked where, the person said how much ("350"): keep it, then ask where again
            form["slots"]["monto"] = U.amount(t.text)
            changed.append("monto")
        answered = "estado_clave" in changed
        if U.tells_story(t.text) and not (answered and U.content_words(t.text) <= 3):
            _add_description(form, t.text)
            answered = True
    elif asking == "monto":
        if "monto" not in changed:
            dated = any(e.get("entity") == "fecha" for e in t.entities) or U.relative_date(t.text)
            value = U.amount_with_cue(t.text) if dated else U.amount(t.text)
            if value is not None:
                form["slots"]["monto"] = value
                form["slots"].pop("monto_detalle", None)
                changed.append("monto")
        if "monto" not in changed and U.dont_know(t.text) and form.get("misses", 0) >= 1:
            form["slots"]["monto_unknown"] = True
            changed.append("monto")
        answered = "monto" in changed
        if U.tells_story(t.text) and not answered:
            _add_description(form, t.text)
    elif asking == "description":
        if _is_story_answer(t):
            _add_description(form, t.text)
            answered = True
    else:
        if U.tells_story(t.text):
            _add_description(form, t.text)
            answered = True
    if form["tipo"] == "cobro_injustificado" and form["slots"].get("monto") is None and "monto" not in changed:
        value = U.amount_with_cue(t.text) or U.approx_amount(t.text)  # "como 300 creo"
        if value is not None:
            form["slots"]["monto"] = value
            form["slots"].pop("monto_detalle", None)
            changed.append("monto")
    _finish_slots(t, form)
    if (form["tipo"] == "cobro_injustificado" and (answered or changed) and U.asks_coverage(t.text)
            and U.tells_story(t.text)):
        _engine().coverage_of_charge(t)  # "me cobraron la cesárea, ¿no que la cubren?"
    if not answered and not changed:
        form["misses"] = int(form.get("misses") or 0) + 1
        if form["misses"] >= 3:
            t.say("Si prefieres, escribe 6 y una persona te atiende.")
        _ask(t, form, asking or (missing(form) or ["description"])[0])
        return True
    advance(t)
    return True


def _answers_slot(t, form: dict) -> bool:
    asking = form.get("asking")
    if asking == "estado_clave":
        return bool(U.estado_loose(t.text))
    if asking == "monto":
        return U.amount(t.text) is not None
    return False


def _is_story_answer(t) -> bool:
    k = U.fold(t.text)
    if not k or U.menu_digit(t.text) is not None or U.looks_like_garbage(t.text):
        return False
    if U.is_yes(t.text) or U.is_no(t.text):
        return False
    if U.dont_know(t.text) and U.content_words(t.text) <= 3:
        return False
    if t.intent in ("saludo", "agradecimiento", "despedida") and U.content_words(t.text) <= 1:
        return False
    return len(k.split()) >= 2 or len(k) >= 8


def _small_talk(t, form: dict) -> bool:
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


def _track(t, form: dict) -> None:
    msgs = form.setdefault("msgs", [])
    if t.message.id not in msgs:
        msgs.append(t.message.id)


def _switch_tipo(t, form: dict, tipo: str) -> None:
    form["tipo"] = tipo
    form["amerita"] = None
    _finish_slots(t, form)
    advance(t)


def cancel(t) -> None:
    """Drop the report being filled in: nothing is registered; the menu is offered."""
    S.clear_flow(t.state)
    t.say(R.FORM_CANCELLED)
    t.say(R.MENU)


def on_confirm(t) -> bool:
    form = t.form
    if not form:
        S.clear_flow(t.state)
        return False
    _track(t, form)
    digit = U.menu_digit(t.text)
    if digit in (1, 2):
        _switch_tipo(t, form, "queja" if digit == 1 else "cobro_injustificado")
        return True
    if U.is_yes(t.text):
        do_register(t)
        return True
    changed = _corrections(t, form)
    if changed:
        t.say("Corregido.")
        advance(t)
        return True
    if U.is_no(t.text) or U.is_clear_cancel(t.text) or (t.intent == "negar" and U.content_words(t.text) <= 1):
        cancel(t)
        return True
    if t.intent == "afirmar" and t.confidence >= 0.6 and U.content_words(t.text) <= 2:
        do_register(t)
        return True
    if _engine().interrupt(t):
        return True
    if t.intent in ("saludo", "agradecimiento") and U.content_words(t.text) <= 1:
        t.say(R.CONFIRM_HELP)
        return True
    if "folio" in U.fold(t.text).split() and U.content_words(t.text) <= 4:
        t.say(R.FOLIO_AFTER_CONFIRM, R.CONFIRM_QUESTION)
        return True
    if U.tells_story(t.text) and t.intent not in ("fuera_de_alcance",):
        _add_description(form, t.text)
        _finish_slots(t, form)
        t.say(R.ADDED_TO_DESCRIPTION)
        advance(t)
        return True
    t.say(R.CONFIRM_HELP)
    return True


def _corrections(t, form: dict) -> list[str]:
    """'no, fueron 3500', 'perdón, es Tlaxcala', 'la unidad es el Hospital Civil'."""
    slots = form["slots"]
    changed = _take_entities(t, form, correction=True)
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
    if "monto" not in changed and (form["tipo"] == "cobro_injustificado" or slots.get("monto") is not None):
        k = U.fold(t.text)
        cue = (U.starts_with_no(t.text) or any(w in k.split() for w in ("fueron", "pesos", "eran", "son",
                                                                       "cobraron", "monto", "pague"))
               or "$" in t.text or U.amount(t.text) is not None and len(k.split()) <= 2)
        has_date = any(e.get("entity") == "fecha" for e in t.entities)
        value = U.last_amount(t.text) if cue and not has_date else None
        if value is not None and value != slots.get("monto"):
            slots["monto"] = value
            slots.pop("monto_unknown", None)
            slots.pop("monto_detalle", None)
            changed.append("monto")
    return changed


# --------------------------------------------------------------------------- registration


def do_register(t) -> None:
    form = t.form
    slots = form["slots"]
    todo = missing(form)
    if todo:
        advance(t)
        return
    tipo = form["tipo"]
    description = full_description(form)
    engine = _engine()
    case = engine.register(
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
    )
    if case is None:
        t.say(R.REGISTER_FAILED)
        return
    t.case_id = case.id
    t.contact.consent_at = t.at
    if slots.get("estado_clave"):
        t.contact.estado_clave = slots["estado_clave"]
    _link(t, case, form.get("msgs") or [])
    volante = case.open_volante
    due = volante.due_date if volante is not None else None
    if tipo == "solicitud_informacion":
        t.say(R.registered_info(case.folio, due))
    else:
        t.say(R.registered(case.folio, due))
    if tipo == "cobro_injustificado":
        t.say(R.REEMBOLSO)
    S.clear_flow(t.state)
    t.state["last_case"] = {"id": case.id, "folio": case.folio}


def _concepto_for_case(slots: dict) -> str | None:
    """The concepto, with the breakdown when several charges were added up."""
    detalle = slots.get("monto_detalle")
    if detalle:
        return f"{detalle} (total {R.money(slots['monto'])})" if slots.get("monto") else detalle
    return slots.get("concepto")


def link_media_to_case(t, case) -> None:
    """A receipt or photo sent after the report was registered goes to that case."""
    _link(t, case, [t.message.id])


def _link(t, case, msg_ids: list[int]) -> None:
    """The conversation's messages and their media (receipts, voice notes) go with the case."""
    from sqlalchemy import select

    ids = sorted({int(i) for i in msg_ids} | {t.message.id})
    messages = t.session.scalars(select(Message).where(Message.id.in_(ids))).all()
    linked = {a.message_id for a in t.session.scalars(select(Attachment).where(Attachment.message_id.in_(ids)))}
    for att in t.session.scalars(select(Attachment).where(Attachment.message_id.in_(ids))):
        att.case_id = case.id
    for msg in messages:
        if msg.contact_id != t.contact.id:
            continue
        msg.case_id = case.id
        if msg.media and msg.id not in linked:
            for n, item in enumerate(msg.media, start=1):
                url = str((item or {}).get("url") or "")
                content_type = str((item or {}).get("content_type") or "application/octet-stream")
                name = url.rstrip("/").rsplit("/", 1)[-1] or f"media-{n}"
                t.session.add(Attachment(case_id=case.id, message_id=msg.id, filename=f"{msg.id}-{name}"[:255],
                                         content_type=content_type[:100], url=url[:1000] or None))
