"""A report being filled in: open it from whatever the first message says, take slots from
every later message, ask only for what is missing, show the summary.

Required: the story (description) and the estado for every tipo; the monto for
cobro_injustificado. Unidad, fecha, concepto and CURP are taken whenever given; the unidad of a
queja or cobro is asked for with the estado and, still missing, invited at the summary (never
demanded: many do not know the clinic's name).
What the person answers at each step is read in bot/dialogue/form_steps.py.
"""

from __future__ import annotations

from bot.dialogue import replies as R
from bot.dialogue import state as S
from bot.dialogue import understand as U
from bot.dialogue.turn import Step, Turn
from core.estados import BY_CLAVE
from core.text.money import monto_in_range

# the reports a person files in the chat (an information request is not retyped)
REPORT_TIPOS = ("queja", "cobro_injustificado", "sugerencia", "felicitacion")

REQUIRED = {
    "cobro_injustificado": ("description", "estado_clave", "monto"),
}
DEFAULT_REQUIRED = ("description", "estado_clave")
MAX_DESCRIPTION = 4000
PRAISE_RETYPES = 0.85  # the NLU this sure of praise turns an announced "queja" into one
ANNOUNCEMENT_WORDS = 2  # a description this short only announced the report ("quiero reportar a una enfermera")


def required(tipo: str) -> tuple[str, ...]:
    return REQUIRED.get(tipo, DEFAULT_REQUIRED)


def missing(form: dict) -> list[str]:
    slots = form["slots"]
    out = []
    for name in required(form["tipo"]):
        if name == "monto" and slots.get("monto_unknown"):
            continue
        if name == "description" and _told_by_intro(form):
            continue
        if slots.get(name) in (None, ""):
            out.append(name)
    return out


def _told_by_intro(form: dict) -> bool:
    """"me cobraron laboratorio" says what was charged: with the amount and the estado, a
    charge needs no longer story."""
    return form["tipo"] == "cobro_injustificado" and bool(form.get("intro")) \
        and bool(form["slots"].get("concepto") or U.concepto(form.get("intro")))


# --------------------------------------------------------------------------- start


def start(t: Turn, tipo: str, *, story: bool) -> None:
    """Open a form of `tipo`, using everything the triggering message already says."""
    if tipo == "queja" and story and U.describes_charge(t.text) and not U.not_owed(t.text):
        tipo = "cobro_injustificado"  # the tipo follows the story, not the word announced
    form = {"tipo": tipo, "slots": {}, "asking": None, "msgs": [t.message.id] + list(t.state.get("media") or []),
            "amerita": None, "misses": 0, "ready": False}
    t.state["media"] = []
    t.state["form"] = form
    t.go(Step.FORM)
    changed = take_entities(t, form, correction=False)
    place = t.state.pop("place", None) or {}
    for slot in ("estado_clave", "unidad"):  # "Veracruz" / "cs huamantla" said before the report
        if place.get(slot) and not form["slots"].get(slot):
            form["slots"][slot] = place[slot]
    if tipo == "cobro_injustificado" and form["slots"].get("monto") is None:
        approx = U.approx_amount(t.text)  # "me cobraron la consulta, como 300 creo"
        if approx is not None:
            form["slots"]["monto"] = approx
            changed.append("monto")
    if story and U.tells_story(t.text):
        add_description(form, t.text)
    elif story and (changed or U.content_words(t.text) >= 1) and not U.looks_like_garbage(t.text):
        form["intro"] = " ".join(t.text.split())[:500]  # "me cobraron 200": kept, but ask for the story
    finish_slots(t, form)
    _default_estado(t, form)
    advance(t)


def start_info_volante(t: Turn, question: str) -> None:
    """The bot could not answer: send the question to the state's enlace (amerita gestión)."""
    form = {"tipo": "solicitud_informacion", "slots": {"description": question[:MAX_DESCRIPTION]},
            "asking": None, "msgs": [t.message.id], "amerita": True, "misses": 0, "ready": False}
    t.state["form"] = form
    t.go(Step.FORM)
    _default_estado(t, form)
    advance(t)


def _default_estado(t: Turn, form: dict) -> None:
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


def add_description(form: dict, text: str) -> None:
    text = " ".join((text or "").split())
    if not text:
        return
    slots = form["slots"]
    current = slots.get("description") or ""
    if text in current:
        return
    slots["description"] = (f"{current}\n{text}" if current else text)[:MAX_DESCRIPTION]


def take_entities(t: Turn, form: dict, *, correction: bool) -> list[str]:
    """Copy NLU entities into the slots; returns the names that changed."""
    slots = form["slots"]
    changed = []
    clave = U.estado_places(t.text, t.entities, current=slots.get("estado_clave"), correction=correction)
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


def _set_monto(t: Turn, slots: dict, montos: list[tuple[float, int, int]], changed: list[str]) -> None:
    """One amount, or several charges in one message added up ('250 la consulta y 180 la
    vacuna' -> $430, with the breakdown kept for the summary and the case's concepto)."""
    if slots.get("monto") is not None and U.replaced_part(t.text, float(slots["monto"]),
                                                          slots.get("monto_detalle")) is not None:
        return  # "el ultrasonido fue de 1100, no de 1200": one part corrected (monto_fix)
    amount, summed = U.combine_amounts(t.text, montos)
    labels = U.conceptos(t.text)
    detalle = None
    if summed:
        parts = [R.money(v) for v, _s, _e in montos]
        if len(labels) == len(parts):
            parts = [f"{label} {money}" for label, money in zip(labels, parts, strict=True)]
        detalle = " + ".join(parts)
    # "bueno 2000 del ultrasonido y 350 de los análisis que también me cobraron": the whole again
    restated = summed and any(v == slots.get("monto") for v, _s, _e in montos)
    if slots.get("monto") and U.adds_charge(t.text) and not restated:
        add_charge(t, slots, amount, detalle, changed)  # "y también los análisis, 620"
        return
    if slots.get("monto") != amount or slots.get("monto_detalle") != detalle:
        slots["monto"] = amount
        slots.pop("monto_unknown", None)
        if detalle:
            slots["monto_detalle"] = detalle
            if labels:
                slots["concepto"] = " y ".join(dict.fromkeys(labels))
        else:
            slots.pop("monto_detalle", None)
        changed.append("monto")


def add_charge(t: Turn, slots: dict, amount: float, detalle: str | None, changed: list[str]) -> None:
    """One more charge on top of the one noted ("y luego otros 1,300 de rayos x"): the total
    grows and the breakdown keeps both."""
    labels = U.conceptos(t.text)
    first = slots.get("monto_detalle") or " ".join(filter(None, [slots.get("concepto"),
                                                                 R.money(slots["monto"])]))
    added = detalle or " ".join(filter(None, [" y ".join(labels), R.money(amount)]))
    slots["monto_detalle"] = f"{first} + {added}"
    slots["monto"] = float(slots["monto"]) + float(amount)
    conceptos = [c for c in [slots.get("concepto"), *labels] if c]
    if conceptos:
        slots["concepto"] = " y ".join(dict.fromkeys(conceptos))
    slots.pop("monto_unknown", None)
    changed.append("monto")


def finish_slots(t: Turn, form: dict) -> None:
    slots = form["slots"]
    if not slots.get("fecha"):
        rel = U.relative_date(t.text)
        if rel:
            slots["fecha"] = rel
    if not slots.get("concepto") and form["tipo"] == "cobro_injustificado":
        found = U.concepto(slots.get("description") or t.text)
        if found:
            slots["concepto"] = found


def ask(t: Turn, form: dict, name: str) -> None:
    form["asking"] = name
    again = form.get("misses", 0) > 0
    if name == "description":
        t.say(R.ASK_DESCRIPTION_AGAIN if again else R.ASK_DESCRIPTION.get(form["tipo"], R.ASK_DESCRIPTION["queja"]))
    elif name == "estado_clave":
        town = None if again else U.ambiguous_town(full_description(form) or form.get("intro"))
        if town is not None:  # "en juarez me cobraron…": which Juárez
            form["estado_options"] = list(town[1])
            t.say(R.ask_estado_between(town[0], [BY_CLAVE[c].nombre for c in town[1]]))
        elif again:
            t.say(R.ASK_ESTADO_AGAIN)
        else:
            t.say(R.ASK_ESTADO_INFO if form["tipo"] == "solicitud_informacion"
                  else R.ASK_ESTADO_UNIDAD if form["tipo"] in R.ASKS_WHERE and not form["slots"].get("unidad")
                  else R.ASK_ESTADO)
    elif name == "monto":
        t.say(R.ASK_MONTO_AGAIN if again else R.ASK_MONTO)


def advance(t: Turn) -> None:
    """Ask for the next missing slot, or show the summary for confirmation."""
    form = t.state["form"]
    if not form["slots"].get("estado_clave") and "estado_clave" in missing(form) and not form.get("misses"):
        likely = U.likelier_estado(" ".join(x for x in (full_description(form) or form.get("intro"),
                                                      form["slots"].get("unidad")) if x))
        if likely is not None:  # "en Juárez me cobraron…": Chihuahua, shown in the summary
            form["slots"]["estado_clave"] = likely
    todo = missing(form)
    if todo:
        form["ready"] = False
        t.go(Step.FORM)
        if form.get("asking") != todo[0]:
            form["misses"] = 0
        ask(t, form, todo[0])
        return
    form["ready"] = True
    form["asking"] = None
    t.go(Step.CONFIRM)
    say_summary(t)


def prompt(t: Turn) -> None:
    """Repeat whatever the form is waiting for."""
    form = t.state.get("form")
    if not form:
        t.say(R.MENU)
        return
    if form.get("ready") and not missing(form):
        t.go(Step.CONFIRM)
        say_summary(t)
        return
    advance(t)


def say_summary(t: Turn) -> None:
    form = t.state["form"]
    slots = form["slots"]
    estado = BY_CLAVE.get(slots.get("estado_clave") or "")
    shown = dict(slots, description=full_description(form))
    t.say(*R.summary(form["tipo"], shown, estado.nombre if estado else None, t.settings.privacy_url,
                     short=t.contact.channel == "sms"))

def retype(t: Turn, form: dict) -> bool:
    """The tipo follows what the person says while the report is open: the tipo they name ("no
    es queja, más bien una sugerencia") or, for a complaint or praise, money taken ("nos
    pidieron comprar las gasas", "dejamos 3000 de depósito"): a charge."""
    tipo = form["tipo"]
    if tipo not in REPORT_TIPOS:
        return False
    named = U.named_tipo(t.text)
    new = named if named in REPORT_TIPOS else None
    if new in (None, "queja") and tipo in ("queja", "felicitacion", "sugerencia") \
            and U.describes_charge(t.text) and not U.not_owed(t.text):
        # "quiero quejarme, me hicieron pagar 1,500", "deberían poner un letrero… porque a mí me
        # cobraron 2500": telling of one's own charge is the charge
        new = "cobro_injustificado"
    if new is None and tipo == "cobro_injustificado" and (U.not_owed(t.text) or U.no_charge(t.text)):
        # "al final no pagué nada, pero me tuvieron esperando 6 horas", "no me cobraron nada,
        # nomás no me atendieron"
        new = "queja"
        for slot in ("monto", "monto_detalle", "monto_unknown"):
            form["slots"].pop(slot, None)  # asked for, never paid: nothing to reimburse
    if new is None and tipo == "queja" and t.intent == "felicitacion" and t.confidence >= PRAISE_RETYPES \
            and U.content_words(form["slots"].get("description") or "") <= ANNOUNCEMENT_WORDS:
        # "quiero reportar a una enfermera" … "se quedó con mi bebé toda la noche, un ángel":
        # the announcement said nothing of what happened, the story is praise
        new = "felicitacion"
    if new is None and tipo == "sugerencia" and t.intent == "queja" and t.confidence >= PRAISE_RETYPES \
            and U.content_words(form["slots"].get("description") or "") <= ANNOUNCEMENT_WORDS \
            and U.tells_bad_service(t.text):
        # "tengo una sugerencia" … "a mi tío le dijeron que no hay máquinas y que se vaya": the
        # story is care refused, a complaint, whatever word announced it
        new = "queja"
    if new is None or new == tipo:
        return False
    form["tipo"] = new
    form["amerita"] = None
    return True


def switch_tipo(t: Turn, form: dict, tipo: str) -> None:
    form["tipo"] = tipo
    form["amerita"] = None
    finish_slots(t, form)
    advance(t)


def cancel(t: Turn) -> None:
    """Drop the report being filled in: nothing is registered; the menu is offered."""
    S.clear_flow(t.state)
    t.say(R.FORM_CANCELLED)
    t.say(R.MENU)



def resume(t: Turn) -> None:
    """After answering a side question, pick the form up where it was."""
    if t.form:
        t.go(Step.CONFIRM if t.form.get("ready") else Step.FORM)
        t.say(R.RESUME_PREFIX)
        prompt(t)


def names_a_date(t: Turn) -> bool:
    """The NLU found a fecha: a figure beside it may be a day, not pesos ("el 15 pagué")."""
    return any(e.get("entity") == "fecha" for e in t.entities)


def monto_fix(t: Turn, form: dict, changed: list[str]) -> None:
    """'no, fueron 3500', 'y luego otros 1,300 de rayos x': the amount corrected or added to."""
    slots = form["slots"]
    part = U.replaced_part(t.text, float(slots["monto"]), slots.get("monto_detalle")) \
        if slots.get("monto") is not None else None
    if part is not None:  # "la radiografía fue de 900, no de 1000": that part, the rest kept
        old, new = part
        slots["monto"] = float(slots["monto"]) - old + new
        slots["monto_detalle"] = slots["monto_detalle"].replace(R.money(old), R.money(new), 1)
        if "monto" not in changed:
            changed.append("monto")
        return
    if "monto" not in changed and (form["tipo"] == "cobro_injustificado" or slots.get("monto") is not None):
        k = U.fold(t.text)
        adds = U.adds_charge(t.text) and slots.get("monto") is not None
        cue = (adds or U.starts_with_no(t.text) or any(w in k.split() for w in (
            "fueron", "pesos", "eran", "son", "cobraron", "monto", "pague"))
               or "$" in t.text or U.amount(t.text) is not None and len(k.split()) <= 2)
        has_date = names_a_date(t)
        value = U.last_amount(t.text) if cue and not has_date else None
        if value is not None and adds:
            add_charge(t, slots, value, None, changed)  # "y luego otros 1,300 de rayos x"
        elif value is not None and value != slots.get("monto"):
            slots["monto"] = value
            slots.pop("monto_unknown", None)
            slots.pop("monto_detalle", None)
            changed.append("monto")
