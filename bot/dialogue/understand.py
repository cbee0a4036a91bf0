"""Small deterministic readers the dialogue needs on top of the NLU.

Keywords (opt-out, ALTA, MENÚ), yes/no inside a confirmation, menu digits, an estado written
loosely, relative dates, the concepto charged and whether a message actually tells what happened;
amounts are read in bot/dialogue/money.py (imported here, so the dialogue reads them as U.*).
Pure functions: no database, no model.
"""

from __future__ import annotations

import re

from bot.nlu import amounts
from bot.nlu.charges import describes_charge, no_charge, not_owed  # noqa: F401  (read as U.*)
from bot.nlu.fechas import relative_when
from bot.nlu.interpret import (  # noqa: F401
    after_greeting,
    keyword_intent,
    lead_act,
    tells_bad_service,
)
from bot.nlu.signals import (  # noqa: F401  (the dialogue reads them as U.*)
    OPT_IN_WORDS,
    OPT_OUT_WORDS,
    asks_for_human,
    is_menu,
    is_opt_in,
    is_opt_out,
    keyword,
    menu_digit,
)
from core.text.fold import fold

from .money import (  # noqa: F401  (the dialogue reads them as U.*)
    adds_charge,
    amount,
    amount_answer,
    amount_with_cue,
    approx_amount,
    count_told,
    dont_know,
    last_amount,
    leading_amount,
    price_each,
    replaced_part,
)
from .places import ambiguous_town, estado_loose, estado_places, likelier_estado  # noqa: F401  (read as U.*)

_YES = {"si", "s", "sip", "sii", "claro", "ok", "okey", "okay", "va", "sale", "dale", "correcto",
        "esta bien", "de acuerdo", "adelante", "afirmativo", "exacto", "asi es", "confirmo",
        "registralo", "registrelo", "simon", "yes", "si claro", "claro que si", "si por favor",
        "si gracias", "si esta bien", "si correcto", "si registralo", "si adelante", "perfecto",
        "si asi", "asi esta bien", "si es correcto", "acepto", "si acepto", "👍"}
_NO = {"no", "n", "nop", "nel", "nope", "no gracias", "mejor no", "ya no", "negativo", "nada",
       "no quiero", "no ya no", "olvidalo", "olvidalo mejor", "dejalo", "no registres", "no lo registres",
       "cancela", "cancelalo", "no por favor", "ninguno", "ninguna"}
# a bare "no": to a summary, as often "it is not right" as "do not register it"
# a no said alone, nothing else; PLAIN_NO adds "it is not right" in a few words
BARE_NO = frozenset({"no", "n", "nop", "nel", "nope", "negativo", "no no"})
PLAIN_NO = BARE_NO | frozenset({"no es correcto", "no esta bien", "esta mal", "incorrecto", "no es asi",
                                "asi no", "no, esta mal"})
_CANCEL_PHRASES = ("cancela el reporte", "cancelar el reporte", "cancelar reporte", "cancela la queja",
                   "ya no quiero", "olvidalo", "mejor no", "no quiero registrar", "no quiero seguir",
                   "no lo registres", "cancelalo")


# Words that may ride along a yes without changing it: "sí mija, está bien", "ándale pues
# señorita", "simón, gracias", "sí sí, adelante por favor".
_YES_HEADS = frozenset({"si", "sip", "sii", "simon", "claro", "ok", "okay", "oki", "va", "vale",
                        "sale", "andale", "orale", "correcto", "exacto", "afirmativo", "dale",
                        "perfecto", "listo", "aja", "yes", "confirmo", "acepto", "sta"})
_YES_FILLER = frozenset({"si", "mija", "mijo", "hija", "hijo", "senorita", "senor", "joven",
                         "licenciada", "licenciado", "esta", "bien", "todo", "asi", "es", "pues",
                         "ps", "gracias", "por", "favor", "porfa", "adelante", "claro", "ok",
                         "correcto", "de", "acuerdo", "perfecto", "exacto", "va", "sale", "ya",
                         "muchas", "mil", "que", "registralo", "registrelo", "confirmo",
                         "andale", "orale", "oiga", "mire", "seno", "amiga", "amigo", "jefe",
                         "dios", "la", "bendiga", "le", "lo", "este", "hagalo", "hazlo", "eso",
                         "se", "pague", "agradezco", "ahora", "quedo", "queda",
                         "registre", "registren", "mande", "manden", "senito", "usted",
                         "su", "atencion", "amabilidad", "ayuda", "apoyo", "mucho", "muy", "amable",
                         "registrela", "registrala", "registrenla", "registrenlo",
                         "confidencial"})


# what may open a yes without changing it: "ah perdón, sí, regístrelo", "bueno pues sí"
_YES_OPENERS = frozenset({"ah", "oh", "eh", "ay", "perdon", "perdone", "disculpe", "disculpa", "oiga",
                          "mire", "bueno", "pues", "ok", "okey", "aa", "ahh", "entonces", "ahora", "ya"})


def _without_openers(words: list[str]) -> list[str]:
    while len(words) > 1 and words[0] in _YES_OPENERS and words[1] not in ("no", "nel", "nop"):
        words = words[1:]
    return words


def is_yes(text: str | None) -> bool:
    k = " ".join(_without_openers(fold(text).split()))
    if not k and "👍" in (text or ""):
        return True
    if k in _YES:
        return True
    words = k.split()
    if words[:2] in (["asi", "es"], ["asi", "esta"], ["asi", "mero"], ["esta", "bien"],
                     ["muy", "bien"], ["esta", "correcto"], ["es", "correcto"], ["todo", "bien"],
                     ["todo", "correcto"], ["asi", "mero"]):
        words = ["si", *words[2:]]  # "así es, gracias", "muy bien, sí, está correcto"
    # a yes word first and nothing after it but courtesy: never a "no" hiding in it
    return bool(words) and words[0] in _YES_HEADS and len(words) <= 10 \
        and all(w in _YES_FILLER or w in _YES_HEADS for w in words[1:])


_REGISTER_RE = re.compile(r"\bregistr\w*|\blevant\w+ (?:la|el|mi)\b|\bmand\w*lo\b")


def says_register(text: str | None) -> bool:
    """'regístrelo', 'levántela así': the person asks for the report to be registered."""
    return bool(_REGISTER_RE.search(fold(text)))


def yes_restating(text: str | None) -> bool:
    """A yes followed by what the summary already says ("sí correcto, son los 405"): the caller
    checks nothing in it differs from the summary; any "pero"/"no" keeps it from being a yes."""
    words = _without_openers(fold(text).split())
    return bool(words) and words[0] in _YES_HEADS and len(words) <= 12 \
        and not {"no", "pero", "aunque", "falta", "cambia", "cambie", "corrige", "nel"} & set(words)


def is_no(text: str | None) -> bool:
    k = fold(text)
    if not k and "👎" in (text or ""):
        return True
    return k in _NO


def pick_option(text: str | None, options: list[str]) -> str | None:
    """The answer to "¿Juárez de Chihuahua o de Nuevo León?": a yes, "la primera", "1" -> the
    first; a plain no, "la segunda", "2", "no, la otra" -> the second (the yes words are
    is_yes's, the no words PLAIN_NO's: "cancela" is not "the other one")."""
    k = fold(text or "")
    if re.fullmatch(r"(?:no\s+)?(?:la\s+)?(?:segunda|otra|2|de nuevo|el otro|la de abajo)(?:\s+opcion)?|no es", k) \
            or k in PLAIN_NO:
        return options[1]
    if re.fullmatch(r"(?:si\s+)?(?:esa|ese|la primera|primera|1|esa misma|ese mero)", k) or is_yes(text):
        return options[0]
    return None


# A whole message that only cancels: "cancelar por favor", "quiero cancelar", "ya no, gracias",
# "mejor lo dejo así", "olvídalo mejor", "cancela el reporte porfa".
_CANCEL_RE = re.compile(
    r"(?:no\s+(?!cancel))?"
    r"(?:(?:mejor|ya|quiero|quisiera|me gustaria|puedo|podemos|hay que|por favor|porfa|oye|"
    r"oiga|este|pues|siempre|entonces|asi que|mejor ya)\s+)*"
    r"(?:cancela(?:r|lo|la|rlo|rla|mos)?|olvida(?:lo|la)?|olvidelo|olvidate|dejalo|dejala|dejelo|"
    r"ya no|mejor no|lo dejo|la dejo|lo dejamos|la dejamos|dejarlo|ya no quiero seguir|"
    r"ya no quiero continuar|no quiero seguir|no quiero continuar|ya no quiero hacer(?:lo)?|"
    r"ya no quiero reportar|ya no quiero registrar(?:lo)?|no quiero registrar(?:lo)?)"
    r"(?:\s+(?:el|la|mi|este|esta|eso|esto|todo|asi|mejor|reporte|queja|tramite|registro|cobro|"
    r"formulario|por favor|porfa|gracias|pues|ya|mas|tarde|luego|de momento|por ahora|"
    r"por el momento))*"
)


def is_cancel(text: str | None) -> bool:
    k = fold(text)
    if not k:
        return False
    return (k in _NO or any(k.startswith(p) or k == p for p in _CANCEL_PHRASES)
            or bool(_CANCEL_RE.fullmatch(k[:120])))


def is_clear_cancel(text: str | None) -> bool:
    """The whole message is only a cancellation (no story, no data after it)."""
    k = fold(text)
    return bool(k) and (k in _NO or bool(_CANCEL_RE.fullmatch(k[:120])))


# "olvídelo, ya me lo regresaron", "ya no, mejor lo arreglo allá": a message that opens by
# dropping the report, whatever reason follows
_LEAD_CANCEL_RE = re.compile(
    r"^(?:(?:no|ya|mejor|oiga|oye|sabe que|sabes que|ah|pues)\s+)*"
    r"(?:olvid(?:e|a|en)lo|olvid(?:e|a|en)la|olvidate|olvidese|cancel(?:e|a|en)lo|cancel(?:e|a|en)la|"
    r"dejelo|dejalo|dejenlo|ya no hace falta|ya no es necesario|ya no quiero|no lo registre\w*|"
    r"mejor no)\b(?:\s*(?:,|\.|;|!|\bya\b|\bporque\b|\bpues\b|\bgracias\b|$))")


def leads_with_cancel(text: str | None) -> bool:
    return bool(_LEAD_CANCEL_RE.match(fold(text, keep=",.;!")[:200]))


def starts_with_no(text: str | None) -> bool:
    return fold(text).split(" ", 1)[0] in {"no", "nel", "nop"}


# --- dates, concepto --------------------------------------------------------------------------

def relative_date(text: str | None) -> str | None:
    """'fue ayer en la tarde' -> 'ayer': the NLU's reading of a relative when (bot/nlu/fechas.py)."""
    return relative_when((text or "")[:500])


_CONCEPTOS = (  # (folded word, what the case records): the thing itself, never just its family
    ("consulta", "consulta"),
    ("medicamento", "medicamento"), ("medicina", "medicamento"), ("receta", "medicamento"),
    ("pastillas", "medicamento"), ("insulina", "insulina"), ("antibiotico", "antibiótico"),
    ("jarabe", "jarabe"), ("inyeccion", "inyección"), ("farmacia", "medicamento"),
    ("vacuna", "vacuna"), ("quimio", "quimioterapia"), ("hemodialisis", "hemodiálisis"),
    ("dialisis", "diálisis"), ("terapia", "terapia"),
    ("ultrasonido", "ultrasonido"), ("rayos x", "rayos X"), ("radiografia", "radiografía"),
    ("laboratorio", "estudios de laboratorio"), ("analisis", "análisis de laboratorio"),
    ("tomografia", "tomografía"), ("mastografia", "mastografía"), ("papanicolaou", "papanicolaou"),
    ("estudio", "estudio"),
    ("cesarea", "cesárea"), ("parto", "parto"),
    ("cirugia", "cirugía"), ("operacion", "cirugía"), ("operaron", "cirugía"),
    ("hospitalizacion", "hospitalización"), ("internaron", "hospitalización"),
    ("urgencias", "urgencias"), ("material", "material de curación"), ("gasas", "material de curación"),
    ("cuota", "cuota"), ("credencial", "cuota"), ("poliza", "cuota"), ("ambulancia", "ambulancia"),
)


def concepto(text: str | None) -> str | None:
    words = f" {fold(text)} "
    for key, label in _CONCEPTOS:
        if f" {key}" in words:
            return label
    return None


# --- does the message tell what happened? ---------------------------------------------------

_GENERIC = frozenset({
    "hola", "buenas", "buenos", "dias", "tardes", "noches", "que", "tal", "quiero", "quisiera",
    "queria", "necesito", "deseo", "me", "gustaria", "poner", "hacer", "levantar", "presentar",
    "meter", "dejar", "registrar", "reportar", "denunciar", "una", "un", "el", "la", "los", "las",
    "de", "del", "en", "a", "y", "o", "queja", "quejas", "reporte", "reclamo", "inconformidad",
    "cobro", "cobros", "cobraron", "indebido", "injustificado", "sugerencia", "sugerencias",
    "felicitacion", "felicitar", "felicitaciones", "comentario", "por", "favor", "porfavor",
    "ayuda", "ayudar", "ayudame", "puede", "pueden", "podrian", "si", "no", "seguro", "popular",
    "tengo", "es", "para", "con", "mi", "sobre", "al", "se", "le", "lo", "tener", "informacion",
    "informes", "info", "duda", "dudas", "pregunta", "preguntas", "saber", "consultar",
    "otra",
})


def tells_story(text: str | None) -> bool:
    """True when the message says something about the case beyond 'quiero poner una queja'."""
    words = [w for w in fold(text).split() if not w.isdigit() or len(w) > 1]
    content = [w for w in words if w not in _GENERIC]
    return len(content) >= 3 or (len(content) >= 2 and len(words) >= 5)


def content_words(text: str | None) -> int:
    return len([w for w in fold(text).split() if w not in _GENERIC])


_COVERAGE_CUE_RE = re.compile(r"\b(?:cubre|cubren|cubierto|cubierta|cobertura|incluye|incluyen|"
                              r"entra|entran|ampara|me lo pagan|es gratis|tiene costo)\b")


def mentions_vaccine(text: str | None) -> bool:
    return bool(re.search(r"\bvacun", fold(text)))


def asks_coverage(text: str | None) -> bool:
    """The message asks whether something is covered ('¿no que lo cubren?', 'no es gratis?'),
    beyond a bare question mark."""
    return bool(_COVERAGE_CUE_RE.search(fold(text)))


def without_entities(text: str, entities: list[dict],
                     kinds: tuple[str, ...] = ("monto", "unidad", "estado", "fecha", "curp", "folio")) -> str:
    """The text with the named entities cut out ('me cobraron 2500 por la cesárea en el hospital
    general de Toluca' -> 'me cobraron por la cesárea en'): what is left is what was charged."""
    spans = sorted((int(e.get("start") or 0), int(e.get("end") or 0)) for e in entities or []
                   if e.get("entity") in kinds and e.get("end"))
    out, pos = [], 0
    for start, end in spans:
        if start >= pos:
            out.append(text[pos:start])
            pos = end
    out.append(text[pos:])
    return " ".join(" ".join(out).split())


def coverage_cue(text: str | None) -> bool:
    return "?" in (text or "") or bool(_COVERAGE_CUE_RE.search(fold(text)))


def looks_like_garbage(text: str | None) -> bool:
    """Keyboard mashing or a pasted blob: mostly overlong or vowel-less tokens."""
    words = fold(text).split()
    if not words:
        return False
    odd = [w for w in words if len(w) > 25 or (len(w) > 4 and not re.search(r"[aeiou]", w))]
    return len(odd) * 2 >= len(words)


# --- several charges in one message: bot/nlu/amounts.py (the NLU reports them combined) ------

combine_amounts = amounts.combine_amounts


def conceptos(text: str | None) -> list[str]:
    """Every concepto named, in order of appearance ('250 la consulta y 180 la vacuna' ->
    ['consulta', 'vacuna'])."""
    words = f" {fold(text)} "
    found: list[tuple[int, str]] = []
    for key, label in _CONCEPTOS:
        pos = words.find(f" {key}")
        if pos >= 0 and label not in [lb for _p, lb in found]:
            found.append((pos, label))
    return [label for _p, label in sorted(found)]


# --- the tipo the person names for their report ---------------------------------------------

_TIPO_NOUNS = (("queja", "queja"), ("quejarme", "queja"), ("sugerencia", "sugerencia"),
               ("felicitacion", "felicitacion"), ("felicitar", "felicitacion"),
               ("agradecimiento", "felicitacion"), ("reconocimiento", "felicitacion"),
               ("cobro indebido", "cobro_injustificado"),
               ("cobro injustificado", "cobro_injustificado"), ("cobro", "cobro_injustificado"),
               ("reembolso", "cobro_injustificado"))
_TIPO_RE = re.compile(
    r"\b(?P<neg>no\s+)?"
    r"(?:es|era|seria|sea|como|mas bien|en realidad|mejor|ponlo como|ponla como|quiero|quisiera|"
    r"llegue|lleguen|hagan llegar|hacerles llegar|dejo|les dejo|va|den|quede|queda|quedar)"
    r"\s+(?:poner\s+|hacer\s+|dejar\s+|levantar\s+|presentar\s+|dar\s+)?(?:una?\s+|mi\s+|esta\s+|la\s+|el\s+)?"
    r"(?P<noun>" + "|".join(n for n, _t in _TIPO_NOUNS) + r")\b")


_TIPO_OPENING_RE = re.compile(r"^(?:si\s+)?(?:la|una|el|un|mi)\s+(?P<noun>queja|sugerencia|felicitacion|cobro)\b"
                              r"(?!\s+(?:es|fue|era)\b)")


def named_tipo(text: str | None) -> str | None:
    """The tipo a person names for their report ("bueno no es queja, más bien una sugerencia",
    "sí, como sugerencia", "es un cobro", "la queja, lo de la doctora nomás quería decirlo",
    "sugiero que pongan letreros"): the last one not negated, or None."""
    lead = lead_act(text)
    if lead is not None:
        return lead
    m = _TIPO_OPENING_RE.match(fold(text)[:120])
    found = dict(_TIPO_NOUNS)[m.group("noun")] if m else None
    for m in _TIPO_RE.finditer(fold(text)[:300]):
        if m.group("neg"):
            continue
        found = dict(_TIPO_NOUNS)[m.group("noun")]
    if found is None and _PRAISE_WISH_RE.search(fold(text)[:400]):
        found = "felicitacion"  # "…todo cambió. Quiero que le feliciten a él"
    if found is None and _SUGGESTION_WISH_RE.search(fold(text)[:400]):
        found = "sugerencia"  # "no es queja, nomás que lo tomen en cuenta"
    return found


# an idea offered, not a fault reported: "nomás que lo tomen en cuenta", "es un comentario"
_SUGGESTION_WISH_RE = re.compile(
    r"\b(?:q|que)\s+(?:lo|la|los)\s+tomen\s+en\s+cuenta\b|\bes\s+(?:nomas\s+|solo\s+)?(?:un\s+comentario|"
    r"una\s+(?:observacion|recomendacion|propuesta|idea))\b")


# praise asked for in a verb: "quiero que le feliciten", "me gustaría que reconocieran al doctor"
_PRAISE_WISH_RE = re.compile(
    r"(?<!no )\b(?:quiero|quisiera|queremos|quisieramos|me gustaria|nos gustaria|ojala)\s+"
    r"(?:que\s+)?(?:le\s+|les\s+|lo\s+|la\s+)?(?:feliciten|felicitaran|felicitar(?:lo|la|los|las)?|"
    r"reconozcan|reconocieran|reconocer(?:lo|la|les)?)\b")


# a message that is a health unit's name in short form ("cs huamantla", "hosp. general")
_UNIT_WORDS_RE = re.compile(r"^(?:el |la |en el |en la )?(?:cs|c s|centro de salud|hospital|hosp|clinica|"
                            r"hgz|hg|umf|unidad|modulo|uneme|caravana)\b")


def unit_words(text: str | None) -> str | None:
    """The message itself when it is a unit named in short form, else None."""
    k = " ".join((text or "").split())
    return k[:120] if k and len(k.split()) <= 6 and _UNIT_WORDS_RE.match(fold(k)) else None


# "cuándo"/"dónde" open a question only with its mark: "pero cuando entró el doctor…" is the story
_QUESTION_START_RE = re.compile(r"^(?:(?:oiga|oye|y|pero|ah|ok|bueno|disculpe)\s+)*(?:cuanto|"
                                r"por que|para que|quien|cual|me van a|van a|y si|es cierto)\b")


def is_question(text: str | None) -> bool:
    """A question to the bot ("oiga, ¿y cuánto tardan en contestar?", "¿me van a devolver mi
    dinero?"), not a line of the story."""
    raw = text or ""
    return "?" in raw or "¿" in raw or bool(_QUESTION_START_RE.match(fold(raw)[:80]))

