"""Rasa server backend: POST {RASA_URL}/model/parse, same output shape as the embedded engine.

Any error, timeout or malformed answer falls back to the embedded engine for that message; after
a failure Rasa is skipped for `cooldown_s` so a dead server does not add its timeout to every
message.
"""

from __future__ import annotations

import logging
import threading
import time

import requests

from core.estados import NOMBRES
from core.text.curp import is_valid_curp
from core.text.fold import to_ascii

from .data import ENTITIES, FALLBACK_INTENT
from .engine import EmbeddedParser, coerce_text, fallback_result
from .entities import extract_entities, get_gazetteer
from .normalize import normalize_folio
from .numbers import as_number, parse_digits, words_to_number

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 2.0


class RasaError(RuntimeError):
    pass


class RasaParser:
    backend = "rasa"

    def __init__(
        self,
        url: str,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        threshold: float = 0.5,
        fallback: EmbeddedParser | None = None,
        cooldown_s: float = 30.0,
        session: requests.Session | None = None,
    ):
        self.url = url.rstrip("/")
        self.timeout_s = timeout_s
        self.threshold = threshold
        self.fallback = fallback if fallback is not None else EmbeddedParser(threshold=threshold)
        self.cooldown_s = cooldown_s
        self._session = session or requests.Session()
        self._down_until = 0.0
        self._lock = threading.Lock()

    # -- wire
    def call(self, text: str) -> dict:
        """One /model/parse round trip; raises RasaError on any failure."""
        try:
            resp = self._session.post(
                f"{self.url}/model/parse",
                json={"text": text},
                headers={"Accept": "application/json"},
                timeout=self.timeout_s,
            )
        except requests.RequestException as exc:
            raise RasaError(f"request failed: {exc}") from exc
        if resp.status_code != 200:
            raise RasaError(f"HTTP {resp.status_code}")
        try:
            body = resp.json()
        except ValueError as exc:
            raise RasaError("response is not JSON") from exc
        if not isinstance(body, dict):
            raise RasaError("response is not an object")
        return body

    # -- shape
    def _convert(self, text: str, body: dict) -> dict:
        intent = body.get("intent") or {}
        name = intent.get("name")
        conf = intent.get("confidence")
        if name is not None and not isinstance(name, str):
            raise RasaError("bad intent name")
        try:
            conf = float(conf) if conf is not None else 0.0
        except (TypeError, ValueError) as exc:
            raise RasaError("bad confidence") from exc
        ranking = []
        for r in body.get("intent_ranking") or []:
            if isinstance(r, dict) and isinstance(r.get("name"), str):
                try:
                    ranking.append({"name": r["name"], "confidence": float(r.get("confidence", 0))})
                except (TypeError, ValueError):
                    continue
        ranking = [r for r in ranking if r["name"] != FALLBACK_INTENT]
        if not ranking and name and name != FALLBACK_INTENT:
            ranking = [{"name": name, "confidence": conf}]
        entities = self._entities(text, body.get("entities") or [])
        if not name or name == FALLBACK_INTENT or conf < self.threshold:
            return fallback_result(text, self.threshold, ranking, entities)
        return {
            "text": text,
            "intent": {"name": name, "confidence": conf},
            "entities": entities,
            "intent_ranking": ranking,
        }

    def _entities(self, text: str, raw: list) -> list[dict]:
        """Normalise Rasa's entities; fill in types Rasa did not return with our extractors."""
        out: list[dict] = []
        for e in raw:
            if not isinstance(e, dict) or e.get("entity") not in ENTITIES:
                continue
            try:
                start, end = int(e["start"]), int(e["end"])
            except (KeyError, TypeError, ValueError):
                continue
            value = normalise_value(e["entity"], e.get("value", text[start:end]), self.fallback)
            if value is None:
                continue
            out.append({"entity": e["entity"], "value": value, "start": start, "end": end})
        have = {e["entity"] for e in out}
        for e in extract_entities(text, self.fallback.data_dir):
            if e["entity"] not in have:
                out.append(e)
        out.sort(key=lambda e: (e["start"], e["end"]))
        return out

    # -- public
    def parse(self, text: object) -> dict:
        text = coerce_text(text)
        if time.monotonic() < self._down_until:
            return self.fallback.parse(text)
        try:
            return self._convert(text, self.call(text))
        except RasaError as exc:
            log.warning("Rasa at %s failed (%s); using the embedded engine", self.url, exc)
            with self._lock:
                self._down_until = time.monotonic() + self.cooldown_s
            return self.fallback.parse(text)


def normalise_value(entity: str, value: object, fallback: EmbeddedParser):
    """Bring a Rasa entity value to our canonical form; None when it is not valid."""
    if entity == "monto":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return as_number(value)
        s = str(value).lower().replace("$", "").replace("pesos", "").strip()
        num = parse_digits(s) if s else None
        if num is None:
            num = words_to_number(s.split())
        return as_number(num) if num else None
    if entity == "estado":
        if value in NOMBRES:
            return value
        gaz = get_gazetteer(fallback.data_dir)
        key = " ".join(str(value).lower().split())
        return gaz.values.get(to_ascii(key))
    if entity == "curp":
        v = str(value).strip().upper()
        return v if is_valid_curp(v) else None
    if entity == "folio":
        return normalize_folio(str(value)) or str(value)
    return str(value)
