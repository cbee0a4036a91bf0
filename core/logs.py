"""Logging: JSON lines in production, readable text in development; a request id carried from
the webhook into the jobs it causes; phone numbers and CURP masked in every record."""

from __future__ import annotations

import logging
import re
import sys
import uuid
from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("sinac_request_id", default=None)

# +52 55 1234 5678, 5215512345678, whatsapp:+52...: keep the last four digits.
_PHONE_RE = re.compile(r"(?<![\w])(\+?\d[\d\s\-]{8,16}\d)(?![\w])")
_CURP_RE = re.compile(r"\b([A-Z][AEIOUX][A-Z]{2})(\d{6}[HMX][A-Z]{5}[A-Z0-9])(\d)\b", re.I)


def new_request_id() -> str:
    return uuid.uuid4().hex[:16]


def mask_pii(text: str) -> str:
    def phone(m: re.Match) -> str:
        digits = re.sub(r"\D", "", m.group(1))
        if len(digits) < 10:
            return m.group(0)
        return ("+" if m.group(1).startswith("+") else "") + "•" * (len(digits) - 4) + digits[-4:]

    text = _CURP_RE.sub(lambda m: m.group(1) + "•" * 13 + m.group(3), text)
    return _PHONE_RE.sub(phone, text)


class ContextFilter(logging.Filter):
    """Adds request_id and masks PII in the message and in string extras."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get() or "-"
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not drop the record
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
