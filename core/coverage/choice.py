"""Which matched row answers: age variants, newborns, small children, vaccines, and when to ask.

The engine (core/coverage/engine.py) reads a question into scored hits; these rules pick among
them for the patient the question speaks of (core/coverage/patient.py), or offer the options to
ask between. They take the engine's `fits(item, edad)` and `range_of(item)` (age limits from the
row's name or the knowledge base) rather than the engine, so they depend on nothing above them.
"""

from __future__ import annotations

from collections.abc import Callable

from core.coverage import answer as txt
from core.coverage import patient
from core.coverage.catalog import Intervention
from core.coverage.exclusions import is_vaccine
from core.coverage.search import Hit
from core.coverage.thresholds import (
    ADULT_GUESS,
    ADULT_READING_MARGIN,
    AGE_PENALTY,
    CLARIFY_MARGIN,
    MIN_ANSWER,
    MIN_FOUND,
    NEWBORN_CLOSE,
    NEWBORN_FIRST,
    NOT_VACCINE_FIRST,
    SMSXXI_FIRST,
    SMSXXI_YIELD,
    VARIANT_MARGIN,
)

Fits = Callable[[Intervention, "float | None"], bool]
RangeOf = Callable[[Intervention], "tuple[float, float, str] | None"]


def adjust_for_age(hits: list[Hit], edad: float | None, hint: float | None,
                   range_of: RangeOf) -> list[Hit]:
    """Hits rescored for the age told or hinted: a variant for another age loses a little."""
    if hint is None:
        return hits
    out = []
    for h in hits:
        rng = range_of(h.item)
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


def choose(hits: list[Hit], edad: float | None, small_child: bool | None, fits: Fits,
           newborn: bool = False, asks_vaccine: bool = True) -> Hit:
    """The hit that answers: the first, unless a rule about the patient prefers a close one."""
    top = hits[0]
    if not asks_vaccine and is_vaccine(top.item):
        # "tiene tosferina": the disease, not the vaccine that names it
        for h in hits[1:6]:
            if not is_vaccine(h.item) and h.score >= NOT_VACCINE_FIRST * top.score \
                    and fits(h.item, edad):
                top = h
                break
    if newborn and not patient.neonatal(top.item):
        # a newborn's condition: the perinatal row that names it ("convulsiones del recién
        # nacido", "gastrosquisis") before a general one (epilepsy) or routine newborn care
        for h in hits[1:6]:
            if patient.neonatal(h.item) and not patient.routine_newborn(h.item) \
                    and h.score >= NEWBORN_FIRST * top.score and fits(h.item, edad):
                return h
    elif newborn and patient.routine_newborn(top.item):
        for h in hits[1:6]:
            if patient.routine_newborn(h.item) or not fits(h.item, edad):
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
                    and (h.score >= SMSXXI_FIRST * top.score
                         or (top.syn is not None and h.syn.termino == top.syn.termino)) \
                    and fits(h.item, edad):
                return h  # (the same lay term in both portfolios: the age decides)
    child_term = top.syn is not None and top.syn.child and small_child
    if top.item.cartera == "SMSXXI" and not child_term and not small_child:
        # SMSXXI covers what the other two do not: a close CAUSES/FPGC match answers first.
        for h in hits[1:6]:
            if h.item.cartera != "SMSXXI" and h.score >= SMSXXI_YIELD * top.score \
                    and h.qcov >= 0.9 * top.qcov and fits(h.item, edad):
                return h
    return top


def variant_for_age(hits: list[Hit], top: Hit, edad: float, fits: Fits) -> Hit | None:
    """The same condition's intervention for this age ("neumonía en menores de 18 años" at
    75 → "neumonía en adultos"), when the catalogs split it by age and the other variant
    matched too; a different disease never takes its place."""
    condition = patient.condition_tokens(top.item)
    if not condition:
        return None
    for h in hits[1:8]:
        if h.score < top.score - VARIANT_MARGIN:
            break
        if fits(h.item, edad) and patient.condition_tokens(h.item) == condition:
            return h
    return None


def named_reading(hits: list[Hit], top: Hit, edad: float, fits: Fits, said: set[str]) -> Hit | None:
    """The best row for this age that the question names by a whole term (`said`: its
    tokens), when the top one is for another age ("meningitis … en terapia intensiva" at 11:
    the meningitis row, not the newborns' intensive care the setting brushed)."""
    if top.syn is None or top.syn.toks <= said:
        return None  # the question names the top row (its name or a whole term): it is asked about it
    for h in hits[1:6]:
        if h.score < MIN_FOUND:
            break
        if h.syn is not None and h.syn.weight >= 1.0 and h.syn.toks <= said and fits(h.item, edad):
            return h
    return None


def adult_reading(hits: list[Hit], top: Hit, fits: Fits) -> Hit | None:
    """Only "mi esposo" said the age: the best reading that fits an adult, if close enough
    (a child-only row was a poor reading of an adult's question to begin with)."""
    for h in hits[1:8]:
        if h.score < max(MIN_ANSWER, top.score - ADULT_READING_MARGIN):
            break
        if fits(h.item, ADULT_GUESS):
            return h
    return None


def clarify_options(hits: list[Hit], top: Hit, edad: float | None, qtoks: set[str],
                    age: float | None, fits: Fits, range_of: RangeOf) -> list[Hit]:
    """Different interventions equally likely for this question (and this age), or []."""
    if top.syn is not None and top.syn.ask:
        if qtoks - top.syn.toks:
            return []  # "vacuna de la hepatitis B": more than the generic word, no need to ask
        same = [h for h in hits if h.syn is not None and h.syn.termino == top.syn.termino
                and fits(h.item, edad)]
        if edad is not None:  # options made for this age first ("vacunas" at 70)
            same.sort(key=lambda h: (range_of(h.item) is None, -h.score))
        return same[:4] if len(same) > 1 else []
    if top.syn is not None and top.syn.weight >= 1.0:
        return []  # a lay term that names one intervention: no need to ask
    eligible = [h for h in hits if fits(h.item, age)]
    if not eligible or eligible[0].score < MIN_ANSWER:
        return []
    best = eligible[0].score
    close = [h for h in eligible if h.score >= best - CLARIFY_MARGIN]
    if len(close) < 2:
        return []
    return close[:4]



def unique_labels(options: list[Hit]) -> list[str]:
    out: list[str] = []
    for h in options:
        label = txt.short_name(h.item.nombre, 45)
        if label not in out:
            out.append(label)
    return out
