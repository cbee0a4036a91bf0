"""Ranked retrieval over intervention names, groups and lay synonyms.

Each intervention is a small document: its name, its group and the lay synonyms that point to it
(plus, at a lower weight, the alternatives named in synonym notes: "hernia" -> "umbilical: 236").
A question is normalised (text.tokens), misspelt words are corrected to the catalog vocabulary
with rapidfuzz, and every intervention gets a 0..1 score from
  - how much of the question it explains (idf-weighted coverage of the question's tokens),
  - how well it matches: whole synonym phrases beat single name words,
  - how much of its own name the question mentions (specificity, for "hernia umbilical").
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from core.coverage.catalog import Intervention, Synonym
from core.coverage.text import content_words, fold, phonetic, snowball, stem, tokens, words

# A word in more rows than this ("tiene", "cirugía", "me pusieron") does not bring candidates of
# its own when the question has a rarer one: a row it alone reaches hardly ever outscores one
# that shares the rarer word, and scoring them all was most of the time of a long question
# (measured: 2 of 1,999 development answers change, no development figure drops; at 25, 6 do)
COMMON_POSTINGS = 40


@dataclass
class SynEntry:
    termino: str
    toks: frozenset[str]
    weight: float  # 1.0 for a direct synonym, lower for alternatives named in a note
    ask: bool  # the note says to ask which one ("vacunas")
    child: bool = False  # a small child's term ("neumonía en bebé", "sífilis del bebé")
    kind: str = "termino"  # termino | sintoma | medicamento | estudio (core/coverage/kb.py)


@dataclass
class Doc:
    item: Intervention
    name_toks: frozenset[str]
    group_toks: frozenset[str]
    syns: list[SynEntry] = field(default_factory=list)
    neg_toks: frozenset[str] = frozenset()  # "(no incluye melanoma)": asking for it is not this
    # every token of its synonyms, set once the index is built (a question word is looked up here
    # instead of in each of the knowledge base's many synonyms)
    syn_toks: frozenset[str] = frozenset()
    # token -> positions in `syns` of the synonyms that hold it: a question reaches only the
    # synonyms that share a word with it instead of scanning every one of them for every hit
    syns_by_tok: dict[str, tuple[int, ...]] = field(default_factory=dict)

    def syns_touching(self, toks: set[str]) -> list[int]:
        """Positions, in order, of the synonyms that share a token with `toks`."""
        found: set[int] = set()
        for t in toks:
            found.update(self.syns_by_tok.get(t, ()))
        return sorted(found)

    @property
    def all_toks(self) -> set[str]:
        out = set(self.name_toks) | set(self.group_toks)
        for s in self.syns:
            out |= s.toks
        return out


@dataclass
class Hit:
    item: Intervention
    score: float
    syn: SynEntry | None  # the synonym that matched completely, if any
    qcov: float  # share of the question explained


UNKNOWN_WEIGHT = 1.0
ORDINALS = frozenset({"primer", "segund", "tercer"})
# A lay name points at its row; a drug, a symptom or a study less surely (a study is ordered for
# many conditions: the condition named beside it should decide).
KIND_WEIGHT = {"termino": 1.0, "medicamento": 0.9, "sintoma": 0.8, "estudio": 0.5}
# endings that may separate two forms of one word ("diabet"/"diabetic", "apendic"/"apendiciti")
_SUFFIXES = frozenset({"ic", "ico", "ica", "al", "ar", "ad", "ado", "ada", "er", "ir", "os",
                       "as", "es", "iti", "itis", "arm", "ando", "iendo", "ido", "ida", "ant",
                       "ci", "ion", "osa", "oso", "ism", "ismo", "ist", "ista", "ur", "ura",
                       "i", "e", "a", "o", "s", "n", "in", "ina"})
_CHILD_TERM_RE = re.compile(r"\b(bebes?|recien nacid[oa]s?|ninos?|ninas?|infantil|neonatal)\b")
CHILD_BONUS = 0.06  # a small child's synonym, asked about a child under 5
HEAD_TOKENS = frozenset({"cancer", "tumor", "leucemi", "linfom", "trasplant", "vacun", "fractur",
                         "esguinc", "quemadur", "hernia", "herni"})
_NEG_RE = re.compile(r"\((?:no incluye|excepto)\s+([^)]*)\)", re.IGNORECASE)
_RANGE_RE = re.compile(r"(\d+)(?:\s*[-–]\s*|\s+a\s+)(\d+)")
_NUM_RE = re.compile(r"(?<![\d.])(\d{1,3})(?![\d.])")
_OTHER_CARTERA_RE = re.compile(r"\b(FPGC|SMSXXI|SMS\s*XXI|Siglo XXI)\b", re.IGNORECASE)


def note_targets(nota: str) -> list[int]:
    """Intervention numbers named in a synonym note ("umbilical: 236; crural: 234", "1-15")."""
    out: list[int] = []
    for part in re.split(r"[;]", nota or ""):
        if _OTHER_CARTERA_RE.search(part):
            continue
        part_wo_ages = re.sub(r"(\d+)\s*(?:a|-)\s*(\d+)\s*años|\d+\s*años|"
                              r"(?:menores|mayores|menos|más)\s+de\s+\d+", " ", part)
        for a, b in _RANGE_RE.findall(part_wo_ages):
            lo, hi = int(a), int(b)
            if 0 < lo < hi and hi - lo <= 30:
                out.extend(range(lo, hi + 1))
        rest = _RANGE_RE.sub(" ", part_wo_ages)
        out.extend(int(n) for n in _NUM_RE.findall(rest) if int(n) > 0)
    return out


class Index:
    def __init__(self, items: list[Intervention], synonyms: list[Synonym]):
        self.docs: list[Doc] = []
        by_num: dict[tuple[str, int | None], Doc] = {}
        by_name: dict[tuple[str, str], Doc] = {}
        for it in items:
            neg = _NEG_RE.findall(it.nombre)
            name = _NEG_RE.sub(" ", it.nombre)
            doc = Doc(it, frozenset(tokens(name)), frozenset(tokens(it.grupo)),
                      neg_toks=frozenset(t for n in neg for t in tokens(n)))
            self.docs.append(doc)
            by_num.setdefault((it.cartera, it.numero), doc)
            by_name.setdefault((it.cartera, _norm_name(it.nombre)), doc)
        self._attach_synonyms(synonyms, by_num, by_name)
        self._build_stats()

    # -- construction --------------------------------------------------------------------

    def _target(self, syn: Synonym, by_num, by_name) -> Doc | None:
        # The synonym names its intervention; that is what survives a new edition whose
        # numbering moved. Fall back to the number only if the name is the same there.
        doc = by_name.get((syn.cartera, _norm_name(syn.nombre)))
        if doc is not None:
            return doc
        doc = by_num.get((syn.cartera, syn.numero)) if syn.numero is not None else None
        if doc is not None and fuzz.token_set_ratio(_norm_name(doc.item.nombre),
                                                    _norm_name(syn.nombre)) >= 90:
            return doc
        cands = [d for d in self.docs if d.item.cartera == syn.cartera]
        if not cands:
            return None
        best = process.extractOne(_norm_name(syn.nombre), [_norm_name(d.item.nombre) for d in cands],
                                  scorer=fuzz.token_set_ratio, score_cutoff=88)
        return cands[best[2]] if best else None

    def _attach_synonyms(self, synonyms, by_num, by_name) -> None:
        for syn in synonyms:
            doc = self._target(syn, by_num, by_name)
            if doc is None:
                continue
            toks = frozenset(tokens(syn.termino, strict=False))
            if not toks:
                continue
            ask = "preguntar" in syn.nota.lower()
            child = bool(_CHILD_TERM_RE.search(fold(syn.termino)))
            doc.syns.append(SynEntry(syn.termino, toks, KIND_WEIGHT.get(syn.kind, 1.0), ask,
                                     child, syn.kind))
            # Alternatives named in the note are weaker synonyms of their own rows.
            if syn.numero is None or doc.item.numero != syn.numero:
                continue
            for n in note_targets(syn.nota):
                alt = by_num.get((syn.cartera, n))
                if alt is not None and alt is not doc:
                    alt.syns.append(SynEntry(syn.termino, toks, 0.55, ask))

    def _build_stats(self) -> None:
        df: dict[str, int] = defaultdict(int)
        for d in self.docs:
            d.syn_toks = frozenset().union(*(s.toks for s in d.syns))
            by_tok: dict[str, list[int]] = defaultdict(list)
            for pos, s in enumerate(d.syns):
                for t in s.toks:
                    by_tok[t].append(pos)
            d.syns_by_tok = {t: tuple(ps) for t, ps in by_tok.items()}
            for t in d.all_toks:
                df[t] += 1
        n = max(len(self.docs), 1)
        self.idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}
        self.default_idf = math.log(1 + (n + 0.5) / 0.5)
        self.vocab_stems = set(df)
        self.stems_by_prefix: dict[str, set[str]] = defaultdict(set)
        for t in self.vocab_stems:
            if len(t) >= 5:
                self.stems_by_prefix[t[:5]].add(t)
        words: set[str] = set()
        for d in self.docs:
            words.update(content_words(d.item.nombre, strict=False))
            for s in d.syns:
                words.update(content_words(s.termino, strict=False))
        self.vocab_words = sorted(w for w in words if len(w) >= 4)
        # misspellings are compared by sound (phonetic key), ties go to the commoner word
        self.phon_words: dict[str, str] = {}
        for w in self.vocab_words:
            key = phonetic(w)
            cur = self.phon_words.get(key)
            if cur is None or df.get(stem(w), 0) > df.get(stem(cur), 0):
                self.phon_words[key] = w
        self.phon_keys = sorted(self.phon_words)
        # the same word in another form ("me pegué" ~ "se pegó", "me operaron" ~ "operación"):
        # Snowball's Spanish stems, which undo verb endings the light stemmer keeps
        self.by_snowball: dict[str, str] = {}
        for w in self.vocab_words:
            key, st = snowball(w), stem(w)
            cur = self.by_snowball.get(key)
            if len(key) >= 5 and st in df and (cur is None or df[st] > df.get(cur, 0)):
                self.by_snowball[key] = st
        self.df = dict(df)
        self.postings: dict[str, list[int]] = defaultdict(list)
        for i, d in enumerate(self.docs):
            for t in d.all_toks:
                self.postings[t].append(i)

    # -- query ---------------------------------------------------------------------------

    def expand(self, word_tokens: list[str], raw_words: list[str]) -> dict[str, tuple[str, float]]:
        """Map each query token to (vocabulary stem, confidence).

        Exact stems first; then a shared prefix ("diabetic" ~ "diabet"); then a fuzzy match of
        the raw word against catalog words ("apendisitis" -> "apendicitis")."""
        out: dict[str, tuple[str, float]] = {}
        for tok, raw in zip(word_tokens, raw_words, strict=True):
            if tok in self.vocab_stems:
                out[tok] = (tok, 1.0)
                continue
            pref = None
            if len(tok) >= 5:
                for cand in self.stems_by_prefix.get(tok[:5], ()):
                    short, long_ = sorted((cand, tok), key=len)
                    if (len(short) >= 5 and long_.startswith(short)
                            and long_[len(short):] in _SUFFIXES
                            and (pref is None or len(cand) > len(pref))):
                        pref = cand
            if pref:
                out[tok] = (pref, 0.85)
                continue
            key = snowball(raw)
            other = self.by_snowball.get(key) if len(key) >= 5 else None
            if other is not None:
                out[tok] = (other, 0.85)
                continue
            fixed = self._misspelling(raw)
            if fixed is not None:
                out[tok] = fixed
                continue
            out[tok] = (tok, 0.0)  # unknown word: still counts against coverage
        return out

    def _misspelling(self, raw: str) -> tuple[str, float] | None:
        """(stem, confidence) of the catalog word `raw` most likely misspells, or None."""
        if len(raw) < 4:
            return None
        key = phonetic(raw)
        if key in self.phon_words:
            st = stem(self.phon_words[key])
            return (st, 0.9) if st in self.vocab_stems else None
        if len(key) <= 5:
            return None  # short words: only exact sound-alikes ("onda" is not "sonda")
        found = process.extract(key, self.phon_keys, scorer=OSA.normalized_similarity,
                                limit=6, score_cutoff=0.8)
        if not found:
            return None
        best = max(s for _, s, _ in found)
        cands = [self.phon_words[k] for k, s, _ in found if s >= best - 1e-9]
        word = max(cands, key=lambda w: (self.df.get(stem(w), 0), -abs(len(w) - len(raw))))
        st = stem(word)
        if st not in self.vocab_stems:
            return None
        return (st, 0.8 if best >= 0.85 else 0.7)

    def search(self, text: str, limit: int = 20,
               small_child: bool | None = None) -> tuple[list[Hit], set[str]]:
        """Ranked hits and the question's content tokens (mapped to the catalog vocabulary).

        small_child: the patient is under 5 (True), older (False) or unknown (None)."""
        raw_strict = content_words(text, strict=True)
        strict = [stem(w) for w in raw_strict]
        raw_loose = content_words(text, strict=False)
        loose = [stem(w) for w in raw_loose]
        exp = self.expand(loose, raw_loose)
        # quoting a full catalog name ("... (excepto onicomicosis)") is not asking for the exclusion
        check_neg = not re.search(r"\b(no incluye|excepto)\b", fold(text))
        strict_set = set(strict)
        # query tokens for coverage: strict ones (meaningful), mapped to vocabulary
        q: dict[str, tuple[str, float]] = {t: exp[t] for t in strict_set}
        loose_mapped = {exp[t][0] for t in loose if exp[t][1] > 0}
        loose_conf = {}
        for t in loose:
            v, c = exp[t]
            if c > 0:
                loose_conf[v] = max(loose_conf.get(v, 0), c)
        mapped = {v for v, c in q.values() if c > 0}
        if not loose_mapped:
            return [], mapped
        # A word the catalogs never use is most likely filler ("detectaron", "quimios"): it
        # lowers the coverage of the question only a little.
        total_idf = sum(self.idf.get(v, self.default_idf) if c > 0 else UNKNOWN_WEIGHT
                        for v, c in q.values()) or 0.0
        cand: set[int] = set()
        for v in loose_mapped:
            posting = self.postings.get(v, ())
            if len(posting) <= COMMON_POSTINGS:
                cand.update(posting)
        if not cand:
            for v in loose_mapped:
                cand.update(self.postings.get(v, ()))
        hits: list[Hit] = []
        for i in cand:
            d = self.docs[i]
            hit = self._score(d, q, loose_mapped, loose_conf, total_idf, check_neg)
            if hit is not None and hit.syn is not None and hit.syn.child:
                # The data's child-specific terms (SMSXXI for under-5s) apply to small children;
                # for anyone else the general term of the same disease answers.
                hit.score += CHILD_BONUS if small_child else -CHILD_BONUS / 2
            if hit is not None:
                hits.append(hit)
        hits.sort(key=lambda h: (-h.score, _cartera_rank(h.item.cartera),
                                 h.item.numero if h.item.numero is not None else 10**6))
        return hits[:limit], mapped

    def _score(self, d: Doc, q, loose_mapped, loose_conf, total_idf,
               check_neg: bool = True) -> Hit | None:
        idf = self.idf
        if check_neg and d.neg_toks and d.neg_toks & loose_mapped:
            return None
        # best synonym: complete phrase matches win, longer/rarer phrases win more
        best_syn = None
        best_syn_score = 0.0
        syn_explained: set[str] = set()
        touching = [d.syns[pos] for pos in d.syns_touching(loose_mapped)]
        for s in touching:
            if s.toks <= loose_mapped:
                conf = min(loose_conf.get(t, 1.0) for t in s.toks)
                sc = s.weight * conf * (sum(idf.get(t, 0) for t in s.toks) + 1.5 * len(s.toks))
                if sc > best_syn_score:
                    best_syn_score, best_syn = sc, s
                syn_explained |= s.toks
        partial_syn = 0.0
        if best_syn is None:
            for s in touching:
                common = s.toks & loose_mapped
                if common and len(s.toks) > 1:
                    part = s.weight * sum(idf.get(t, 0) for t in common) / len(s.toks) * 0.8
                    partial_syn = max(partial_syn, part)
        name_hit = 0.0
        explained_idf = 0.0
        for v, c in q.values():
            if c <= 0:
                continue
            w = idf.get(v, 0) * c
            if v in d.name_toks:
                name_hit += w
                explained_idf += w
            elif v in syn_explained:
                explained_idf += w
            elif v in d.syn_toks:
                explained_idf += 0.5 * w
            elif v in d.group_toks:
                explained_idf += 0.4 * w
        if best_syn is None and name_hit == 0 and partial_syn == 0:
            return None
        qcov = explained_idf / total_idf if total_idf else 0.0
        name_total = sum(idf.get(t, 0) for t in d.name_toks) or 1.0
        spec = min(1.0, name_hit / name_total)
        strength = max(best_syn_score, name_hit + 1.0 * (name_hit > 0), partial_syn)
        strength_norm = min(1.0, strength / (total_idf + 1.5)) if total_idf else 0.0
        score = (0.55 * qcov + 0.35 * strength_norm + 0.10 * spec)
        # Head nouns decide the kind of thing asked: "cáncer de pulmón" is not "trasplante de
        # pulmón" even though "pulmón" is the rarer word.
        for v, c in q.values():
            if c > 0 and v in HEAD_TOKENS and v not in d.name_toks and v not in syn_explained:
                score *= 0.7
                break
        # "tercer grado" is not "primer grado": a degree the question names rules out another
        asked = ORDINALS & {v for v, c in q.values() if c > 0}
        if asked and (ORDINALS & d.name_toks) and not (asked & d.name_toks):
            score *= 0.6
        if best_syn is not None:
            score += 0.08 * best_syn.weight
        return Hit(d.item, min(score, 1.0), best_syn, qcov)


def _cartera_rank(c: str) -> int:
    return {"CAUSES": 0, "FPGC": 1, "SMSXXI": 2}.get(c, 3)


def _norm_name(name: str) -> str:
    # every word counts here: "otitis media supurativa" is not "otitis media no supurativa"
    return " ".join(words(name))
