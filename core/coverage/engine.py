"""The coverage engine: question in, honest Spanish answer out.

Portfolio rules (DOMAIN.md §9, issue 4): the portfolios are complementary. CAUSES answers for its
interventions; FPGC for high-cost diseases within their age or condition limits; SMSXXI for
affiliated children under 5 for what the other two do not cover. "Not covered" and "not sure" are
honest answers that offer a person.

This module holds the readers (the catalogue index, the knowledge-base index, BM25) and how an
answer is built from them; the rules it applies live beside it: who the patient is and who a row
is for (patient.py), which matched row answers or what to ask (choice.py), what no portfolio
covers (exclusions.py), and the tuned thresholds (thresholds.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from core.coverage import answer as txt
from core.coverage import cancer, choice, patient
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
from core.coverage.exclusions import (
    VACCINE_STEM,
    excluded,
    exclusion_rules,
    vaccine_not_listed,
    vaccine_tokens,
)
from core.coverage.kb import kb_ages, kb_synonyms, read_kb
from core.coverage.patient import ADULT, age_range
from core.coverage.retrieval import KnowledgeRetriever
from core.coverage.search import Hit, Index
from core.coverage.text import fold, tokens
from core.coverage.thresholds import (
    BM25_OVERRULES_BELOW,
    GENERIC_CANCER,
    GENERIC_CANCER_TERMS,
    KB_TERM,
    MIN_AGREED,
    MIN_ANSWER,
    MIN_FOUND,
    MIN_MATCH,
    MIN_NAMED,
    NAMED_IDF,
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
        self.exclusions = exclusion_rules(exclusions)

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
        elif ans.covered is False and ans.edad is None and patient.adult(text):
            # a child-only reading refused to "mi esposo": the knowledge base may know the
            # adult's condition ("dengue… plaquetas bajas" is not the children's púrpura)
            second = self._ask(self.kb_index, text, edad)
            if second.settled and second.covered:
                return second
        elif ans.cartera == "CAUSES" and patient.small_child(ans.edad, text):
            # under 5, SMSXXI answers where its own terms name the condition (issue 20)
            second = self._ask(self.kb_index, text, edad)
            if second.settled and second.cartera == "SMSXXI" and second.covered:
                return second
        if ans.clarify and ans.matches:
            # "rabdomiosarcoma… sarcoma de tejidos blandos": the catalogue hesitates between rows
            # that share its words, the knowledge base names one of them by a whole lay term
            second = self._ask(self.kb_index, text, edad)
            if second.settled and second.covered and not second.clarify and second.matches \
                    and second.matches[0]["score"] >= KB_TERM \
                    and any(m["numero"] == second.matches[0]["numero"]
                            and m["cartera"] == second.matches[0]["cartera"] for m in ans.matches[:3]):
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
        if self._smsxxi_first(text, ans, described):
            return ans
        key = (described.matches[0]["cartera"], described.matches[0]["numero"])
        return ans if key == (ans.matches[0]["cartera"], ans.matches[0]["numero"]) else described

    @staticmethod
    def _smsxxi_first(text: str, ans: CoverageAnswer, described: CoverageAnswer) -> bool:
        """Under 5, an SMSXXI row the catalogue reading leads with stays before a CAUSES entry
        BM25 finds (issue 20's rule 4: "a child under 5 gets SMSXXI where it covers the
        condition"): "neumotórax" at 5 months is SMSXXI's row, not CAUSES' chest drainage."""
        return bool(ans.matches) and ans.matches[0]["cartera"] == "SMSXXI" \
            and described.cartera == "CAUSES" and patient.small_child(ans.edad, text)

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
        hits = choice.adjust_for_age(hits, edad, hint, self._range)
        hits = [h for h in hits if h.score >= MIN_MATCH]
        matches = [self._match(h) for h in hits[:5]]

        excl = excluded(self.exclusions, text, hits)
        if excl is not None:
            return CoverageAnswer(None, False, edad, matches, txt.not_covered_text(excl),
                                  topic=excl)
        vaccine = vaccine_not_listed(text, qtoks, self._vaccine_tokens())
        if vaccine is not None:
            return CoverageAnswer(None, None, edad, [], txt.vaccine_not_listed_text(vaccine),
                                  topic=f"Vacuna {vaccine}"[:100])
        if not hits or hits[0].score < (MIN_FOUND if floor is None else floor):
            return CoverageAnswer(None, None, edad, matches, txt.not_found_text(), settled=False)

        group = self._cancer_group(qtoks, hint)
        if group:
            return self._group_answer(group, hits, edad)

        newborn = patient.newborn(edad, text)
        top = choice.choose(hits, edad, small_child, self._ok, newborn, VACCINE_STEM in qtoks)
        newborn_row = newborn and top is not hits[0]  # the age decided: nothing to ask
        if top is not hits[0]:  # the answered intervention leads the list
            hits = [top] + [h for h in hits if h is not top]
            matches = [self._match(h) for h in hits[:5]]
        if named:
            if top.score < MIN_NAMED or not _named(index, hits, text):
                return CoverageAnswer(None, None, edad, matches, txt.not_sure_text(top.item),
                                      topic=txt.short_name(top.item.nombre), settled=False)
        elif top.score < (floor if floor is not None else _answer_floor(top, small_child, text)):
            return CoverageAnswer(None, None, edad, matches, txt.not_sure_text(top.item),
                                  topic=txt.short_name(top.item.nombre), settled=False)

        options = [] if newborn_row else choice.clarify_options(
            hits, top, edad, qtoks, hint, self._ok, self._range)
        if options:
            if options[0] is not hits[0]:
                hits = options + [h for h in hits if h not in options]
                matches = [self._match(h) for h in hits[:5]]
            carteras = {h.item.cartera for h in options}
            single = len(carteras) == 1
            cartera = top.item.cartera if single else None
            all_ok = all(self._ok(h.item, edad) for h in options)
            labels = choice.unique_labels(options)
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
            top = choice.variant_for_age(hits, top, who, self._ok) or (
                choice.adult_reading(hits, top, self._ok) if edad is None
                else None if patient.names_portfolio(text, top.item.cartera)
                else choice.named_reading(hits, top, edad, self._ok, set(tokens(text)))) or top
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
        labels = choice.unique_labels([Hit(it, 1.0, None, 1.0) for it in group[:4]])
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

    def _vaccine_tokens(self) -> set[str]:
        """What the catalogs' vaccine interventions protect against (exclusions.vaccine_tokens)."""
        cached = getattr(self, "_vaccine_toks", None)
        if cached is None:
            cached = self._vaccine_toks = vaccine_tokens(self.index)
        return cached


def _answer_floor(top: Hit, small_child: bool | None, text: str) -> float:
    """The score a top hit needs to be answered: MIN_ANSWER, or only MIN_FOUND for a small
    child's condition asked of the SMSXXI by name (its own row, once found, answers)."""
    if top.item.cartera == "SMSXXI" and small_child is not False and patient.names_portfolio(text, "SMSXXI"):
        return MIN_FOUND
    return MIN_ANSWER


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

