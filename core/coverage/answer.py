"""The Spanish replies. Every reply fits one WhatsApp message and two GSM-7 SMS segments.

Menu numbers follow the bot: 2 = reportar un cobro, 4 = información, 6 = hablar con una persona.
Only GSM-7 characters are used besides the accented vowels (which the SMS sender transliterates),
so a reply of at most MAX_CHARS characters is at most 2 segments (306 septets).
"""

from __future__ import annotations

import re

from core.coverage.catalog import Intervention
from core.text.gsm7 import segment_count, transliterate, units

MAX_CHARS = 300

NOMBRE_CARTERA = {
    "CAUSES": "CAUSES",
    "FPGC": "FPGC (Gastos Catastróficos)",
    "SMSXXI": "Seguro Médico Siglo XXI",
}

HUMANO = "Escribe 6 para hablar con una persona o 4 para abrir una solicitud de información."
GRATIS = "Es sin costo (sin desembolso) en unidades acreditadas de cualquier estado."
COBRO = "Si te cobran, es un cobro injustificado: escribe 2 y lo reportamos."

_SMS_SAFE = str.maketrans({"{": "(", "}": ")", "[": "(", "]": ")"})


def sms_text(text: str) -> str:
    """The reply as the SMS sender would send it: GSM-7 only (á -> a, no smart quotes), and no
    character of the extension table (two septets each)."""
    return transliterate(text.translate(_SMS_SAFE))


def gsm_septets(text: str) -> int:
    """Septets used by `text` in GSM-7 (extension characters count twice)."""
    return sum(units(sms_text(text), "gsm7"))


def sms_segments(text: str) -> int:
    return segment_count(sms_text(text))


def clean(text: str) -> str:
    text = text.replace("*", "")
    return re.sub(r"\s+", " ", text.translate(str.maketrans({"{": "(", "}": ")", "[": "(",
                                                             "]": ")", "“": '"', "”": '"',
                                                             "…": "..."}))).strip()


_PREFIXES = re.compile(
    r"^(diagn[oó]stico y tratamiento|diagn[oó]stico|tratamiento|manejo|atenci[oó]n|"
    r"reducci[oó]n quir[uú]rgica|extirpaci[oó]n)"
    r"(?: (?:farmacol[oó]gico|quir[uú]rgico|conservador|m[eé]dico|hospitalario|ambulatorio|"
    r"integral))?(?: de| del| por)?(?: la| los| las| el)?\s+",
    re.IGNORECASE,
)


def _drop_parentheticals(s: str) -> str:
    prev = None
    while prev != s:
        prev, s = s, re.sub(r"\s*\([^()]*\)", "", s)
    return re.sub(r"\s+", " ", s.replace("(", "").replace(")", "")).strip()


def short_name(nombre: str, limit: int = 60) -> str:
    """'Diagnóstico y tratamiento de colecistitis y colelitiasis' -> 'Colecistitis y colelitiasis'."""
    s = clean(nombre)
    s2 = _PREFIXES.sub("", s)
    if len(s2) >= 4:
        s = s2
    s = re.sub(r"^vacunaci[oó]n (?:profil[aá]ctica )?contra (?:el |la )?", "Vacuna ", s, flags=re.IGNORECASE)
    s = re.sub(r"^administraci[oó]n de vacuna ", "Vacuna ", s, flags=re.IGNORECASE)
    if len(s) > limit:
        s = _drop_parentheticals(s)
    if len(s) > limit and "," in s and s.index(",") >= 12:
        s = s[: s.index(",")]
    if len(s) > limit:
        s = s[: limit - 3].rsplit(" ", 1)[0].rstrip(",;:") + "..."
    return s[:1].upper() + s[1:]


def cite(item: Intervention) -> str:
    """'la intervención 238 del CAUSES 2016' (the number only together with its edition)."""
    nombre = NOMBRE_CARTERA.get(item.cartera, item.cartera)
    if item.numero is not None and item.cita_numero:
        return f"la intervención {item.numero} del {nombre} {item.edicion}"
    return f"el {nombre} {item.edicion}"


def _fit(parts: list[str], name: str, build) -> str:
    """Build the text with `name`, shortening the name first, then dropping optional parts."""
    for limit in (len(name), 90, 70, 50, 35):
        nm = name if limit >= len(name) else short_name(name, limit)
        text = build(nm, parts)
        if len(text) <= MAX_CHARS:
            return text
    while len(parts) > 0:
        parts = parts[:-1]
        text = build(short_name(name, 35), parts)
        if len(text) <= MAX_CHARS:
            return text
    return text[: MAX_CHARS - 3] + "..."


# How the question reached the intervention when it named a drug, a study or a symptom.
_VIA = {"medicamento": "{t}: se da dentro de",
        "estudio": "{t}: se incluye como estudio de",
        "sintoma": "Por lo que describes ({t}), puede ser",
        "descripcion": "Por lo que describes, puede ser"}


def via_text(kind: str | None, termino: str | None) -> str | None:
    if not termino or kind not in _VIA:
        return None
    return _VIA[kind].format(t=clean(termino)[:40])


def covered_text(item: Intervention, limite: str | None, via: str | None = None) -> str:
    head = f"Sí, lo cubre {cite(item)}"
    if via:
        head = f"{via[:1].upper()}{via[1:]} {cite(item)}. Sí está cubierto"

    def build(nm: str, parts: list[str]) -> str:
        return " ".join([f"{head}: {nm}."] + parts)

    extra = []
    if limite:
        extra.append(f"Límite: {limite}.")
    extra += [GRATIS, COBRO]
    # the cobro line is required: shorten the name before dropping anything
    text = _fit(extra, short_name(item.nombre, 200) if len(item.nombre) > 120 else clean(item.nombre),
                build)
    if COBRO not in text:
        text = build(short_name(item.nombre, 30), [GRATIS, COBRO])
        if len(text) > MAX_CHARS:
            text = build(short_name(item.nombre, 30), ["Sin costo en unidades acreditadas.", COBRO])
    return text


def age_excluded_text(item: Intervention, limite: str, edad: float | None) -> str:
    """Covered only for another age; `edad` None: the message only said it is an adult."""
    nm = short_name(item.nombre, 60)
    quien = f"con {fmt_age(edad)}" if edad is not None else "para una persona adulta"
    text = (f"{nm} está en {cite(item)} solo para {limite}; {quien} no aparece en los "
            f"catálogos del Seguro Popular. {HUMANO}")
    if len(text) > MAX_CHARS:
        text = (f"{short_name(item.nombre, 35)} se cubre solo para {limite}; {quien}"
                f" no aparece en los catálogos. {HUMANO}")
    return text


def not_covered_text(etiqueta: str) -> str:
    que = etiqueta[:1].lower() + etiqueta[1:]
    text = (f"Lo siento, el Seguro Popular no cubre {que}: no está en el CAUSES, el FPGC ni el "
            f"Seguro Médico Siglo XXI. {HUMANO}")
    return text if len(text) <= MAX_CHARS else f"Lo siento, eso no lo cubre el Seguro Popular. {HUMANO}"


ADULT_CANCERS = ("mama, cervicouterino, ovario, próstata, testículo, colon y recto, esófago y "
                 "linfoma no Hodgkin")


def adult_cancer_text() -> str:
    """Another adult cancer: the FPGC names only these for adults."""
    return (f"En adultos, el FPGC cubre solo el cáncer de {ADULT_CANCERS}; ese no está en los "
            f"catálogos (en menores de 18 años, el FPGC cubre todos). {HUMANO}")


def not_sure_text(item: Intervention) -> str:
    text = (f"No estoy seguro de haber entendido. Lo más parecido es {short_name(item.nombre, 60)}"
            f" ({item.cartera}). {HUMANO}")
    return text if len(text) <= MAX_CHARS else f"No estoy seguro de haber entendido. {HUMANO}"


def closest_text(items: list[Intervention]) -> str:
    """Unsure, with the closest interventions named so the person can say which one."""
    names = " o ".join(f"{short_name(it.nombre, 50)} ({it.cartera})" for it in items)
    text = f"No estoy seguro de haber entendido. Lo más parecido: {names}. {HUMANO}"
    return text if len(text) <= MAX_CHARS else not_sure_text(items[0])


def not_found_text() -> str:
    return ("No encontré eso en los catálogos del Seguro Popular (CAUSES, FPGC y Seguro Médico "
            "Siglo XXI). Dime el padecimiento, estudio u operación con otras palabras. " + HUMANO)


VACUNAS_CAUSES = ("BCG, hepatitis B, pentavalente, rotavirus, neumococo, influenza, sarampión (SRP), "
                  "VPH, tétanos")


def vaccine_not_listed_text(label: str) -> str:
    """A vaccine the catalogs do not list: say so, and what vaccination they do cover."""
    head = f"No encontré la vacuna contra {label} en los catálogos del Seguro Popular."
    for vacunas in (VACUNAS_CAUSES, "BCG, hepatitis B, rotavirus, neumococo, influenza, VPH, tétanos",
                    None):
        body = (f" El CAUSES sí cubre sin costo las vacunas del esquema nacional ({vacunas})."
                if vacunas else " El CAUSES sí cubre sin costo las vacunas del esquema nacional.")
        text = f"{head}{body} {HUMANO}"
        if len(text) <= MAX_CHARS:
            return text
    return f"No encontré esa vacuna en los catálogos del Seguro Popular. {HUMANO}"


def clarify_text(options: list[str], cartera: str | None, all_covered: bool) -> str:
    options = [o.rstrip(".") for o in options]
    listed = ", ".join(f"{i}) {o}" for i, o in enumerate(options, start=1))
    tail = ""
    if all_covered and cartera:
        tail = f" Todas están en el {cartera} y son sin costo en unidades acreditadas."
    text = f"Hay varias opciones: {listed}. ¿Cuál te interesa?{tail}"
    if len(text) > MAX_CHARS:
        text = f"Hay varias opciones: {listed}. ¿Cuál te interesa?"
    while len(text) > MAX_CHARS and len(options) > 2:
        options = options[:-1]
        listed = ", ".join(f"{i}) {o}" for i, o in enumerate(options, start=1))
        text = f"Hay varias opciones: {listed}. ¿Cuál te interesa?"
    return text[:MAX_CHARS]


def fmt_age(edad: float) -> str:
    if edad < 1:
        meses = max(1, round(edad * 12))
        return f"{meses} mes" + ("es" if meses != 1 else "")
    n = int(edad) if float(edad).is_integer() else round(edad, 1)
    return f"{n} año" + ("s" if n != 1 else "")


def group_text(item: Intervention, limite: str, labels: list[str]) -> str:
    """The FPGC cancer group for the patient's age, with a few examples and the question."""
    nombre = NOMBRE_CARTERA.get(item.cartera, item.cartera)
    for n in (4, 3, 2):
        ejemplos = ", ".join(labels[:n])
        text = (f"Sí, el {nombre} {item.edicion} cubre el cáncer en {limite}, por ejemplo: "
                f"{ejemplos}. ¿Cuál es el diagnóstico? Es sin costo en unidades acreditadas; "
                f"si te cobran, es un cobro injustificado: escribe 2.")
        if len(text) <= MAX_CHARS:
            return text
    return text[:MAX_CHARS]
