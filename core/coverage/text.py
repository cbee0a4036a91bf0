"""Text normalisation for coverage search: accents, case, stopwords and a light Spanish stemmer.

Citizens write "q", "xq", no accents, typos and lay names. Everything that is compared (catalog
names, synonyms, questions) goes through the same `tokens()` so that "Vesícula", "vesicula" and
"vesículas" meet.
"""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer

from core.text.fold import ascii_lower as fold
from core.text.phonetic import phonetic  # noqa: F401 - re-exported for the search

# Common chat abbreviations, expanded before anything else.
_ABBREVIATIONS = {
    "q": "que",
    "k": "que",
    "xq": "porque",
    "pq": "porque",
    "porq": "porque",
    "tb": "tambien",
    "tmb": "tambien",
    "tmbn": "tambien",
    "d": "de",
    "x": "por",
    "pa": "para",
    "pal": "para el",
    "xfa": "por favor",
    "porfa": "por favor",
    "plis": "por favor",
    "ntp": "",
    "sp": "seguro popular",
    "dr": "doctor",
    "dra": "doctora",
    "hrs": "horas",
    "bb": "bebe",
    "bebecito": "bebe",
    "bebita": "bebe",
    "bebito": "bebe",
    "duele": "dolor",
    "duelen": "dolor",
    "dolia": "dolor",
    "dolian": "dolor",
    "adolorido": "dolor",
    "adolorida": "dolor",
    "operacion": "cirugia",
    "operaciones": "cirugia",
    "operar": "cirugia",
    "operan": "cirugia",
    "operaron": "cirugia",
    "operen": "cirugia",
    "opere": "cirugia",
    "operado": "cirugia",
    "operada": "cirugia",
    "cirujia": "cirugia",
    "sirugia": "cirugia",
    "vacunar": "vacuna",
    "vacunaron": "vacuna",
    "embarazada": "embarazo",
    "embarazadas": "embarazo",
    "embarasada": "embarazo",
    "embarazo": "embarazo",
    "nacio": "nacimiento",
    "naci": "nacimiento",
    "nacer": "nacimiento",
    "nacido": "nacimiento",
    "nacida": "nacimiento",
    "nacidos": "nacimiento",
    "escucha": "oir",
    "escuchar": "oir",
    "escuchan": "oir",
    "oye": "oir",
    "oyen": "oir",
    "sordo": "sordera",
    "sorda": "sordera",
    "sorditos": "sordera",
    "roto": "fractura",
    "rota": "fractura",
    "rotos": "fractura",
    "rompi": "fractura",
    "rompio": "fractura",
    "rompe": "fractura",
    "quebro": "fractura",
    "quebre": "fractura",
    "quebrado": "fractura",
    "quebrada": "fractura",
    "fracture": "fractura",
    "fracturo": "fractura",
    "fracturado": "fractura",
    "fracturada": "fractura",
    "fracturas": "fractura",
    "alivie": "parto",
    "aliviarme": "parto",
    "aliviarse": "parto",
    "aliviara": "parto",
    "aliviarte": "parto",
    "parir": "parto",
    "mordio": "mordedura",
    "mordieron": "mordedura",
    "mordido": "mordedura",
    "mordida": "mordedura",
    "morder": "mordedura",
    "pico": "picadura",
    "picaron": "picadura",
    "picado": "picadura",
    "piquete": "picadura",
    "piquetes": "picadura",
    "torci": "esguince",
    "torcio": "esguince",
    "torcido": "esguince",
    "torcida": "esguince",
    "torcer": "esguince",
    "torcedura": "esguince",
    "doble": "esguince",
    "zafe": "luxacion",
    "zafo": "luxacion",
    "zafado": "luxacion",
    "zafada": "luxacion",
}

def _split(text: str) -> list[str]:
    return text.split()


# Function words: never meaningful, removed everywhere.
_FUNCTION_WORDS = frozenset(
    _split(
    """
    a al ante aqui asi aun aunque ahi ahora con contra cual cuales cuando de del desde donde e el
    ella ellas ellos en entre era eres es esa esas ese eso esos esta estas este esto estos estoy
    estan estamos estar fue fueron ha han he la las le les lo los me mi mis muy ni no nos nuestro
    nuestra o os para pero por porque pues que quien se sea ser si sido sin sobre su sus tal tan
    te ti tu tus u un una uno unos unas usted ustedes y ya yo
    """)
)

# People: they only tell the age (age.py), so they are dropped even from lay synonyms
# ("tumor en la cabeza de un niño" == "tumor en la cabeza de mi hijo").
PERSON_WORDS = frozenset(
    _split(
    """
    hijo hija hijos hijas hijito hijita nino nina ninos ninas ninito ninita chamaco chamaca
    chamacos nene nena mijo mija bebe bebes bebita bebito esposo esposa marido papa papi mami
    abuelo abuela abuelito abuelita abuelitos suegro suegra tio tia sobrino sobrina nieto nieta
    hermano hermana hermanito hermanita primo prima madre padre senor senora senorita persona
    familiar pariente chiquito chiquita infante infantes
    """)
)

FUNCTION_WORDS = _FUNCTION_WORDS | PERSON_WORDS

# Words that never decide which intervention is meant: chat filler, the vocabulary of asking
# about coverage itself, people (used for age hints instead) and time words. Synonyms are matched
# without this list ("operación para no tener hijos"), catalog names with it.
STOPWORDS = FUNCTION_WORDS | frozenset(
    _split(
    """
    algo alguien algun alguna algunas alguno algunos antes bien buen buena buenas bueno buenos
    cada casi como cuanto cuanta cuantos cuantas dos hace hacen hacer hay hola mas mucho nada otra
    otro otros otras poco solo tambien tanto tiene tienen tengo tenemos tener toda todas todo
    todos va van vez oiga oigan disculpe disculpa gracias favor saludos quisiera quiero queria
    saber pregunta preguntar pregunto duda dudas informacion info necesito necesita ocupo ocupa
    puedo puede pueden podrian podria seria serian sera dicen dijeron decir dice
    cubre cubren cubra cubran cubrir cubierto cubierta cubiertos cubiertas cobertura
    seguro popular seguropopular afiliado afiliada afiliados poliza entra entran incluye incluyen
    incluido incluida atienden atiende atender atencion atenderan atenderian dan da dar
    cuesta cuestan costo costos precio precios pagar pago pagan paga cobran cobra cobrar gratis
    gratuito gratuita dinero pesos barato caro cuestion servicio servicios
    tratamiento tratamientos diagnostico diagnosticos manejo medico medica medicos doctor doctora
    enfermedad enfermedades padecimiento padecimientos problema problemas caso cosa cosas
    hospital clinica centro salud consulta consultas
    hijo hija hijos hijas nino nina ninos ninas chamaco chamaca chamacos nene nena mijo mija
    hijito hijita esposo esposa marido mujercita papa papi mami abuelo abuela abuelito
    abuelita suegro suegra tio tia sobrino sobrina nieto nieta hermano hermana primo prima
    madre padre senor senora senorita persona familiar pariente chiquito chiquita
    tardes noches dias buenas buenos tarde noche folio folios tramite queja quejas modulo
    afiliacion afiliar afiliarme renovar renovacion vigencia credencial similares simi
    ano anos mes meses semana semanas dia dias edad
    tiempo hoy ayer manana poquito ahorita rato tenia tuvo tuve tenido estado estuvo
    salio sale dio dieron mando mandaron cuentan cuenta
    detectaron detecto detectado detectada diagnosticaron diagnostico diagnosticado
    diagnosticada encontraron encontro sufre sufrio sufro padece padezco padecen padecio
    trae traigo traen hicieron hizo hagan haga pusieron poner ponen pongan ponga pone
    requiere requiero requieren cobraron cobro cobrado cobrada cobrando cobrar cobren pague
    pagamos pagado pagaron pidieron piden pide pedir hacen estan esta estaba estaban fui fuimos
    vamos voy ir llevar lleve llevaron llevo dijo quieren quiere necesitan ayuda ayudar ayudan
    urge urgente hacerme hacerle hacerse ponerme ponerle realizar realizaron realizan
    mandar checar checaron revisar revisaron revisen atendieron negaron niegan nego
    hago hacemos saben sabe se sabia creo paso pasa pasado ocurre ocurrio
    onda jaja jajaja ok okay bueno claro mire mira senores horario horarios abren cierran
    direccion ubicacion telefono numero whatsapp
    quimio quimios quimioterapia quimioterapias medicina medicinas medicamento medicamentos
    estudio estudios analisis laboratorio receta recetas cita citas
    toma tomo tomar toman tomando tome tomaba
    """)
)

_TOKEN_RE = re.compile(r"[a-z0-9]+")




# "hepatitis C", "diabetes tipo 1", "factor VIII": the letter or number is the meaning.
_COMPOUND_RE = re.compile(
    r"\b(hepatitis|tipo|vitamina|factor)\s+(viii|vii|vi|iv|ix|iii|ii|i|[a-e]|\d{1,2})\b")
# one disease written as one word or two ("tos ferina" / "tosferina")
_SPLIT_WORDS_RE = re.compile(r"\btos ferina\b")
# "va a tener a su bebé", "voy a tener un hijo": giving birth, not a person
_HAVING_A_BABY_RE = re.compile(
    r"\b(?:tener|tenga|tuvo|tuve|tendra|tendre)\s+(?:a\s+)?(?:un|una|mi|su|el|la|sus|mis)?\s*"
    r"(?:bebe|bebes|hijo|hija|nene|nena|gemelos|cuates)\b")
_WISH_RE = re.compile(r"(quier\w*|queremos|pued\w*|pod\w*|busc\w*|intent\w*|logr\w*)\s+$")


def _having_a_baby(m: re.Match) -> str:
    before = m.string[max(0, m.start() - 20): m.start()]
    return m.group(0) if _WISH_RE.search(before) else " parto "


# "nació de 7 meses", "nació antes de tiempo": a preterm birth (the age reader skips it too)
_PRETERM_RE = re.compile(
    r"\bnaci\w*\s+(?:de|a\s+los|con)\s+(?:[4-8]|cuatro|cinco|seis|siete|ocho)\s+meses\b|"
    r"\bnaci\w*\s+(?:de|a\s+las|con)\s+(?:2\d|3[0-6])\s+semanas\b|"
    r"\bnaci\w*\s+antes\s+de\s+tiempo\b|\bsietemesin[oa]\b")
_FILLER_START_RE = re.compile(r"^\W*(?:oye|oiga|oigan|mire|mira)\b")
_MY_MOTHER_RE = re.compile(r"\b(mi|tu|su|nuestra|la de mi)\s+mama\b")


def words(text: str) -> list[str]:
    """Folded words with chat abbreviations expanded (stopwords kept)."""
    out: list[str] = []
    folded = _MY_MOTHER_RE.sub(r"\1 madre", fold(text))  # "mi mamá" is a person, "mama" a breast
    folded = _COMPOUND_RE.sub(r"\1\2", folded)
    folded = _SPLIT_WORDS_RE.sub(lambda m: m.group(0).replace(" ", ""), folded)
    folded = _HAVING_A_BABY_RE.sub(_having_a_baby, folded)
    folded = _PRETERM_RE.sub(" prematuro ", folded)
    folded = _FILLER_START_RE.sub(" ", folded)  # "oye, ..." opens a message, it is not hearing
    for w in _TOKEN_RE.findall(folded):
        exp = _ABBREVIATIONS.get(w)
        if exp is None:
            out.append(w)
        elif exp:
            out.extend(exp.split())
    return out


@lru_cache(maxsize=50000)
def stem(word: str) -> str:
    """A light Spanish stemmer: plurals, gender, diminutives and a few derivational endings.

    It does not need to produce real roots, only the same key for the forms people mix up
    ("vacunas"/"vacuna", "infecciosa"/"infeccioso", "dientitos"/"dientes").
    """
    w = word
    if len(w) <= 3 or w.isdigit():
        return w
    for suf in ("cito", "cita", "citos", "citas", "ito", "ita", "itos", "itas"):
        if w.endswith(suf) and len(w) - len(suf) >= 4:
            w = w[: -len(suf)]
            break
    if w.endswith("ces") and len(w) > 5:
        w = w[:-3] + "z"
    elif w.endswith("es") and len(w) > 5 and w[-3] not in "aeiou":
        w = w[:-2]
    elif w.endswith("s") and len(w) > 4:
        w = w[:-1]
    for suf in ("aciones", "acion", "iciones", "icion", "amiento", "imiento", "mente"):
        if w.endswith(suf) and len(w) - len(suf) >= 4:
            w = w[: -len(suf)]
            break
    if len(w) > 4 and w[-1] in "aeo":
        w = w[:-1]
    return w


_SNOWBALL = snowballstemmer.stemmer("spanish")


@lru_cache(maxsize=20000)
def snowball(word: str) -> str:
    """Snowball's Spanish stem of a folded word: verb forms meet their nouns' stems."""
    return _SNOWBALL.stemWord(word)


PERSON_TOKEN = "_p"  # any person, in loose mode: "tumor en la cabeza de un niño" ~ "... de mi hijo"


def content_words(text: str, strict: bool = True) -> list[str]:
    """Folded words without stopwords or bare numbers (before stemming).

    strict=False only drops function words and turns every person word into PERSON_TOKEN (for
    matching multi-word lay synonyms: "perdí al bebé" needs a person, "perdí mi póliza" has none).
    """
    if strict:
        return [w for w in words(text) if w not in STOPWORDS and not w.isdigit() and len(w) > 1]
    out: list[str] = []
    for w in words(text):
        if w in PERSON_WORDS:
            if PERSON_TOKEN not in out:
                out.append(PERSON_TOKEN)
        elif w not in _FUNCTION_WORDS and not w.isdigit() and len(w) > 1:
            out.append(w)
    return out


def tokens(text: str, strict: bool = True) -> list[str]:
    """Stemmed content tokens of `text`, in order."""
    return [stem(w) for w in content_words(text, strict)]


