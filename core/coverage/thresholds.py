"""The coverage engine's score thresholds and tuned margins, in one place.

The engine's readers (core/coverage/engine.py) and the choice among matched rows
(core/coverage/choice.py) both compare against them; kept apart so neither imports the other to
read a number, and so tuning them on data/evaluacion.csv touches one file.
"""

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
VARIANT_MARGIN = 0.15
ADULT_GUESS = 40.0  # the age an adult named without an age is checked against
ADULT_READING_MARGIN = 0.25  # an age variant of the same condition this close answers for that age
