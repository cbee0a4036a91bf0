"""Logging: JSON lines in production, readable text in development; a request id carried from
the webhook into the jobs it causes; phone numbers and CURP masked in every record."""

from __future__ import annotations

import logging
import re
import sys
import uuid
from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("sinac_request_id", default=None)

# Left as they are: timestamps and dates as RQ, logging and isoformat() write them
# ("12:34:56", "2026-12-06 19:00:01,123", "2026-12-06T19:00:01.123456+00:00", "20261206190001"),
# and folios (SINAC-2026-000123). Matched first, so their digits never read as a phone.
_KEEP = (
    r"(?:19|20)\d{2}-[01]\d-[0-3]\d(?:[T ][0-2]\d:[0-5]\d(?::[0-5]\d)?(?:[.,]\d+)?(?:Z|[+-][0-2]\d:?[0-5]\d)?)?"
    r"|(?<!\d)\d{1,2}:[0-5]\d(?::[0-5]\d)?(?:[.,]\d+)?(?!\d)"
    r"|(?<!\d)(?:19|20)\d{2}[01]\d[0-3]\d[T ]?[0-2]\d[0-5]\d[0-5]\d(?!\d)"
    r"|SINAC-\d{4}-\d{6}"
)
# +52 55 1234 5678, 5215512345678, 55-1234-5678, whatsapp:+52...: digits in groups joined by one
# space or dash (never joined to a date or clock time that follows); 10 to 15 digits are a
# phone and keep their last four.
_NUMBER = r"(?<![\w.])\+?\d(?:\d|[ \-](?=\d)(?!(?:19|20)\d{2}-[01]\d-[0-3]\d|\d{1,2}:[0-5]\d))*"
_TOKEN_RE = re.compile(rf"(?P<keep>{_KEEP})|(?P<number>{_NUMBER})", re.IGNORECASE)
_CURP_RE = re.compile(r"\b([A-Z][AEIOUX][A-Z]{2})(\d{6}[HMX][A-Z]{5}[A-Z0-9])(\d)\b", re.IGNORECASE)
# Epoch seconds or milliseconds (1700000000, 1733512345123) and decimals (1733512345.123).
_EPOCH_RE = re.compile(r"1\d{9}(?:\d{3})?")


def new_request_id() -> str:
    return uuid.uuid4().hex[:16]


def _mask_token(m: re.Match) -> str:
    text = m.group(0)
    if m.group("keep") is not None:
        return text
    digits = re.sub(r"\D", "", text)
    if not 10 <= len(digits) <= 15:
        return text
    tail = m.string[m.end():m.end() + 2]
    if re.match(r"[.:]\d", tail):
        return text  # a decimal or a clock reading, not a phone
    if _EPOCH_RE.fullmatch(text):
        return text  # a Unix timestamp: Mexican numbers never start with 1 without the +52
    return ("+" if text.startswith("+") else "") + "•" * (len(digits) - 4) + digits[-4:]


def mask_pii(text: str) -> str:
    """Phones keep their last four digits and CURPs their first four letters and check digit;
    timestamps, dates, clock times and folios are left exactly as they are."""
    text = _CURP_RE.sub(lambda m: m.group(1) + "•" * 13 + m.group(3), text)
    return _TOKEN_RE.sub(_mask_token, text)


class ContextFilter(logging.Filter):
    """Adds request_id and masks PII in the message and in string extras."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get() or "-"
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not drop the record
            message = str(record.msg)
        record.msg = mask_pii(message)
        record.args = None
        for key, value in list(record.__dict__.items()):
            if key in _SKIP or key.startswith("_"):
                continue
            if isinstance(value, str):
                setattr(record, key, mask_pii(value))
        return True


_SKIP = {"name", "msg", "args", "levelname", "levelno", "pathname", "filename", "module", "exc_info",
         "exc_text", "stack_info", "lineno", "funcName", "created", "msecs", "relativeCreated", "thread",
         "threadName", "processName", "process", "taskName", "request_id", "message", "asctime"}


def configure_logging(fmt: str = "text", level: str = "INFO") -> None:
    """Idempotent: replaces the root handler (called by the app factory and the worker)."""
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        from pythonjsonlogger.json import JsonFormatter

        handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
                                           rename_fields={"levelname": "level", "asctime": "time"}))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s [%(request_id)s] %(name)s: %(message)s"))
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_sinac", False):
            root.removeHandler(old)
    handler._sinac = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
