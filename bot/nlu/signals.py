"""Control signals of a message, read before (and whatever) the classifier says: opt-out and
ALTA in any wording (DOMAIN.md §11; Twilio's English words too), MENÚ, a lone menu digit, an
explicit ask for a person. They are part of the one interpretation (bot/nlu/interpret.py) and
work even when the classifier is down: a phone must always be able to leave.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.text.fold import fold

# Opt-out words (DOMAIN.md §11, issue 5) and the usual English ones Twilio also honours.
OPT_OUT_WORDS = frozenset({"baja", "alto", "stop", "cancelar", "alto ya", "stopall", "unsubscribe"})
OPT_IN_WORDS = frozenset({"alta", "start", "unstop"})
MENU_WORDS = frozenset({"menu", "inicio", "opciones", "empezar", "volver", "reiniciar"})
# One greeting or address that may open any message ("buenas tardes señorita, …", "wenas q onda"),
# with the punctuation after it; on folded or ASCII text. The interpretation strips a run of them
# (bot/nlu/interpret.py) and a how-to question may follow them (bot/nlu/howto.py).
GREETING_OPENER = (r"(?:(?:hola|holi|ola|buen[oa]s?|dias|tardes|noches|que tal|q tal|saludos|hey|oiga|"
                   r"oigan|disculpe|una pregunta|senorita|joven|wenas|bnas|q onda|que onda)\b[\s,.;:!¡¿?-]*)")


def keyword(text: str | None) -> str:
    """The whole message as a keyword: 'ALTO YA!!' -> 'alto ya'."""
    return fold(text)[:40]


# An explicit request to stop messages, anywhere in the message (also typed "kiero") ("ya basta, no me manden nada",
# "quítenme de su lista", "gracias, y ya no me manden más mensajes", "stop ya por favor"). Only
# imperative/subjunctive forms about messages: "ya no me mandan mensajes de mi cita" is a
# complaint, "no me manden a otro hospital" is not about messages, "me dieron de baja del seguro"
# is about affiliation.
_STOP_OBJECT = (r"(?=\s*(?:[,.;:!?]|$|mas\b|ya\b|nada\b|nunca\b|mensaj|recado|msj|msg|sms|whats"
                r"|por favor|porfa|x fa|xfa|a este (?:numero|telefono|cel)|aqui\b|al numero"
                r"|(?:tus|sus|esos|estos|los)\s+(?:mensaj|msj|sms|recado|whats)))")
_OPT_OUT_PHRASE_RE = re.compile(
    r"\bno\s+(?:me\s+|nos\s+)?(?:manden|mande|envien|envie|mandes|envies|escriban|escriba"
    r"|escribas|(?:sigan|sigas|estes|esten)\s+(?:mandando|escribiendo|enviando))" + _STOP_OBJECT
    + r"|\bno\s+(?:quiero|kiero|qiero|queremos|keremos)\s+que\s+(?:me|nos)\s+(?:escriban|manden|envien|sigan)"
    r"|\bno\s+(?:quiero|kiero|qiero|queremos|keremos)\s+(?:que|q|k)\s+(?:me|nos)\s+(?:sigan\s+)?(?:llegue|lleguen|llegando)\s+"
    r"(?:\w+\s+)?(?:mensaj|msj|sms|whats|notificacion|recado|aviso)"
    r"|\b(?:ya\s+no|para\s+(?:que|q|k)\s+no|que\s+no)\s+(?:me|nos|le|les)\s+(?:lleguen|llegue)\s+(?:mas\s+)?(?:\w+\s+)?"
    r"(?:mensaj|msj|sms|whats|notificacion|aviso)"
    r"|\b(?:quitar|sacar|borrar|eliminar|bajar)(?:lo|la|me|nos)\s+de\s+(?:su|sus|tu|tus|la|esta|esa)\s+(?:lista|base)"
    r"|\bdej(?:en|e|a)\s+de\s+(?:mandar|enviar|escribir|molestar)(?:me|nos)"
    r"|\bno\s+(?:quiero|kiero|qiero)\s+(?:recibir|que me lleguen)\s+(?:mas\s+|sus\s+|ningun\s+)*"
    r"(?:mensaj|msj|sms|whats|notificacion|recado)"
    r"|\b(?:quit|sac|saqu|borr|elimin|baj)(?:en|e|a)(?:me|nos)\s+de\s+(?:su|sus|tu|tus|la|esta|esa)\s+(?:lista|base)"
    r"|^(?:cancelar|cancela|cancelen|cancelo)\s+(?:los\s+|mis\s+|sus\s+|tus\s+)?(?:mensaj|msj|sms|notificacion|suscripcion|whats)"
    r"|\bno\s+(?:me|nos)\s+vuelvan?\s+a\s+(?:escribir|molestar|contactar|(?:mandar|enviar)"
    + _STOP_OBJECT + ")"
    r"|\b(?:quiten|borren|eliminen|saquen)\s+mi\s+(?:numero|telefono|cel)"
    r"|\b(?:darme|denme|(?:quiero|kiero) darme)\s+de\s+baja\s+de\s+(?:los|sus|este|estos|la)\s+"
    r"(?:mensaj|servicio|lista|whats|sms|notificacion)"
    r"|^(?:stop|baja|alto)\b(?=.*\b(?:mensaj|escrib|mand|envi|ya\b|por favor|porfa|porfavor|pls|plis|"
    r"please|xfa|x fa|gracias))"
    r"|[,.;!]\s*(?:stop|alto|baja)(?:\s+ya)?\s*[.!]*$"
    r"|\bno\s+(?:quiero|kiero|qiero)\s+recibir\s+nada\b"
)


def is_opt_out(text: str | None) -> bool:
    k = keyword(text)
    return k in OPT_OUT_WORDS or bool(_OPT_OUT_PHRASE_RE.search(fold(text, keep=",.;:!?")[:300]))


def is_opt_in(text: str | None) -> bool:
    return keyword(text) in OPT_IN_WORDS


def is_menu(text: str | None) -> bool:
    return keyword(text) in MENU_WORDS


def menu_digit(text: str | None) -> int | None:
    """'3', '3.', ' 3) ', 'opcion 3', '#3' -> 3 (only a lone choice, not '3500')."""
    k = fold(text)
    m = re.fullmatch(r"(?:opcion|la|el|numero|num|no)?\s*([1-9])", k)
    return int(m.group(1)) if m else None


# "humano", "asesor", "operador", or "persona" after a verb of asking ("quiero hablar con una
# persona", "que me atienda una persona"): never "soy una persona mayor" or "la persona que me
# atendió".
# "ocupo que me atienda un licenciado", "comuníqueme con el encargado": a person asked for by role
ASKS_OFFICIAL = (
    r"\b(?:atienda|atiendan|hablar con|hablarlo con|platicar\w* con|comunique\w*|comunicar\w*|pase\w* con)"
    r"\s+(?:con\s+)?(?:un|una|el|la|algun|alguna)?\s*(?:licenciad[oa]|funcionari[oa]|encargad[oa]|"
    r"responsable|supervisor|supervisora|alguien|senorita)\b"
    r"(?!\s+(?:del|de la|de el)\s+(?:hospital|clinica|centro|farmacia|laboratorio|area))")
# "mejor háblenme por teléfono", "¿me pueden llamar?"
CALL_ME = (r"\b(?:hableme|hablenme|llameme|llamenme|marqueme|marquenme)\b"
           r"|\bque (?:alguien |una persona )?me (?:marque|marquen|llame|llamen)\b"
           r"|\bme (?:puede|pueden|podrian|podria) (?:llamar|marcar|hablar por telefono)\b")
# "¿hay algún número donde me contesten personas?": a person wanted, said with the verb
PERSON_ANSWERS = r"\b(?:contesten|conteste|atiendan|respondan|responda)\s+(?:\w+\s+){0,2}personas?\b"
_HUMAN_RE = re.compile(
    r"\b(?:humano|humana|asesor|asesora|agente|operador|operadora|alguien real|persona real|"
    r"hablar con alguien|ejecutivo|ejecutiva)\b"
    r"|\b(?:hablar|comunica\w*|pasa\w*|atienda|conteste|responda|quiero|necesito|ocupo)\b"
    r"[^.?!]{0,25}\bpersona\b"
    r"|" + CALL_ME + "|" + ASKS_OFFICIAL + "|" + PERSON_ANSWERS)


def asks_for_human(text: str | None) -> bool:
    return bool(_HUMAN_RE.search(fold(text)))




# Thoughts of suicide or self-harm, the writer's or someone close's: whatever else the message
# says, the person hears first where to get help now (Línea de la Vida, 911). Wishes to die or to
# hurt oneself only: "se me murió mi papá" or "casi me muero del dolor" are not.
_CRISIS_RE = re.compile(
    r"\b(?:ya\s+)?no\s+(?:quiero|kiero|qiero|deseo|aguanto)\s+(?:seguir\s+)?(?:vivir|viviendo|mas\s+la\s+vida)\b"
    r"|\b(?:me\s+quiero|quiero|kiero|qiero|ganas\s+de)\s+(?:morir(?:me)?|matarme|suicidarme|desaparecer\s+para\s+siempre)\b"
    r"|\bme\s+(?:voy\s+a|quiero|pienso)\s+(?:matar|suicidar|quitar\s+la\s+vida|colgar|cortar\s+las\s+venas)\b"
    r"|\bquitarme\s+la\s+vida\b|\bsuicidarme\b|\bpens\w*\s+en\s+(?:el\s+)?suicidio\b|\bcortarme\s+las\s+venas\b"
    r"|\bse\s+(?:quiere|va\s+a)\s+(?:matar|suicidar|morir|quitar\s+la\s+vida)\b|\bse\s+(?:corta|cortaba|hace\s+dano)(?:\s+(?:sol[oa]|los\s+brazos|las\s+munecas|a\s+proposito))?"
    r"(?=\s*(?:[,.;!?]|$|y\b))"
    r"|\bno\s+vale\s+la\s+pena\s+(?:vivir|seguir\s+viviendo)\b|\bpara\s+que\s+sigo\s+viviendo\b"
    r"|\b(?:quiero|kiero)\s+hacerme\s+dano\b|\bme\s+hago\s+dano\s+a\s+proposito\b")


def in_crisis(text: str | None) -> bool:
    return bool(_CRISIS_RE.search(fold(text)[:600]))


@dataclass(frozen=True)
class Signals:
    opt_out: bool = False
    opt_in: bool = False
    menu: bool = False
    digit: int | None = None  # a lone menu choice, 1-9
    asks_human: bool = False
    crisis: bool = False  # thoughts of suicide or self-harm

    @classmethod
    def read(cls, text: str | None) -> Signals:
        return cls(opt_out=is_opt_out(text), opt_in=is_opt_in(text), menu=is_menu(text),
                   digit=menu_digit(text), asks_human=asks_for_human(text), crisis=in_crisis(text))
