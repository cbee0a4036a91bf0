"""One interpretation per turn: intent, secondary intents, entities, confidence, candidates.

Every rule that decides what a message means lives here, in this order, so nothing downstream
re-classifies: the classifier (bot/nlu/engine.py or a Rasa server); a greeting in front of a
request ("hola buenas, me cobraron…") is read without it; an explicit word ("cobro", "folio",
"queja") beats a weak or missing classification; right after a coverage answer a short,
elliptical message ("¿y la vesícula?", "el parto entra?") is another coverage question; the
clauses of a long message are read one by one for a second intent ("me cobraron 300 y ¿la
vacuna la cubren?"). The control signals (opt-out, ALTA, MENÚ, menu digit, ask for a person:
bot/nlu/signals.py) ride along, read from the text even when the classifier is down.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.text.fold import fold as _fold
from core.text.fold import to_ascii

from .charges import asks_cost, describes_charge, fold, no_charge, not_owed
from .concepts import has_concept
from .data import FALLBACK_INTENT
from .howto import asks_how_to_complain
from .normalize import normalize_text
from .scope import asks_advice, insult_only, names_own_program, other_institution, other_matter  # noqa: F401  (read here and by tests)
from .signals import ASKS_OFFICIAL, CALL_ME, GREETING_OPENER, PERSON_ANSWERS, Signals

HINT_CONFIDENCE = 0.55
HINT_OVERRIDES_BELOW = 0.7
HINT_WEAK_BELOW = 0.5
OUT_OF_SCOPE_MIN = 0.5
PRAISE_UNSURE = 0.6
# what an unsure praise cannot be said with ("nunca nos cobraron", "horas" can)
_BAD_SERVICE_RE = re.compile(r"\b(?:verguenza|no habia|no hay|pesim\w*|horrible|maltrat\w*|negaron|nego|"
                             r"groser\w*|abandon\w*|indignante|inhuman\w*|no (?:me|nos|lo|la|le|les) atend\w*|"
                             r"(?:contestaron|contesto|trataron|hablaron|respondieron) (?:bien )?feo|"
                             r"se la pasan? en el cel\w*)\b")
CONTEXT_CONFIDENCE = 0.6
# service refused, told (not asked about): "no me quisieron…", "nos dijeron que no atienden…"
_TOLD_DENIAL_RE = re.compile(r"\bno (?:me|nos|le|les|lo|la) quis\w+\b|"
                             r"\bno (?:me|nos|le|les|lo|la) quieren (?:dar|atender|recibir|operar|surtir|internar)\b|"
                             r"\bno (?:atienden|atendieron|recibieron|"
                             r"quisieron)\b|\basi no se puede\b|\bnom?as (?:da|dan|hay|atiende\w*)\b|"
                             r"\b(?:me|nos|le|les) dijeron (?:que|q|k) no\b|\b(?:me|nos|le|les) negaron\b|"
                             r"\bno (?:me|nos|le|les|se la|se lo|se las|se los) (?:dan|dieron|daban|quieren dar)\b")
TOLD_DENIAL_BELOW = 0.75
_DENIAL_MISREADS = ("solicitud_informacion", "sugerencia", "consulta_cobertura")
_ASKING_WORD_RE = re.compile(r"\b(?:como|cual(?:es)?|donde|cuando|cuanto|puedo|se puede|debo|quisiera saber|"
                             r"quiero saber|saber si|si (?:lo |la |los |las )?cubren?|si (?:esta|estan|es) cubiert\w*)\b")
# a second intent must be this sure in its own clause
SECONDARY_MIN = 0.6
# the two best candidates are both offered when they are this close (and the best is unsure)
CLOSE_MARGIN = 0.15
ELLIPTICAL_MAX_WORDS = 8
# intents that make a case or an answer of their own; greetings, thanks and yes/no are not
SUBSTANTIVE = frozenset({"queja", "cobro_injustificado", "consulta_cobertura",
                         "solicitud_informacion", "sugerencia", "felicitacion", "estado_tramite",
                         "hablar_con_persona"})
_WEAK = frozenset({FALLBACK_INTENT, "fuera_de_alcance", "saludo"})
# readings a story of money taken overrides (a complaint or question that tells of a charge)
_CHARGE_READS = frozenset({FALLBACK_INTENT, "fuera_de_alcance", "saludo", "queja",
                           "solicitud_informacion"})

_GREETING_RE = re.compile(r"^\W*" + GREETING_OPENER + "+", re.IGNORECASE)
# an explicit ask for a person (stricter than the dialogue's "persona" anywhere)
_PERSON_RE = re.compile(r"\b(?:hablar con (?:alguien|una persona|un humano)|asesora?|operadora?)\b|"
                        + ASKS_OFFICIAL + "|" + CALL_ME + "|" + PERSON_ANSWERS)
_HINTS = (
    ("hablar_con_persona", _PERSON_RE),
    ("estado_tramite", re.compile(
        r"\b(?:folio|como va mi|mi reporte|mi queja|seguimiento|estatus|status)\b"
        r"|\ben (?:que|q) (?:estado|situacion) (?:se encuentra|esta|va) (?:mi|el|la) (?:reporte|queja|folio|caso|tramite)\b"
        r"|\bya (?:contestaron|respondieron|revisaron|resolvieron|vieron) (?:mi|la|el) "
        r"(?:queja|sugerencia|reporte|reclamo|solicitud|felicitacion)\b")),
    ("cobro_injustificado", re.compile(
        r"\b(?:cobr\w*|me hicieron pagar|reembolso|devuelvan mi dinero)\b")),
    ("consulta_cobertura", re.compile(r"\b(?:cubre|cubren|cobertura|cubierto|cubierta)\b")),
    ("felicitacion", re.compile(
        r"\b(?:felicitar|felicitacion|felicidades|reconocer a|mis respetos|son lo maximo|"
        r"(?:muchas )?gracias a(?:l| la| los| las)? (?:doctor|doctora|enfermer|personal|hospital|"
        r"clinica|centro de salud|equipo)|(?:excelente|muy buena|buenisima) (?:atencion|trato)|"
        r"quiero agradecer)\b")),
    ("sugerencia", re.compile(
        r"\b(?:sugerencia|sugerir|sugiero|propuesta|un consejo|les recomiendo|seria bueno|"
        r"estaria bien)\b|^\W*(?:mejoren|pongan|contraten|deberian|(?:que|q|k) (?:pongan|haya|abran|"
        r"contraten|mejoren|arreglen|los|las|el|la) )")),
    ("queja", re.compile(
        r"\b(?:queja|quejarme|denuncia|denunciar|reclamo|reclamar|inconformidad|maltrato|"
        # a dirty unit: "hay cucarachas en el cuarto", "los baños están sucísimos"
        r"cucarachas|chinches|ratones|fauna nociva|sucisim\w*|mugros\w*|cochinero|insalubre|"
        # equipment that does not work: "el aire acondicionado de la sala de partos no sirve"
        r"no sirve desde|no funciona desde|descompuest[oa] desde|diagnostico equivocado|negligencia)\b")),
    ("solicitud_informacion", re.compile(r"\b(?:informacion|duda|pregunta|requisitos|tramite)\b")),
)
# where a message turns to another matter: "?", ";", ". ", "y/pero/además/también ¿…"
# ("¿la hemodiálisis está cubierta? porque a mi esposo no le dan la cita…": the reason is a
# matter of its own when it is long enough to be one)
_CLAUSE_RE = re.compile(r"[?;!]+|\.\s+|\s+(?:pero|ademas|tambien|tmb|tmbn|tb|otra cosa|y otra|aparte)\s+|\s+y\s+(?=¿)"
                        r"|,?\s+y\s+(?=(?:queria|quiero|quisiera) saber\b)"
                        r"|,?\s+porque\s+(?=\S+(?:\s+\S+){4})")
_COVERAGE_FOLLOWUP_RE = re.compile(
    r"^\W*(?:y\s+|tambien\s+|oiga\s+y\s+)?(?:el|la|los|las|lo|para|si|mi|de|del|en)?\b.*"
    r"(?:\?|\bentra\b|\bcubre\w*|\bgratis\b|\btambien\b|^\W*y\b)")


def after_greeting(text: str | None) -> str | None:
    """'hola, quiero reportar un cobro' -> 'quiero reportar un cobro' (None when only a greeting)."""
    raw = to_ascii(text)
    m = _GREETING_RE.match(raw)
    if not m:
        return None
    rest = (text or "")[m.end():].strip()
    return rest if len(_fold(rest).split()) >= 2 else None


# "¿hay alguien?", "alguien??", "me leen?": checking someone is there, a greeting (asking for a
# person is said in so many words: bot/nlu/signals.py)
_PRESENCE_RE = re.compile(r"(?:hola\s+)?(?:hay\s+)?alguien(?:\s+(?:ahi|alli|aqui|por ahi))?"
                          r"|me (?:leen|escuchan|contestan)|estan ahi|sigue(?:n)? ahi")
# the act a message opens with: "les sugiero que…", "quiero felicitar a…", "quiero poner una
# queja…": it names the report even when later words sound like another intent ("…que
# expliquen qué cubre el seguro")
_LEAD_ACT_RE = re.compile(
    r"^(?:(?:les|le|yo|pues|bueno|oigan|oiga|mire|miren)\s+)*(?:"
    r"(?P<sugerencia>sugiero|quiero sugerir|quisiera sugerir|me gustaria sugerir|mi sugerencia|"
    r"(?:tengo|les dejo|quiero hacer|quisiera hacer|quiero dejar|una) (?:una )?sugerencia|les propongo)"
    r"|(?P<felicitacion>quiero felicitar|quisiera felicitar|quiero agradecer|quisiera agradecer|"
    r"quiero reconocer|quiero hacer (?:un|una) (?:reconocimiento|felicitacion))"
    r"|(?P<queja>quiero (?:poner|levantar|hacer|presentar|meter) (?:una )?queja|"
    r"quisiera (?:poner|levantar|hacer|presentar) (?:una )?queja|vengo a quejarme|quiero quejarme))\b")
LEAD_OVERRIDES_BELOW = 0.8
OTHER_MATTER_BELOW = 0.6
_REPORTS = frozenset({"queja", "cobro_injustificado", "sugerencia", "felicitacion"})
# what another institution's name makes its own matter (not this channel's)
_INSTITUTION_READS = _REPORTS | {"solicitud_informacion", "consulta_cobertura", "estado_tramite"}
_HOW_TO_READS = frozenset({"queja", "cobro_injustificado", "fuera_de_alcance", "sugerencia", "felicitacion",
                           FALLBACK_INTENT})
_OPT_OUT_READS = frozenset({"solicitud_informacion", "despedida", "negar", "saludo", FALLBACK_INTENT})
# what a message naming the program's own things may be instead of "out of scope"
_OWN_READS = frozenset({"solicitud_informacion", "consulta_cobertura", "queja", "cobro_injustificado",
                        "estado_tramite", "sugerencia", "felicitacion"})
_ADVICE_READS = frozenset({"queja", "consulta_cobertura", "solicitud_informacion", "sugerencia",
                           FALLBACK_INTENT})
_ABOUT_FOLIOS_RE = re.compile(
    r"\b(?:que (?:es|significa)|para que (?:sirve|es)|cuando me dan|en cuanto tiempo me dan|"
    r"(?:me|nos) (?:lo|la) dan|como (?:me )?(?:dan|sacan))\b.{0,25}\bfolio"
    r"|\bfolio\b.{0,25}\b(?:(?:me|nos) (?:lo|la) dan|luego luego|que (?:es|significa))")
# "mi folio dice turnada, ¿qué significa?": what one's own case shows is its status
_MY_FOLIO_SAYS_RE = re.compile(r"\bmi folio\b.{0,20}\b(?:dice|aparece|sale|esta|marca)\b")


_COURTESY = frozenset({"saludo", "agradecimiento", "despedida"})
# what makes an unsure message ours even when it also names something else ("trabajo")
_IN_SCOPE_CONCEPTS = ("pago", "mal_servicio", "cobertura", "enfermedad", "info", "plazo", "datos",
                      "seguimiento", "humano", "felicitar", "sugerir")


def presence_check(text: str | None) -> bool:
    return bool(_PRESENCE_RE.fullmatch(_fold(text)))


def lead_act(text: str | None) -> str | None:
    m = _LEAD_ACT_RE.match(_fold(text)[:200])
    if not m:
        return None
    return next(name for name, value in m.groupdict().items() if value)


def keyword_intent(text: str | None) -> str | None:
    """The intent an explicit word names, or None."""
    k = _fold(text)
    if not k or len(k) > 400:
        return None
    for intent, pattern in _HINTS:
        if pattern.search(k):
            return intent
    return None


@dataclass
class Interpretation:
    text: str
    intent: str
    confidence: float
    entities: list[dict] = field(default_factory=list)
    ranking: list[dict] = field(default_factory=list)
    secondary: list[str] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)  # the two best, when close and unsure
    clauses: dict[str, str] = field(default_factory=dict)  # intent -> the clause it was read in
    source: str = "classifier"  # classifier | greeting | keyword | charge | question | context
    signals: Signals | None = None  # opt-out, ALTA, MENÚ, menu digit, ask for a person

    def __post_init__(self) -> None:
        if self.signals is None:
            self.signals = Signals.read(self.text)

    def as_parse(self) -> dict:
        """The Rasa-shaped parse (plus secondary_intents) stored on the message."""
        return {"text": self.text,
                "intent": {"name": self.intent, "confidence": self.confidence},
                "entities": self.entities, "intent_ranking": self.ranking,
                "secondary_intents": [{"name": s} for s in self.secondary]}


def _top(parse: dict) -> tuple[str, float]:
    intent = parse.get("intent") or {}
    return intent.get("name") or FALLBACK_INTENT, float(intent.get("confidence") or 0.0)


def interpret(text: str, parser, context: dict | None = None) -> Interpretation:
    """What `text` means, given the dialogue `context` ({"step": the dialogue step before this
    message}); `parser` is the NLU backend (its `parse` returns Rasa's shape)."""
    context = context or {}
    signals = Signals.read(text)  # read once: the adjustments below and the dialogue share it
    parse = parser.parse(text)
    intent, conf = _top(parse)
    source = "classifier"
    entities = [e for e in parse.get("entities") or [] if isinstance(e, dict)]
    ranking = list(parse.get("intent_ranking") or [])
    if intent == "fuera_de_alcance" and conf < OUT_OF_SCOPE_MIN:
        # "cataratas" alone: an unsure "out of scope" is rather not understood (the dialogue
        # then tries the coverage catalogue and the menu)
        intent = FALLBACK_INTENT
    greeted = after_greeting(text)
    # the request behind a greeting, read alone when it says enough (3+ words)
    rest = greeted if intent in _WEAK and greeted and len(_fold(greeted).split()) >= 3 else None
    if rest:
        inner = parser.parse(rest)
        i_intent, i_conf = _top(inner)
        if i_intent not in _WEAK:
            intent, conf, ranking, source = i_intent, i_conf, list(inner.get("intent_ranking") or []), "greeting"
            entities = entities or [e for e in inner.get("entities") or [] if isinstance(e, dict)]
    hint = keyword_intent(greeted or text)
    runner_up = {r.get("name") for r in ranking[:3]}
    reported = intent in ("cobro_injustificado", "queja") and any(
        e.get("entity") in ("monto", "unidad") for e in entities)
    if hint is not None and hint != intent and not (hint == "hablar_con_persona" and reported) and (
            intent in _WEAK or conf < HINT_WEAK_BELOW or (conf < HINT_OVERRIDES_BELOW and hint in runner_up)):
        # (a report with its amount or unit keeps its reading; the person asked for rides along)
        # the word decides only what the classifier could not: it never overturns a reading
        intent, conf, source = hint, HINT_CONFIDENCE, "keyword"
    if intent == "cobro_injustificado" and not_owed(text):
        # "me cobraron 400 pero me los regresaron el mismo día; la enfermera me trató feo"
        intent, conf, source = "queja", max(conf, CONTEXT_CONFIDENCE), "charge"
    if intent == "cobro_injustificado" and no_charge(text) and not asks_cost(text):
        # "…la operaron, nunca nos cobraron nada y los doctores…": not a charge
        other = next((r for r in ranking if r.get("name") not in ("cobro_injustificado", FALLBACK_INTENT)), None)
        if other is not None:
            intent, conf, source = str(other.get("name")), float(other.get("confidence") or 0), "charge"
    if other_matter(text, sure=True) or (other_matter(text) and (source == "keyword"
                                                                  or conf < OTHER_MATTER_BELOW)):
        # "FELICIDADES HAS GANADO…", "le mando el recibo de la CFE, me cobraron de más"
        intent, conf, source = "fuera_de_alcance", max(conf, HINT_CONFIDENCE), "keyword"
    if intent == "fuera_de_alcance" and source == "classifier" and names_own_program(text) \
            and not other_matter(text) and not asks_advice(text):
        # "¿dónde me dan la constancia de afiliación?", "¿a qué hora abren el MAO?": a question
        # that names the program's own things is about the program (its best other reading)
        other = next((r for r in ranking if r.get("name") in _OWN_READS), None)
        if other is not None:
            intent, conf, source = str(other["name"]), max(float(other.get("confidence") or 0),
                                                           CONTEXT_CONFIDENCE), "context"
    if intent == "estado_tramite" and not any(e.get("entity") == "folio" for e in entities) \
            and _ABOUT_FOLIOS_RE.search(fold(text)) and not _MY_FOLIO_SAYS_RE.search(fold(text)):
        # "¿qué significa el folio que me mandaron?": how folios work, not one's own
        intent, conf, source = "solicitud_informacion", max(conf, HINT_CONFIDENCE), "keyword"
    norm = normalize_text(text)
    if intent == FALLBACK_INTENT and has_concept("otro_tema", norm) and not any(
            has_concept(c, norm) for c in _IN_SCOPE_CONCEPTS):
        # "jugamos free fire?", "prueba 123": unsure, but about something else entirely
        intent, conf, source = "fuera_de_alcance", max(conf, HINT_CONFIDENCE), "keyword"
    if not norm.strip() and "?" not in (text or ""):
        # "🍆🍑", ".": nothing to read (a "???" stays not understood: they are lost, not playing)
        intent, conf, source = "fuera_de_alcance", HINT_CONFIDENCE, "keyword"
    lead = lead_act(greeted or text)
    if lead is not None and lead != intent and conf < LEAD_OVERRIDES_BELOW and not (
            intent == "fuera_de_alcance" and source == "keyword" and other_matter(text, sure=True)):
        # ("quiero poner una queja contra el chofer de la ruta 7": announced, still not ours)
        intent, conf, source = lead, max(conf, HINT_CONFIDENCE), "keyword"
    if intent in _INSTITUTION_READS and other_institution(text) or (
            intent in _ADVICE_READS and asks_advice(text)) or (
            intent == "cobro_injustificado" and asks_advice(text) and not describes_charge(text)
            and not any(e.get("entity") == "monto" for e in entities)):
        # "en el IMSS de Saltillo me trataron feo", "la constancia de vigencia del ISSSTE", "¿qué
        # le doy para la fiebre?": not this channel's matter, whatever the words of a report or
        # a question (after the lead act: "quiero poner una queja contra el IMSS" too)
        intent, conf, source = "fuera_de_alcance", max(conf, HINT_CONFIDENCE), "keyword"
    if intent in ("queja", "nlu_fallback", "sugerencia") and signals.crisis:
        # "ya no quiero vivir, nadie me quiere": no report to take (the dialogue answers with
        # where to get help: bot/dialogue/router.py)
        intent, conf, source = "fuera_de_alcance", max(conf, HINT_CONFIDENCE), "keyword"
    unsure_praise = intent == "felicitacion" or (intent == FALLBACK_INTENT and bool(ranking)
                                                  and ranking[0].get("name") == "felicitacion")
    if unsure_praise and conf < PRAISE_UNSURE and "queja" in runner_up and _BAD_SERVICE_RE.search(
            fold(text)) and not has_concept("felicitar", norm) and not no_charge(text):
        # "quiero que sepan que no había ambulancia… el gobierno dice que todo está bien": an
        # unsure praise that tells of bad service and praises nothing is the complaint
        intent, conf, source = "queja", max(conf, CONTEXT_CONFIDENCE), "context"
    if intent == "felicitacion" and "queja" in runner_up and _complaint_after_but(text):
        # "la doctora muy buena, pero la de trabajo social muy grosera, me hizo llorar": the
        # praise is the preface, what needs an answer comes after the "pero"
        intent, conf, source = "queja", max(conf, CONTEXT_CONFIDENCE), "context"
    if intent in _DENIAL_MISREADS and source == "classifier" and conf < TOLD_DENIAL_BELOW \
            and "?" not in text and "queja" in runner_up and _TOLD_DENIAL_RE.search(fold(text)) \
            and (intent == "sugerencia" or not _ASKING_WORD_RE.search(fold(text))):
        # "en el módulo de Tuxtepec no me quisieron renovar la póliza…", "nomás da 3 fichas al
        # día, así no se puede", "la quimio ya no se la dan ahí": an unsure information,
        # suggestion or coverage reading that asks nothing and tells of care or service refused
        # is the complaint
        intent, conf, source = "queja", max(conf, CONTEXT_CONFIDENCE), "context"
    if intent in _OPT_OUT_READS and signals.opt_out:
        # "BAJA", "ya no me escriban": no request (the dialogue stops the messages)
        intent, conf, source = "fuera_de_alcance", max(conf, HINT_CONFIDENCE), "keyword"
    if presence_check(text):
        intent, conf, source = "saludo", max(conf, HINT_CONFIDENCE), "keyword"
    has_monto = any(e.get("entity") == "monto" for e in entities)
    if intent in _CHARGE_READS and describes_charge(text) and not asks_cost(text) \
            and not other_matter(text, sure=True) and not other_institution(text) and not not_owed(text) and (
            intent in _WEAK or has_monto or _SAYS_CHARGED_RE.search(fold(text))) \
            or (intent == "felicitacion" and has_monto and describes_charge(text)
                and not no_charge(text) and not asks_cost(text)):
        # "no le daban el alta hasta que liquidáramos 3,800": money taken is a charge (also
        # told with gratitude: "me pidió un billete de 500 para pasarlo, se lo di…")
        intent, conf, source = "cobro_injustificado", max(conf, CONTEXT_CONFIDENCE), "charge"
    if intent in _HOW_TO_READS and asks_how_to_complain(text) and not any(
            e.get("entity") in ("monto", "unidad") for e in entities):
        # "¿cómo pongo una queja?", "¿a dónde mando mis recibos si quiero reclamar?": the way to do
        # it (the answer invites the story; a message naming the unit or the amount is the report)
        intent, conf, source = "solicitud_informacion", max(conf, CONTEXT_CONFIDENCE), "question"
    asks_person = hint == "hablar_con_persona" or (
        intent == "hablar_con_persona" and bool(_PERSON_RE.search(_fold(text))))
    if intent == "hablar_con_persona" and describes_charge(text) and not asks_cost(text):
        # "quiero hablar con alguien porque me cobraron 1,100": the charge, and the person
        # asked for rides along as a secondary intent
        intent, conf, source = "cobro_injustificado", max(conf, CONTEXT_CONFIDENCE), "charge"
    if intent == "cobro_injustificado" and asks_cost(text):
        intent, conf, source = "consulta_cobertura", max(conf, CONTEXT_CONFIDENCE), "question"
    if _elliptical_coverage(text, intent, conf, ranking, context):
        intent, conf, source = "consulta_cobertura", max(conf, CONTEXT_CONFIDENCE), "context"
    if intent == "despedida" and _thanks(norm):
        # "gracias, bye": the thanks is the message, the goodbye rides along (a goodbye is one only
        # when it says nothing else)
        intent, source = "agradecimiento", "courtesy"
    secondary, clauses = _clauses(text, intent, parser)
    asked = next((i for i in secondary if i not in _COURTESY), None)
    if intent in _COURTESY and asked is not None:
        # "gracias, y ¿el parto lo cubren?": the request is the message, the courtesy rides along
        intent, source = asked, "courtesy"
        secondary = [i for i in secondary if i != asked]
    if asks_person and intent != "hablar_con_persona" and "hablar_con_persona" not in secondary:
        secondary.append("hablar_con_persona")
    secondary += [c for c in _courtesies(text, norm, intent) if c not in secondary]
    return Interpretation(text=text, intent=intent, confidence=conf, entities=entities,
                          ranking=ranking, secondary=secondary, clauses=clauses,
                          candidates=_candidates(intent, ranking), source=source, signals=signals)


# "me cobraron y encima me trataron mal": the charge said in so many words leads a complaint
_SAYS_CHARGED_RE = re.compile(r"\b(?:me|nos|le|les)\s+cobraron\b(?!\s+(?:nada|ni))")


def tells_bad_service(text: str | None) -> bool:
    """Care or service refused or given badly, told ("nos dijeron que no había", "grosera")."""
    folded = fold(text or "")
    return bool(_BAD_SERVICE_RE.search(folded) or _TOLD_DENIAL_RE.search(folded))


def _complaint_after_but(text: str) -> bool:
    """What follows the last "pero" tells of bad service and praises nothing."""
    parts = re.split(r"\bpero\b", fold(text))
    if len(parts) < 2:
        return False
    tail = parts[-1]
    return bool(_BAD_SERVICE_RE.search(tail)) and not has_concept("felicitar", normalize_text(tail))


def _elliptical_coverage(text: str, intent: str, conf: float, ranking: list[dict],
                         context: dict) -> bool:
    """Right after a coverage answer, "¿y la vesícula?" asks about coverage again."""
    if not str(context.get("step") or "").startswith("coverage") or intent == "consulta_cobertura":
        return False
    k = fold(text)
    if not k or len(k.split()) > ELLIPTICAL_MAX_WORDS:
        return False
    if intent in ("afirmar", "negar", "agradecimiento", "despedida", "hablar_con_persona",
                  "estado_tramite") and conf >= HINT_OVERRIDES_BELOW:
        return False
    in_top2 = any(r.get("name") == "consulta_cobertura" for r in ranking[:2])
    return (intent in _WEAK or conf < HINT_OVERRIDES_BELOW or in_top2) \
        and bool(_COVERAGE_FOLLOWUP_RE.search(k))


def _clauses(text: str, main: str, parser) -> tuple[list[str], dict[str, str]]:
    """Other substantive intents, each sure of itself in a clause of its own, and the clause
    each intent (the main one too, when a clause carries it) was read from."""
    parts = [p.strip() for p in _CLAUSE_RE.split(text or "") if p and len(p.split()) >= 3]
    if len(parts) < 2:
        return [], {}
    found: list[str] = []
    where: dict[str, str] = {}
    for part in parts:
        intent, conf = _top(parser.parse(part))
        hint = keyword_intent(part)
        if intent not in SUBSTANTIVE and hint is not None:
            intent, conf = hint, SECONDARY_MIN
        if intent not in SUBSTANTIVE or conf < SECONDARY_MIN:
            continue
        if intent == "hablar_con_persona" and not Signals.read(part).asks_human:
            continue  # "soy una persona mayor…": a person is asked for only in so many words
        where.setdefault(intent, part)
        if intent != main and intent not in found:
            found.append(intent)
    return found, where


def _thanks(norm: str) -> bool:
    """Thanks in words (a 🙏 alone is a courtesy of the emoji, not a thanks said)."""
    return has_concept("gracias", norm.replace("emojigracias", ""))


def _courtesies(text: str, norm: str, main: str) -> list[str]:
    """A greeting, thanks or goodbye said beside the main intent ("hola, me cobraron…",
    "gracias, y otra pregunta…", "…eso es todo, bye"): reported, never acted on; `norm` is the
    text as normalize_text gave it."""
    found = []
    opening = _GREETING_RE.match(to_ascii(text))
    if main != "saludo" and opening and has_concept("saludo", normalize_text(opening.group(0))):
        found.append("saludo")
    if main not in ("agradecimiento", "felicitacion") and _thanks(norm):
        found.append("agradecimiento")
    bare = norm.replace("emojigracias", "")
    if main != "despedida" and has_concept("despedida", " ".join(bare.split()[-5:])):
        found.append("despedida")
    return found


def _candidates(intent: str, ranking: list[dict]) -> list[str]:
    if len(ranking) < 2:
        return []
    a, b = ranking[0], ranking[1]
    if float(a.get("confidence") or 0) - float(b.get("confidence") or 0) <= CLOSE_MARGIN \
            and float(a.get("confidence") or 0) < HINT_OVERRIDES_BELOW:
        return [str(a.get("name")), str(b.get("name"))]
    return []


class Interpreter:
    """A parser-shaped view of `interpret` (for evaluation and `sinac nlu parse`)."""

    def __init__(self, parser):
        self.parser = parser

    def parse(self, text: str, context: dict | None = None) -> dict:
        return interpret(text, self.parser, context).as_parse()
