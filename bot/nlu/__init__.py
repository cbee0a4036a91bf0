"""Natural-language understanding for the citizen channel.

    from bot.nlu import get_parser
    result = get_parser().parse("me cobraron 350 en el centro de salud de zapopan")

`result` has Rasa's /model/parse shape: text, intent {name, confidence}, entities
[{entity, value, start, end}], intent_ranking. Below NLU_THRESHOLD the intent is
"nlu_fallback" while intent_ranking still lists the real candidates.

Environment:
  NLU_BACKEND       embedded (default) | rasa
  RASA_URL          Rasa server base URL (backend "rasa"), e.g. http://rasa:5005
  NLU_THRESHOLD     fallback threshold on the top intent's confidence (default 0.35)
  NLU_TIMEOUT_S     Rasa request timeout in seconds (default 2); failures use the embedded engine
  NLU_DATA_DIR      training data directory (default: the repository's nlu_data/)
  SINAC_INSTANCE_DIR  where the trained model is cached (default ./instance)

Nothing is loaded at import time: the model is loaded (or trained) on the first parse.
"""

from __future__ import annotations

import functools
import logging
import os

from .data import ENTITIES, FALLBACK_INTENT, INTENTS
from .entities import extract_entities
from .normalize import normalize_folio, normalize_text

log = logging.getLogger(__name__)

__all__ = [
    "ENTITIES",
    "FALLBACK_INTENT",
    "INTENTS",
    "extract_entities",
    "get_parser",
    "make_parser",
    "normalize_folio",
    "normalize_text",
]


def make_parser(env: dict | None = None):
    """Build a parser from environment-style settings (no caching)."""
    from .engine import DEFAULT_THRESHOLD, EmbeddedParser, threshold_from_env
    from .rasa import DEFAULT_TIMEOUT_S, RasaParser

    env = os.environ if env is None else env
    threshold = (
        threshold_from_env() if env is os.environ else float(env.get("NLU_THRESHOLD") or DEFAULT_THRESHOLD)
    )
    backend = (env.get("NLU_BACKEND") or "embedded").strip().lower()
    embedded = EmbeddedParser(threshold=threshold)
    if backend == "embedded":
        return embedded
    if backend != "rasa":
        log.warning("unknown NLU_BACKEND=%r; using the embedded engine", backend)
        return embedded
    url = (env.get("RASA_URL") or "").strip()
    if not url:
        log.warning("NLU_BACKEND=rasa without RASA_URL; using the embedded engine")
        return embedded
    try:
        timeout = float(env.get("NLU_TIMEOUT_S") or DEFAULT_TIMEOUT_S)
    except ValueError:
        timeout = DEFAULT_TIMEOUT_S
    return RasaParser(url, timeout_s=timeout, threshold=threshold, fallback=embedded)


@functools.lru_cache(maxsize=1)
def get_parser():
    """The process-wide parser (built on first call from the environment)."""
    return make_parser()
