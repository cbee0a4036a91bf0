"""Rule, regex and lookup entity extractors with normalised values.

All extractors run on a *folded* copy of the message (accents stripped, lowercase) that keeps
a map back to the original characters, so `start`/`end` always index the text as received and
"as written" values are slices of it.

Entities: estado (official name from core.estados), folio (SINAC-YYYY-NNNNNN when recoverable,
else the digits as written), monto (number of pesos charged/paid to the health service), curp
(uppercase, check digit valid), fecha (calendar date as written), unidad (named health unit as
written). Dates live in fechas.py, amounts in montos.py, the folding in folded.py.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

from core.estados import NOMBRES
from core.text.curp import CURP_SEARCH_RE, is_well_formed
from core.text.fold import ascii_lower

from .fechas import find_fechas
from .folded import Folded, fold
from .montos import find_montos
from .normalize import find_folio

MAX_ENTITY_CHARS = 5000

# --------------------------------------------------------------------------- gazetteer


@dataclass(frozen=True)
class Gazetteer:
    pattern: re.Pattern | None
    values: dict[str, str]  # folded variant -> official estado name


_BLOCKERS_BEFORE = re.compile(
    r"(?:calle|av|avenida|col|colonia|blvd|boulevard|dr|doctor|doctora|dra|lic|licenciado|"
    r"licenciada|sr|sra|senor|senora|enfermera|enfermero|miguel|jose\s+maria|benito|ignacio|"
    r"vicente|ejido|fracc|fraccionamiento|apellido|calzada)[\s.]*$"
)
# "el hospital Hidalgo" (Aguascalientes), "la clínica Morelos": a unit named after an estado
_UNIT_BEFORE = re.compile(r"(?:hospital|clinica|sanatorio|nosocomio|policlinica)\s*$")


_NEGATED_BEFORE = re.compile(r"(?<![a-z])no\s+(?:(?:es|era|fue|en|de|del|estado\s+de)\s+){0,2}$")
# "mi póliza es de Veracruz y estoy en Puebla", "soy de Colima… voy a Guadalajara", "mi mamá es
# de Zacatecas", "viene desde Hidalgo": where a person or the policy is from. Care and the case
# belong where the person was attended (DOMAIN.md §4, portability), so the home state yields to
# another one named beside it; the dialogue reads answers with the same words (bot/dialogue/places).
HOME_BEFORE_RE = re.compile(
    r"(?:\b(?:soy|somos|vivo|vivimos|nacid[oa]s?|originari[oa]s?|afiliad[oa]s?|"
    r"(?:poliza|seguro(?:\s+popular)?|afiliacion)(?:\s+(?:es|esta|era))?|"
    r"(?:mama|papa|esposo|esposa|hijo|hija|familia|suegra|suegro|gente)\s+(?:es|son|vive|viven))"
    r"\s+(?:de|en|del)(?:\s+(?:el\s+)?estado\s+de)?\s*$"
    r"|\b(?:viene|vienen|vengo|venimos|venia|veniamos|llega|llegamos)\s+(?:desde|de)\s*$)")


def _fold_plain(s: str) -> str:
    return re.sub(r"\s+", " ", ascii_lower(s).strip())


def _variant_regex(variant: str) -> str:
    # "Tlapa d Comonfort", "San Juan d los Lagos": "de" is often typed "d"
    parts = ["de?" if p == "de" else re.escape(p) for p in re.split(r"[\s.]+", variant.strip(" .")) if p]
    return r"[\s.,-]*".join(parts) + (r"\.?" if variant.endswith(".") else "")


def build_gazetteer(lookups: dict[str, list[str]], synonyms: dict[str, str]) -> Gazetteer:
    """Estado variants and cities from the lookup tables; values from the synonyms."""
    official = {_fold_plain(n): n for n in NOMBRES}
    values: dict[str, str] = {}
    for table in ("estado", "ciudad"):
        for entry in lookups.get(table, []):
            key = _fold_plain(entry)
            value = synonyms.get(entry.lower()) or synonyms.get(key) or official.get(key)
            if value is None and key in official:
                value = official[key]
            if value not in NOMBRES:
                raise ValueError(f"lookup entry {entry!r} does not map to an official estado")
            values[key.rstrip(".")] = value
    if not values:
        return Gazetteer(None, {})
    alts = sorted(values, key=len, reverse=True)
    pattern = re.compile(
        r"(?<![a-z0-9])(?:" + "|".join(_variant_regex(a) for a in alts) + r")(?![a-z0-9])"
    )
    return Gazetteer(pattern, values)


_GAZ_LOCK = threading.Lock()
_GAZ_CACHE: dict[str, Gazetteer] = {}


def get_gazetteer(data_dir: Path | str | None = None) -> Gazetteer:
    from .data import default_data_dir, load_training_data

    path = str(data_dir) if data_dir is not None else str(default_data_dir())
    gaz = _GAZ_CACHE.get(path)
    if gaz is None:
        with _GAZ_LOCK:
            gaz = _GAZ_CACHE.get(path)
            if gaz is None:
                data = load_training_data(path)
                gaz = build_gazetteer(data.lookups, data.synonyms)
                _GAZ_CACHE[path] = gaz
    return gaz


def _estado(f: Folded, gaz: Gazetteer) -> list[dict]:
    out: list[dict] = []
    if gaz.pattern is None:
        return out
    for m in gaz.pattern.finditer(f.text):
        if _BLOCKERS_BEFORE.search(f.text, max(0, m.start() - 30), m.start()):
            continue
        key = re.sub(r"(?<=[a-z]) d (?=[a-z])", " de ", re.sub(r"[\s.,-]+", " ", m.group(0)).strip())
        value = gaz.values.get(key) or gaz.values.get(key.replace(" ", ""))
        if value is None:
            # variants written with dots/spaces ("d.f.", "edo. mex")
            value = next((v for k, v in gaz.values.items() if _squash(k) == _squash(key)), None)
        if value is None:
            continue
        if key == _fold_plain(value) and _UNIT_BEFORE.search(f.text, max(0, m.start() - 15), m.start()):
            continue
        s, e = f.span(m.start(), m.end())
        negated = bool(_NEGATED_BEFORE.search(f.text, max(0, m.start() - 20), m.start()))
        home = bool(HOME_BEFORE_RE.search(f.text, max(0, m.start() - 30), m.start()))
        out.append({"entity": "estado", "value": value, "start": s, "end": e, "_neg": negated,
                    "_home": home})
    # "es Tlaxcala, no Puebla": a state named only to be denied is dropped when another remains;
    # so is the policy's home state beside the one where care was sought
    for mark in ("_neg", "_home"):
        if any(not x[mark] and x["value"] not in {y["value"] for y in out if y[mark]} for x in out):
            out = [x for x in out if not x[mark]]
    for x in out:
        del x["_neg"], x["_home"]
    return out


def _squash(s: str) -> str:
    return re.sub(r"[\s.,-]+", "", s)


# --------------------------------------------------------------------------- curp / folio


def _curp(f: Folded) -> list[dict]:
    out = []
    for m in CURP_SEARCH_RE.finditer(f.original):
        value = m.group(0).upper()
        if is_well_formed(value):  # a one-character slip keeps the CURP (core/text/curp.py)
            out.append({"entity": "curp", "value": value, "start": m.start(), "end": m.end()})
    return out


_FOLIO_KEY_RE = re.compile(
    r"(?:folio|n[uo]m(?:ero|\.)?\s+de\s+(?:caso|reporte|queja|tramite|seguimiento)|"
    r"numero\s+de\s+folio|no\.?\s+de\s+folio)"
    r"[\s:#.]*(?:es|era|num(?:ero)?|no\.?|n[°º]|el)?[\s:#.]*"
    r"(?P<num>(?:s[i1l]nac\s*[-/#.]?\s*)?[0-9o][0-9o\-/ ]*[0-9o])(?![0-9a-z])"
)
_BARE_FOLIO_MSG_RE = re.compile(
    r"^[\W_]*(?:(?:mi|el|es|este|mi\s+numero|numero)\s+)*(?P<num>20\d{2}\s*[-/ ]\s*\d{1,6})[\W_]*$"
)


def _folio(f: Folded) -> list[dict]:
    found = find_folio(f.original)
    if found:
        value, s, e = found
        # a bare "2026 123" needs a folio keyword or to be (nearly) the whole message
        prefixed = re.match(r"\s*s", f.original[s:e], re.IGNORECASE) is not None
        fs = f.index.index(s) if s in f.index else 0
        keyed = re.search(
            r"folio|caso|reporte|seguimiento|tramite|queja|numero", f.text[max(0, fs - 40) : fs]
        )
        if prefixed or keyed or _BARE_FOLIO_MSG_RE.match(f.text):
            return [{"entity": "folio", "value": value, "start": s, "end": e}]
    m = _FOLIO_KEY_RE.search(f.text)
    if m:
        s, e = f.span(m.start("num"), m.end("num"))
        raw = f.original[s:e].strip()
        canonical = find_folio(raw)
        value = canonical[0] if canonical else raw
        if re.search(r"\d", value):
            return [{"entity": "folio", "value": value, "start": s, "end": s + len(raw)}]
    return []


# --------------------------------------------------------------------------- unidad

_UNIT_HEAD_RE = re.compile(
    r"(?<![a-z0-9])(?:centro\s+de\s+salud|centro\s+medico|casa\s+de\s+salud|hospital(?:ito)?|maternidad|"
    r"clinica|unidad\s+medica(?:\s+familiar)?|umf|uneme|cessa|sanatorio|hosp\.?|hgz?|"
    r"modulo\s+de\s+afiliacion|modulo\s+del\s+seguro(?:\s+popular)?|mao|caravana\s+de\s+salud|"
    r"cs|c\.s\.|capasits|centro\s+oncologico|centro\s+estatal\s+de\s+cancerologia|"
    r"(?:(?<=del )|(?<=al )|(?<=el ))(?:general|materno)(?=\s+de?\s))(?![a-z0-9])"
)
_UNIT_QUALIFIERS = re.compile(
    r"\s+(?:general|civil|comunitario|regional|integral|rural|urbano|materno(?:[\s-]+infantil)?|"
    r"de\s+la\s+mujer|del\s+nino|de\s+la\s+madre\s+y\s+el\s+nino|infantil|de\s+especialidades|"
    r"de\s+alta\s+especialidad|universitario|de\s+ginecobstetricia|de\s+ginecologia|"
    r"psiquiatrico|basico|pediatrico|de\s+la\s+amistad)(?![a-z0-9])"
)
_UNIT_NUMBER = re.compile(r"\s*(?:no\.?|num\.?|numero|#|n[°º])\s*\d{1,4}(?![0-9a-z])")
_UNIT_BARE_NUMBER = re.compile(r"\s*\d{1,3}(?![0-9a-z,.])")
_NUMBERED_HEADS = ("umf", "clinica", "unidad medica")
_NEXT_WORD_RE = re.compile(r" +([a-z0-9]+)")
_INTRO_LEAD = {"de", "d", "del", "la", "el", "los", "las"}
_INTRO_AFTER_DE = {"la", "los", "las", "el"}
_SAINTS = {"san", "santa", "santo", "nuestra", "sagrado", "virgen"}
_NAME_STOP = {
    "me", "le", "les", "nos", "te", "se", "lo", "y", "e", "o", "u", "pero", "porque", "que",
    "ayer", "hoy", "antier", "manana", "por", "para", "con", "sin", "a", "al", "en", "cuando",
    "donde", "no", "si", "ya", "mi", "mis", "su", "sus", "tu", "estaba", "estuve", "fui", "fue",
    "fuimos", "hay", "un", "una", "unos", "unas", "desde", "hace", "pues", "entonces", "ni", "es",
    "son", "esta", "estan", "era", "muy", "todo", "todos", "nada", "nunca", "siempre", "como",
    "asi", "solo", "tambien", "favor", "gracias", "hola", "buenos", "buenas", "dia", "dias",
    "tardes", "noches", "semana", "mes", "ano", "hrs", "horas", "imss", "issste", "pemex",
    "sedena", "seguro", "popular", "aqui", "alla", "ahi", "alli", "q", "k", "xq", "pq", "tmb",
    "doctor", "doctora", "dr", "dra", "enfermera", "enfermero", "medico", "pesos", "peso",
    "urgencias", "consulta", "cita", "porfa", "ese", "esa", "este", "mismo", "misma", "otro",
    "otra", "de", "del", "la", "las", "los", "el", "tenian", "tienen", "tiene", "habia",
    "nomas", "namas", "pa", "xfa", "porfavor", "the", "and", "mas", "menos", "bien",
    "mal", "tan", "bueno", "buena", "excelente", "pesimo", "pesima", "hasta", "sobre", "entre",
    "ante", "tras", "segun", "durante", "mediante", "cerca", "lejos", "cual", "quien",
    "eso", "esto", "ella", "ellos", "ellas", "usted", "ustedes", "yo", "nosotros",
    "medicamento", "medicina", "medicinas", "receta", "estudio", "parto", "cesarea", "cirugia",
    "operacion", "ultrasonido", "laboratorio", "farmacia", "area", "piso", "sala", "cuarto",
    "tratan", "trata", "cobran", "cobra", "atienden", "atiende", "abre", "abren", "cierra",
    "cierran", "dan", "da", "dice", "dicen", "piden", "pide", "necesito",
    "quiero", "tengo", "voy", "va", "van", "todavia",
    "ahora", "antes", "despues", "luego", "pasado", "pasada", "anoche", "temprano", "tarde",
    "noche", "madrugada", "cubre", "cubren", "sirve", "funciona", "cobro", "cobre", "fines",
    "fin", "semanas", "meses", "anos", "lunes", "martes", "miercoles", "jueves", "viernes",
    "sabado", "sabados", "domingo", "domingos", "turno", "horario", "mananas", "diario",
}  # fmt: skip
_GENERIC_NAMES = {
    "colonia", "pueblo", "rancho", "comunidad", "zona", "municipio", "ciudad", "barrio",
    "localidad", "region", "estado", "ejido", "ranchito", "pueblito", "cabecera", "centro",
}  # fmt: skip
_VERBISH = re.compile(r"(?:aron|ieron|aban|ando|iendo|amos|emos|imos|aste|iste|aria|eria|iria)$")


def _unit_name(f: Folded, cursor: int, end: int, places: re.Pattern | None) -> tuple[int, bool]:
    """Scan the name after a unit head: up to 4 content words, joined by de/del/de la.

    A name written right after the head (no "de") must look like one: Capitalised, a known
    place, or a saint's name ("hospital San José"); a known place also ends the name.
    """
    text = f.text
    content = 0
    generic_only = True
    connectors: list[str] = []
    while content < 4:
        w = _NEXT_WORD_RE.match(text, cursor)
        if not w:
            break
        word = w.group(1)
        if word in _INTRO_LEAD and (
            (not connectors and (content == 0 or word in ("de", "d", "del")))
            or (connectors in (["de"], ["d"]) and word in _INTRO_AFTER_DE)
        ):
            connectors.append(word)
            cursor = w.end()
            continue
        place = places.match(text, w.start(1)) if places is not None else None
        if (not place and (word in _NAME_STOP or _VERBISH.search(word))) or word.isdigit() \
                or len(connectors) > 2:
            break  # a known place is a name even when it looks like a verb ("Ramos Arizpe")
        if content == 0 and not connectors:
            written = f.slice(w.start(1), w.end(1))
            if not (written[:1].isupper() or place or word in _SAINTS):
                break
        connectors = []
        content += 1
        if word not in _GENERIC_NAMES or place:  # "de Ciudad Juárez" names a place
            generic_only = False
        if place:
            end = place.end()
            content = 4  # the place closes the name ("hospital general de ecatepec tratan...")
            break
        end = cursor = w.end()
    return end, bool(content) and not generic_only


def _unidad(f: Folded, gaz: Gazetteer) -> list[dict]:
    out: list[dict] = []
    text = f.text
    pos = 0
    while True:
        m = _UNIT_HEAD_RE.search(text, pos)
        if not m:
            break
        end = m.end()
        pos = m.end()
        qualified = False
        q = _UNIT_QUALIFIERS.match(text, end)
        if q:
            end, qualified = q.end(), True
        named = False
        numbered = _UNIT_NUMBER.match(text, end)
        if not numbered and m.group(0).startswith(_NUMBERED_HEADS):
            numbered = _UNIT_BARE_NUMBER.match(text, end)
        if numbered:
            end, named = numbered.end(), True
        else:
            end, named = _unit_name(f, end, end, gaz.pattern)
        if not (named or qualified):
            continue
        pos = end
        s, e = f.span(m.start(), end)
        out.append({"entity": "unidad", "value": f.original[s:e], "start": s, "end": e})
    return out


# "mi tel es 449 112 3344", "cel 8991234567": a phone number, never an amount
_PHONE_RE = re.compile(r"(?i)\b(?:tel|tel[eé]fono|cel|celular|whats(?:app)?|n[uú]mero|marcar|ll[aá]m(?:en|ar)(?:me)?)"
                       r"\b[^\d\n]{0,15}?(\d[\d .-]{6,16}\d)|(?<![\d.,$])\b(\d{10})\b(?![.,]\d)")


def _phone_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for m in _PHONE_RE.finditer(text):
        group = 1 if m.group(1) else 2
        if sum(ch.isdigit() for ch in m.group(group)) >= 8:
            spans.append((m.start(group), m.end(group)))
    return spans


# --------------------------------------------------------------------------- public


def extract_entities(text: object, data_dir: Path | str | None = None) -> list[dict]:
    """All entities in `text`, in order of appearance: [{entity, value, start, end}]."""
    if not isinstance(text, str):
        if isinstance(text, bytes):
            text = text.decode("utf-8", errors="replace")
        else:
            return []
    text = text[:MAX_ENTITY_CHARS]
    if not text.strip():
        return []
    f = fold(text)
    found: list[dict] = []
    found += _curp(f)
    found += _folio(f)
    found += find_fechas(f)
    gaz = get_gazetteer(data_dir)
    found += _unidad(f, gaz)
    found += _estado(f, gaz)
    taken = [(e["start"], e["end"]) for e in found if e["entity"] in ("curp", "folio", "fecha")]
    taken += _phone_spans(text)
    found += find_montos(f, taken)
    found.sort(key=lambda e: (e["start"], e["end"]))
    return found
