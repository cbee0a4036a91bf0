"""The coverage engine: question in, honest Spanish answer out.

Portfolio rules (DOMAIN.md §9, issue 4): the portfolios are complementary. CAUSES answers for its
interventions; FPGC for high-cost diseases within their age or condition limits; SMSXXI for
affiliated children under 5 for what the other two do not cover. "Not covered" and "not sure" are
honest answers that offer a person.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from core.coverage import answer as txt
from core.coverage import cancer
from core.coverage.age import age_hint, extract_age
from core.coverage.catalog import (
    Catalog,
    Intervention,
    Synonym,
    active_catalogs,
    bundled_catalogs,
    bundled_synonyms,
    loaded_catalogs,
    read_exclusions,
)
from core.coverage.kb import kb_ages, kb_synonyms, read_kb
from core.coverage.retrieval import KnowledgeRetriever
from core.coverage.search import Hit, Index
from core.coverage.text import content_words, fold, stem, tokens

# Score thresholds (0..1), tuned on data/evaluacion.csv.
MIN_MATCH = 0.30  # below this nothing is shown
MIN_FOUND = 0.42  # below this the question is "no encontré" (nothing medical, or garbage)
MIN_ANSWER = 0.48  # below this the answer is "not sure"
BM25_OVERRULES_BELOW = 0.8  # a settled answer below this yields to a clearly described KB entry
KB_TERM = 0.9  # a knowledge-base reading this sure (a whole lay term) may overrule the catalogue's
MIN_NAMED = 0.30  # ...or down to this when the question names one row's condition (_named)
NAMED_IDF = 4.0  # how rare the naming term must be ("meningitis", "crup", not "dolor")
MIN_AGREED = 0.35  # ...unless the three readers agree (Engine._agreed), down to this
CLARIFY_MARGIN = 0.04  # top matches this close and different -> ask which one
NOT_VACCINE_FIRST = 0.8  # without a vaccine asked for, the disease's row this close answers
NEWBORN_FIRST = 0.6  # a newborn's specific row this close to a general reading answers first
NEWBORN_CLOSE = 0.9  # any condition this close to routine newborn care answers instead
SMSXXI_FIRST = 0.9  # under 5, an SMSXXI term match this close to a CAUSES one answers first
SMSXXI_YIELD = 0.60  # SMSXXI gives way to a CAUSES/FPGC match scoring at least this share of it
GENERIC_CANCER = frozenset({"cancer", "tumor", "malign", "maligno", "oncologi", "quimioterapi"})
GENERIC_CANCER_TERMS = GENERIC_CANCER | {"infantil", "sangr", "_p"}
AGE_PENALTY = 0.06  # score lost by a variant whose age range excludes the patient
ADULT = 18.0  # an age hint at least this old is an adult's, trusted to exclude child-only rows
VARIANT_MARGIN = 0.15
ADULT_GUESS = 40.0  # the age an adult named without an age is checked against
ADULT_READING_MARGIN = 0.25  # an age variant of the same condition this close answers for that age
VACCINE_STEM = "vacun"
# Vaccines people ask for that no portfolio lists, written with words the catalogs never use
# (so the search cannot tell them from filler): the name used in the reply.
_OFF_CATALOG_VACCINES = {
    "covid": "COVID-19",
    "amarilla": "fiebre amarilla",
    "meningo": "meningococo",
    "zoster": "herpes zóster",
    "tifoidea": "fiebre tifoidea",
    "colera": "cólera",
    "ebola": "ébola",
    "mpox": "viruela símica (mpox)",
}
_OFF_CATALOG_VACCINE_RE = re.compile(
    r"\b(?:(?P<covid>covid\w*|cobid\w*|kovid\w*|covit|covi|coronavirus|corona virus|sars|"
    r"pfizer|moderna|astrazeneca|astra zeneca|sinovac|cansino|sputnik|abdala|patria)"
    r"|(?P<amarilla>fiebre amarilla)|(?P<meningo>meningococ\w*)"
    r"|(?P<zoster>herpes zoster|zoster|culebrilla)|(?P<tifoidea>tifoidea|tifoide)"
    r"|(?P<colera>colera)|(?P<ebola>ebola)|(?P<mpox>mpox|viruela del mono|viruela simica))\b"
)


@dataclass
class CoverageAnswer:
    cartera: str | None
    covered: bool | None
    edad: float | None
    matches: list[dict]
    answer: str
    clarify: list[str] = field(default_factory=list)
    topic: str | None = None
    settled: bool = True  # False: "no encontré" / "no estoy seguro" (the knowledge base may know)

    def to_dict(self) -> dict:
        return {
            "cartera": self.cartera,
            "covered": self.covered,
            "edad": self.edad,
            "matches": self.matches,
            "answer": self.answer,
        }


# --- age limits of an intervention ----------------------------------------------------------

_LT = re.compile(r"menores de (\d+) a[nñ]os")
_GT = re.compile(r"mayores de (\d+) a[nñ]os")
_RANGE = re.compile(r"(?:de )?(\d+) a (\d+) a[nñ]os")
_FROM = re.compile(r"(\d+) a[nñ]os en adelante")


def age_range(item: Intervention) -> tuple[float, float, str] | None:
    """(min inclusive, max exclusive, Spanish label) of who the intervention is for, or None."""
    text = f"{item.nombre} {item.restricciones}".lower()
    lo, hi, label = 0.0, 200.0, None
    if m := _RANGE.search(text):
        lo, hi = float(m.group(1)), float(m.group(2)) + 1
        label = f"de {m.group(1)} a {m.group(2)} años"
    elif m := _LT.search(text):
        hi = float(m.group(1))
        label = f"menores de {m.group(1)} años"
    elif m := _GT.search(text):
        lo = float(m.group(1))
        label = f"mayores de {m.group(1)} años"
    elif m := _FROM.search(text):
        lo = float(m.group(1))
        label = f"{m.group(1)} años en adelante"
    elif "adulto mayor" in text:
        lo, label = 60.0, "adultos mayores"
    elif re.search(r"\ben adultos\b", text):
        lo, label = 18.0, "adultos"
    elif re.search(r"\ben niños\b", text):
        hi, label = 18.0, "niñas y niños"
    elif "recién nacido" in text and item.cartera == "FPGC":
        hi, label = 1.0, "recién nacidos"
    if item.cartera == "SMSXXI":
        hi = min(hi, 5.0)
        label = "niñas y niños menores de 5 años"
    if label is None:
        return None
    return lo, hi, label


class CoverageEngine:
    def __init__(self, catalogs: Iterable[Catalog], synonyms: list[Synonym],
                 exclusions: list[tuple[str, str, bool]], knowledge: list[Synonym] | None = None,
                 ages: dict[tuple[str, int], tuple[float, float, str]] | None = None,
                 retriever: KnowledgeRetriever | None = None):
        self.catalogs = active_catalogs(catalogs)
        items = [it for c in self.catalogs.values() for it in c.interventions]
        self.by_number = {(it.cartera, it.numero): it for it in items if it.numero is not None}
        self.adult_cancers = cancer.adult_cancer_rows(items)
        # third reader, for questions told in words no single term holds (core/coverage/retrieval.py)
        self.retriever = retriever
        self.index = Index(items, synonyms)
        # The knowledge base (drugs, studies, symptoms, lay names: core/coverage/kb.py) is asked
        # second, when the catalogue names and curated synonyms leave the question unsettled: its
        # broader vocabulary rescues "no encontré" without diluting what they already answer.
        self.kb_index = Index(items, synonyms + knowledge) if knowledge else None
        # a curated synonym that names a drug, study or symptom answers as one ("la metformina:
        # se da dentro de…")
        self.kinds = {fold(k.termino): k.kind for k in knowledge or [] if k.kind != "termino"}
        self.kb_ages = dict(ages or {})
        # the words as written beside the stems: a stem may join words the exclusion never
        # meant ("lentito" [slowly] and "lentes"); plural forms still match
        self.exclusions = [(frozenset(tokens(e[0], strict=False)), e[1], len(e) > 2 and bool(e[2]),
                            tuple(content_words(e[0], strict=False))) for e in exclusions]
        self.exclusions = [e for e in self.exclusions if e[0]]

    def _range(self, item: Intervention) -> tuple[float, float, str] | None:
        """Who the intervention is for: from its name, else from the knowledge base."""
        return age_range(item) or self.kb_ages.get((item.cartera, item.numero))

    def _ok(self, item: Intervention, edad: float | None) -> bool:
        if edad is None:
            return True
        rng = self._range(item)
        return rng is None or rng[0] <= edad < rng[1]

    @classmethod
    def from_files(cls) -> CoverageEngine:
        entries = read_kb()
        return cls(bundled_catalogs() + loaded_catalogs(), bundled_synonyms(), read_exclusions(),
                   kb_synonyms(entries), kb_ages(entries), KnowledgeRetriever(entries))

    # -- public API ----------------------------------------------------------------------

    def catalog(self, cartera: str | None = None) -> Iterable[Intervention]:
        for c in self.catalogs.values():
            if cartera is None or c.cartera == cartera.upper():
                yield from c.interventions

    def search(self, text: str, limit: int = 20) -> list[dict]:
        hits, _ = self.index.search(text, limit=limit)
        return [self._match(h) for h in hits if h.score >= MIN_MATCH]

    def ask(self, text: str, edad: float | None = None) -> CoverageAnswer:
        ans = self._read(text, edad)
        if cancer.applies(text, ans.edad) and self._other_adult_cancer(text, ans):
            return CoverageAnswer(None, False, ans.edad, [],
                                  txt.adult_cancer_text(),
                                  topic="Cáncer en personas adultas")
        return ans

    def _other_adult_cancer(self, text: str, ans: CoverageAnswer) -> bool:
        """An adult's cancer that no answer found as a cancer: not one the FPGC names."""
        if ans.covered is False or not set(tokens(text)) - GENERIC_CANCER:
            return False  # already "not covered", or just "tengo cáncer" (the group is asked)
        for m in ans.matches[:3]:
            item = self.by_number.get((m["cartera"], m["numero"]))
            if item is None:
                continue
            near = m is ans.matches[0] and ans.covered or m["score"] >= MIN_ANSWER
            if near and (item in self.adult_cancers or "cancer" in fold(item.grupo or "")
                         or cancer.answered_as_cancer(item.nombre, ans.topic)):
                return False
        return True

    def _read(self, text: str, edad: float | None = None) -> CoverageAnswer:
        ans = self._ask(self.index, text, edad)
        if self.kb_index is None:
            return ans
        if not ans.settled:
            second = self._ask(self.kb_index, text, edad)
            if second.settled:
                return second
            agreed = self._agreed(text, edad, ans, second)
            if agreed is not None:
                return agreed
            described = self._described(text, edad, ans)
            if described.covered:
                return described
            return self._named_answer(text, edad, ans, second) or described
        elif ans.covered is False and ans.edad is None and _adult(text):
            # a child-only reading refused to "mi esposo": the knowledge base may know the
            # adult's condition ("dengue… plaquetas bajas" is not the children's púrpura)
            second = self._ask(self.kb_index, text, edad)
            if second.settled and second.covered:
                return second
        elif ans.cartera == "CAUSES" and _small_child(ans.edad, text):
            # under 5, SMSXXI answers where its own terms name the condition (issue 20)
            second = self._ask(self.kb_index, text, edad)
            if second.settled and second.cartera == "SMSXXI" and second.covered:
                return second
        if ans.matches and self._kb_knows_more(text):
            # "carcinoma basocelular": the catalogue knows only "carcinoma" (a children's row),
            # the knowledge base names the very condition through a word the catalogue lacks
            second = self._ask(self.kb_index, text, edad)
            if second.settled and second.covered and second.matches \
                    and second.matches[0]["score"] >= KB_TERM \
                    and second.matches[0]["score"] > ans.matches[0]["score"] \
                    and second.matches[0]["numero"] != ans.matches[0]["numero"]:
                return second
        return self._better_described(text, edad, ans)

    def _better_described(self, text: str, edad: float | None, ans: CoverageAnswer) -> CoverageAnswer:
        """A catalogue answer that only shares a word or two with the question gives way to the
        knowledge-base entry BM25 finds clearly described ("se me hinchan los pies y me falta
        el aire en la noche" is heart failure, not the "presión" its words brushed). Measured
        on the development sets: where the two disagreed below this score, BM25 was right
        95 times out of 109."""
        if not (ans.covered and ans.matches and not ans.clarify and self.retriever is not None) \
                or ans.matches[0]["score"] >= BM25_OVERRULES_BELOW:
            return ans
        described = self._described(text, edad, ans)
        if described is ans or not described.covered or not described.matches:
            return ans
        key = (described.matches[0]["cartera"], described.matches[0]["numero"])
        return ans if key == (ans.matches[0]["cartera"], ans.matches[0]["numero"]) else described

    def _kb_knows_more(self, text: str) -> bool:
        """A meaningful word of the question the catalogue index lacks and the knowledge base has."""
        words = set(tokens(text))
        return bool(words - self.index.vocab_stems & self.kb_index.vocab_stems)

    def _agreed(self, text: str, edad: float | None, first: CoverageAnswer,
                second: CoverageAnswer) -> CoverageAnswer | None:
        """The answer when the three readers, each unsure alone, lead with one intervention.

        A long message dilutes every score ("buenas tardes… mi esposo toma glibenclamida…"):
        the catalogue index, the knowledge-base index and BM25 agreeing on the first place is
        the evidence no single score gives."""
        if not first.matches or not second.matches or self.retriever is None:
            return None
        key = (first.matches[0]["cartera"], first.matches[0]["numero"])
        if (second.matches[0]["cartera"], second.matches[0]["numero"]) != key:
            return None
        found = [r for r in self.retriever.search(text) if r.key in self.by_number]
        if not found or found[0].key != key:
            return None
        ans = self._ask(self.kb_index, text, edad, floor=MIN_AGREED)
        if not ans.settled or not ans.matches:
            return None
        return ans if (ans.matches[0]["cartera"], ans.matches[0]["numero"]) == key else None

    def _named_answer(self, text: str, edad: float | None, first: CoverageAnswer,
                      second: CoverageAnswer) -> CoverageAnswer | None:
        """Both indexes lead with the row whose own term the question names (_named)."""
        if not first.matches or not second.matches:
            return None
        key = (first.matches[0]["cartera"], first.matches[0]["numero"])
        if (second.matches[0]["cartera"], second.matches[0]["numero"]) != key:
            return None
        ans = self._ask(self.index, text, edad, floor=MIN_NAMED, named=True)
        return ans if ans.settled and ans.matches and (
            ans.matches[0]["cartera"], ans.matches[0]["numero"]) == key else None

    def _ask(self, index: Index, text: str, edad: float | None = None,
             floor: float | None = None, named: bool = False) -> CoverageAnswer:
        text = text or ""
        if edad is None:
            edad = extract_age(text)
        edad = None if edad is None else round(float(edad), 2)
        hint = edad if edad is not None else age_hint(text)
        small_child = None if hint is None else hint < 5
        hits, qtoks = index.search(text, limit=40, small_child=small_child)
        hits = self._adjust_for_age(hits, edad, hint)
        hits = [h for h in hits if h.score >= MIN_MATCH]
        matches = [self._match(h) for h in hits[:5]]

        excl = self._exclusion(text, hits)
        if excl is not None:
            return CoverageAnswer(None, False, edad, matches, txt.not_covered_text(excl),
                                  topic=excl)
        vaccine = self._vaccine_not_listed(text, qtoks)
        if vaccine is not None:
            return CoverageAnswer(None, None, edad, [], txt.vaccine_not_listed_text(vaccine),
                                  topic=f"Vacuna {vaccine}"[:100])
        if not hits or hits[0].score < (MIN_FOUND if floor is None else floor):
            return CoverageAnswer(None, None, edad, matches, txt.not_found_text(), settled=False)

        group = self._cancer_group(qtoks, hint)
        if group:
            return self._group_answer(group, hits, edad)

        newborn = _newborn(edad, text)
        top = self._choose(hits, edad, small_child, newborn, VACCINE_STEM in qtoks)
        newborn_row = newborn and top is not hits[0]  # the age decided: nothing to ask
        if top is not hits[0]:  # the answered intervention leads the list
            hits = [top] + [h for h in hits if h is not top]
            matches = [self._match(h) for h in hits[:5]]
        if named:
            if top.score < MIN_NAMED or not _named(index, hits, text):
                return CoverageAnswer(None, None, edad, matches, txt.not_sure_text(top.item),
                                      topic=txt.short_name(top.item.nombre), settled=False)
        elif top.score < (MIN_ANSWER if floor is None else floor):
            return CoverageAnswer(None, None, edad, matches, txt.not_sure_text(top.item),
                                  topic=txt.short_name(top.item.nombre), settled=False)

        options = [] if newborn_row else self._clarify_options(hits, top, edad, qtoks, hint)
        if options:
            if options[0] is not hits[0]:
                hits = options + [h for h in hits if h not in options]
                matches = [self._match(h) for h in hits[:5]]
            carteras = {h.item.cartera for h in options}
            single = len(carteras) == 1
            cartera = top.item.cartera if single else None
            all_ok = all(self._ok(h.item, edad) for h in options)
            labels = _unique_labels(options)
            topic = top.syn.termino if top.syn is not None and top.syn.ask else txt.short_name(
                top.item.nombre)
            return CoverageAnswer(cartera, True if all_ok and single else None, edad,
                                  matches, txt.clarify_text(labels, cartera if single else None,
                                                            all_ok and single),
                                  clarify=labels, topic=topic)

        # the age told, or an adult named ("mi esposo", "mi papá"): a child-only intervention
        # is not an adult's (DOMAIN.md §9), and a variant for that age answers instead
        who = edad if edad is not None else (hint if hint is not None and hint >= ADULT else None)
        rng = self._range(top.item)
        if who is not None and rng is not None and not (rng[0] <= who < rng[1]):
            top = self._variant_for_age(hits, top, who) or (
                self._adult_reading(hits, top) if edad is None else None) or top
            if top is not hits[0]:
                hits = [top] + [h for h in hits if h is not top]
                matches = [self._match(h) for h in hits[:5]]
        item = top.item
        rng = self._range(item)
        topic = txt.short_name(item.nombre)
        if who is not None and rng is not None and not (rng[0] <= who < rng[1]):
            return CoverageAnswer(None, False, edad, matches,
                                  txt.age_excluded_text(item, rng[2], edad), topic=topic)
        limite = rng[2] if rng else None
        if limite is None and item.restricciones and len(item.restricciones) < 40 \
                and "adulto" not in item.restricciones:
            limite = item.restricciones
        via = None
        if top.syn is not None:
            kind = top.syn.kind if top.syn.kind != "termino" else self.kinds.get(fold(top.syn.termino))
            via = txt.via_text(kind, top.syn.termino)
        return CoverageAnswer(item.cartera, True, edad, matches,
                              txt.covered_text(item, limite, via), topic=topic)

    def _described(self, text: str, edad: float | None, unsure: CoverageAnswer) -> CoverageAnswer:
        """The knowledge-base entry a question describes in its own words, when one is clearly
        ahead and fits the age; else the unsure answer, naming the closest entries when it had
        none to name."""
        if self.retriever is None:
            return unsure
        found = [r for r in self.retriever.search(text) if r.key in self.by_number]
        if edad is None:
            edad = extract_age(text or "")
        best = self.retriever.confident(found)
        item = self.by_number[best.key] if best is not None else None
        if item is not None and self._ok(item, edad):
            rng = self._range(item)
            match = {"cartera": item.cartera, "numero": item.numero, "nombre": item.nombre,
                     "score": MIN_ANSWER}
            return CoverageAnswer(item.cartera, True, edad, [match] + [
                m for m in unsure.matches if (m["cartera"], m["numero"]) != best.key][:4],
                txt.covered_text(item, rng[2] if rng else None, txt.via_text("descripcion", text)),
                topic=txt.short_name(item.nombre))
        if unsure.matches or not self.retriever.close_call(found):
            return unsure
        closest = [self.by_number[r.key] for r in found[:2]]
        return CoverageAnswer(None, None, edad, [
            {"cartera": it.cartera, "numero": it.numero, "nombre": it.nombre, "score": MIN_MATCH}
            for it in closest], txt.closest_text(closest), topic=txt.short_name(closest[0].nombre),
            settled=False)

    # -- rules ---------------------------------------------------------------------------

    def _cancer_group(self, qtoks: set[str], age: float | None) -> list[Intervention]:
        """'mi hijo de 10 años tiene cáncer': the FPGC cancer group for that age, or []."""
        if age is None or not qtoks or not qtoks <= GENERIC_CANCER:
            return []
        group = [it for it in self.catalog("FPGC")
                 if "cáncer" in it.grupo.lower() and self._range(it) and self._ok(it, age)]
        # examples people know first: the target of the data's own generic term ("cáncer
        # infantil" -> leucemia), then the rows with most lay synonyms
        popularity = {d.item.key: sum(1 for s in d.syns if s.weight >= 1.0)
                      + sum(5 for s in d.syns if s.weight >= 1.0 and s.toks <= GENERIC_CANCER_TERMS)
                      for d in self.index.docs if d.item.cartera == "FPGC"}
        group.sort(key=lambda it: (-popularity.get(it.key, 0), it.numero or 0))
        return group

    def _group_answer(self, group: list[Intervention], hits: list[Hit],
                      edad: float | None) -> CoverageAnswer:
        rng = self._range(group[0])
        labels = _unique_labels([Hit(it, 1.0, None, 1.0) for it in group[:4]])
        score = {h.item.key: h.score for h in hits}
        matches = [{"cartera": it.cartera, "numero": it.numero, "nombre": it.nombre,
                    "score": round(min(1.0, max(0.0, score.get(it.key, MIN_ANSWER))), 3)}
                   for it in group[:5]]
        matches.sort(key=lambda m: -m["score"])
        answer = txt.group_text(group[0], rng[2] if rng else "", labels)
        return CoverageAnswer("FPGC", True, edad, matches, answer, clarify=labels,
                              topic=group[0].grupo or "Cáncer")

    @staticmethod
    def _match(h: Hit) -> dict:
        return {"cartera": h.item.cartera, "numero": h.item.numero, "nombre": h.item.nombre,
                "score": round(min(1.0, max(0.0, h.score)), 3)}  # ranking may go past 1

    def _adjust_for_age(self, hits: list[Hit], edad: float | None,
                        hint: float | None) -> list[Hit]:
        if hint is None:
            return hits
        out = []
        for h in hits:
            rng = self._range(h.item)
            score = h.score
            if rng is not None:
                # Age picks among variants ("asma en adultos" / "en menores de 18"); it does not
                # turn "infarto" at 64 into another disease: that is answered as age-excluded.
                inside = rng[0] <= hint < rng[1]
                if not inside:
                    score = max(0.0, score - (AGE_PENALTY if edad is not None else AGE_PENALTY / 2))
                else:
                    score += 0.01
            out.append(Hit(h.item, score, h.syn, h.qcov))
        out.sort(key=lambda h: -h.score)
        return out

    def _choose(self, hits: list[Hit], edad: float | None, small_child: bool | None,
                newborn: bool = False, asks_vaccine: bool = True) -> Hit:
        top = hits[0]
        if not asks_vaccine and _vaccine(top.item):
            # "tiene tosferina": the disease, not the vaccine that names it
            for h in hits[1:6]:
                if not _vaccine(h.item) and h.score >= NOT_VACCINE_FIRST * top.score \
                        and self._ok(h.item, edad):
                    top = h
                    break
        if newborn and not _neonatal(top.item):
            # a newborn's condition: the perinatal row that names it ("convulsiones del recién
            # nacido", "gastrosquisis") before a general one (epilepsy) or routine newborn care
            for h in hits[1:6]:
                if _neonatal(h.item) and not _routine_newborn(h.item) \
                        and h.score >= NEWBORN_FIRST * top.score and self._ok(h.item, edad):
                    return h
        elif newborn and _routine_newborn(top.item):
            for h in hits[1:6]:
                if _routine_newborn(h.item) or not self._ok(h.item, edad):
                    continue
                if h.qcov > top.qcov and (h.score >= NEWBORN_CLOSE * top.score or (
                        h.item.cartera != "CAUSES" and h.score >= NEWBORN_FIRST * top.score)):
                    return h
        if small_child and top.item.cartera == "CAUSES":
            # Under 5, SMSXXI answers where it names the condition (issue 20): only through a
            # whole lay term of its own, never a shared word ("reflujo" of the urinary tract is
            # not a baby's gastric reflux).
            for h in hits[1:6]:
                if h.item.cartera == "SMSXXI" and h.syn is not None and h.syn.weight >= 1.0 \
                        and h.score >= SMSXXI_FIRST * top.score and self._ok(h.item, edad):
                    return h
        child_term = top.syn is not None and top.syn.child and small_child
        if top.item.cartera == "SMSXXI" and not child_term:
            # SMSXXI covers what the other two do not: a close CAUSES/FPGC match answers first.
            for h in hits[1:6]:
                if h.item.cartera != "SMSXXI" and h.score >= SMSXXI_YIELD * top.score \
                        and h.qcov >= 0.9 * top.qcov and self._ok(h.item, edad):
                    return h
        return top

    def _variant_for_age(self, hits: list[Hit], top: Hit, edad: float) -> Hit | None:
        """The same condition's intervention for this age ("neumonía en menores de 18 años" at
        75 → "neumonía en adultos"), when the catalogs split it by age and the other variant
        matched too; a different disease never takes its place."""
        condition = _condition_tokens(top.item)
        if not condition:
            return None
        for h in hits[1:8]:
            if h.score < top.score - VARIANT_MARGIN:
                break
            if self._ok(h.item, edad) and _condition_tokens(h.item) == condition:
                return h
        return None

    def _adult_reading(self, hits: list[Hit], top: Hit) -> Hit | None:
        """Only "mi esposo" said the age: the best reading that fits an adult, if close enough
        (a child-only row was a poor reading of an adult's question to begin with)."""
        for h in hits[1:8]:
            if h.score < max(MIN_ANSWER, top.score - ADULT_READING_MARGIN):
                break
            if self._ok(h.item, ADULT_GUESS):
                return h
        return None

    def _clarify_options(self, hits: list[Hit], top: Hit, edad: float | None,
                         qtoks: set[str], age: float | None = None) -> list[Hit]:
        """Different interventions equally likely for this question (and this age), or []."""
        if top.syn is not None and top.syn.ask:
            if qtoks - top.syn.toks:
                return []  # "vacuna de la hepatitis B": more than the generic word, no need to ask
            same = [h for h in hits if h.syn is not None and h.syn.termino == top.syn.termino
                    and self._ok(h.item, edad)]
            if edad is not None:  # options made for this age first ("vacunas" at 70)
                same.sort(key=lambda h: (self._range(h.item) is None, -h.score))
            return same[:4] if len(same) > 1 else []
        if top.syn is not None and top.syn.weight >= 1.0:
            return []  # a lay term that names one intervention: no need to ask
        eligible = [h for h in hits if self._ok(h.item, age)]
        if not eligible or eligible[0].score < MIN_ANSWER:
            return []
        best = eligible[0].score
        close = [h for h in eligible if h.score >= best - CLARIFY_MARGIN]
        if len(close) < 2:
            return []
        return close[:4]

    def _vaccine_not_listed(self, text: str, qtoks: set[str]) -> str | None:
        """'vacuna del covid', 'vacuna contra el dengue': a vaccine for something no vaccine
        intervention of the catalogs names. Returns what was asked for (for the reply), or None
        when the catalogs have it, or the question names no particular vaccine ('vacunas').

        Without this, the generic synonym "vacuna" (which asks which one) or an unrelated
        treatment ("varicela") answered for a vaccine the catalogs do not have."""
        raw = content_words(text, strict=True)
        if VACCINE_STEM not in {stem(w) for w in raw}:
            return None
        m = _OFF_CATALOG_VACCINE_RE.search(fold(text))
        if m:
            return _OFF_CATALOG_VACCINES[next(k for k, v in m.groupdict().items() if v)]
        spec = set(qtoks) - {VACCINE_STEM}
        if not spec:
            return None  # "vacunas", "las vacunas de mi bebé": the clarifying question
        if spec & self._vaccine_tokens():
            return None  # "vacuna del tétanos para adulto": the catalogs name it
        words = [w for w in raw if stem(w) != VACCINE_STEM]
        if len(words) > 3:
            mapped = {t for t in spec}
            words = [w for w in words if stem(w) in mapped] or words[:3]
        return " ".join(words)

    def _vaccine_tokens(self) -> set[str]:
        """Tokens naming what the catalogs' vaccine interventions protect against."""
        cached = getattr(self, "_vaccine_toks", None)
        if cached is None:
            cached = set()
            for d in self.index.docs:
                if VACCINE_STEM in d.name_toks or any(
                        VACCINE_STEM in s.toks and s.weight >= 1.0 for s in d.syns):
                    cached |= set(d.name_toks)
                    for s in d.syns:
                        if s.weight >= 1.0:
                            cached |= set(s.toks)
            cached.discard(VACCINE_STEM)
            self._vaccine_toks = cached
        return cached

    def _exclusion(self, text: str, hits: list[Hit]) -> str | None:
        loose = set(tokens(text, strict=False))
        said = content_words(text, strict=False)
        best = None
        folded = fold(text)
        for toks, label, firm, written in self.exclusions:
            if toks <= loose and _written(written, said) \
                    and not (len(written) == 1 and re.search(rf"\bno\s+{re.escape(written[0])}\b", folded)) \
                    and (best is None or len(toks) > len(best[0])):
                best = (toks, label, firm)
        if best is None:
            return None
        if best[2]:
            return best[1]
        # A catalog synonym at least as specific as the exclusion wins ("cirugía plástica
        # del labio leporino" is covered).
        for h in hits[:3]:
            if h.syn is not None and h.syn.weight >= 1.0 and h.syn.toks <= loose \
                    and len(h.syn.toks) >= len(best[0]) and not (h.syn.toks <= best[0]):
                return None
        return best[1]


def _named(index, hits: list, text: str) -> bool:
    """The question names the first row's condition by a rare term of its own, written as such
    (not a typo's guess: "precio" is no "presión"), and no other row is named by such a term:
    "…el cuello tieso, lo internaron por meningitis" is meningitis however long the story."""
    written = set(tokens(text))

    def names(syn) -> bool:
        return syn is not None and syn.kind == "termino" and syn.toks <= written \
            and sum(index.idf.get(t, 0.0) for t in syn.toks) >= NAMED_IDF

    first = hits[0].syn
    if first is None or first.weight < 1.0 or first.ask or not names(first):
        return False
    return not any(names(h.syn) for h in hits[1:4] if h.item is not hits[0].item)


def _written(words: tuple[str, ...], said: list[str]) -> bool:
    """The exclusion's words in the question as written (or in the plural/singular), one after
    the other: "médico … en particular" is no private doctor, "camina lentito" no lenses."""
    def same(w: str, x: str) -> bool:
        return x in (w, f"{w}s", f"{w}es") or w in (f"{x}s", f"{x}es")
    n = len(words)
    return any(all(same(w, said[i + j]) for j, w in enumerate(words))
               for i in range(len(said) - n + 1))


# words of an intervention's name that say who it is for or what is done, not the condition
_POPULATION_WORDS = frozenset(tokens(
    "diagnóstico tratamiento atención manejo menores mayores adultos adulto niños niñas "
    "recién nacidos años edad mujeres hombres mayor quirúrgico médico ambulatorio hospitalario"))


def _condition_tokens(item: Intervention) -> frozenset[str]:
    return frozenset(t for t in tokens(item.nombre) if t not in _POPULATION_WORDS)


def _adult(text: str | None) -> bool:
    hint = age_hint(text or "")
    return hint is not None and hint >= ADULT


_NEONATAL_RE = re.compile(r"recien nacid|neonat|perinatal|pretermino|prematur|feto\b|al nacer")


def _neonatal(item: Intervention) -> bool:
    """A row about the first weeks of life (SMSXXI's perinatal group, FPGC's newborn care)."""
    return bool(_NEONATAL_RE.search(fold(f"{item.grupo or ''} {item.nombre}")))


def _vaccine(item: Intervention) -> bool:
    return fold(item.nombre).startswith("vacun")


def _routine_newborn(item: Intervention) -> bool:
    """CAUSES' "Atención del recién nacido": routine care, not a condition."""
    return item.cartera == "CAUSES" and fold(item.nombre).startswith("atencion del recien nacido")


def _newborn(edad: float | None, text: str | None) -> bool:
    """A baby in its first weeks: told by age, or in words ("recién nacido", "nació con…")."""
    if edad is not None:
        return edad < 0.1
    return bool(_NEWBORN_WORDS_RE.search(fold(text or "")))


_NEWBORN_WORDS_RE = re.compile(r"\b(?:recien nacid[oa]|neonat\w*|naci[o] (?:con|sin|de)|"
                               r"dias de nacid[oa]|acaba de nacer)\b")


def _small_child(edad: float | None, text: str | None) -> bool:
    hint = edad if edad is not None else age_hint(text or "")
    return hint is not None and hint < 5


def _unique_labels(options: list[Hit]) -> list[str]:
    out: list[str] = []
    for h in options:
        label = txt.short_name(h.item.nombre, 45)
        if label not in out:
            out.append(label)
    return out
