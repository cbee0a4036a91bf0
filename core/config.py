"""Settings read from the environment (documented in .env.example).

Built by `Settings.from_env()` once per process (its entry point), then passed down or read with
`current_settings()`; nothing is read at import time.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "si", "sí", "on"}


def instance_dir(env: dict | None = None) -> Path:
    env = os.environ if env is None else env
    return Path(env.get("SINAC_INSTANCE_DIR") or Path.cwd() / "instance").resolve()


# Development defaults: good enough on a laptop, public knowledge everywhere else.
DEV_SECRET_KEY = "dev-secret-change-me"
DEV_TWILIO_AUTH_TOKEN = "dev-auth-token"
# Values that are placeholders, not secrets: the defaults above and what .env.example ships.
_PLACEHOLDERS = {DEV_SECRET_KEY, DEV_TWILIO_AUTH_TOKEN, "change-me", "changeme", "xxxxxxxx", "secret"}
_MIN_SECRET_KEY_LENGTH = 32


class UnsafeConfiguration(RuntimeError):
    """Production settings that would run on public defaults; the process must not start."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    # A read replica for the monthly report's queries (empty: database_url); backoffice/db.py.
    reports_database_url: str = ""
    redis_url: str = "redis://127.0.0.1:6379/0"
    jobs_mode: str = "rq"  # "rq" or "inline"
    secret_key: str = DEV_SECRET_KEY
    env: str = "development"
    instance_dir: Path = field(default_factory=lambda: instance_dir())
    public_base_url: str = "http://127.0.0.1:5000"
    twilio_account_sid: str = "AC00000000000000000000000000000000"
    twilio_auth_token: str = DEV_TWILIO_AUTH_TOKEN
    twilio_api_base_url: str = ""
    twilio_whatsapp_from: str = "whatsapp:+15550000000"
    twilio_sms_from: str = "+15550000000"
    twilio_validate_signature: bool = True
    twilio_timeout_seconds: float = 10.0
    # Messages per second each sender may hand to Twilio, per channel (0: no pacing); shared by
    # every worker through Redis (bot/pacing.py).
    outbound_sms_per_second: float = 10.0
    outbound_whatsapp_per_second: float = 80.0
    # Longest wait for a part's "sent" callback before the next part of a reply goes anyway.
    outbound_part_gap_seconds: float = 1.0
    webhook_rate_limit: str = "60 per minute;600 per hour"
    privacy_url: str = "http://127.0.0.1:5000/aviso-de-privacidad"
    session_idle_minutes: int = 30
    backoffice_idle_minutes: int = 120
    upload_max_bytes: int = 10 * 1024 * 1024
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_from: str = "sinac@localhost"
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    # Who gets the national monthly report by e-mail on the 1st (core/reports/delivery.py), besides
    # the addresses an admin lists on Administración › Envío de informes.
    report_email_to: tuple[str, ...] = ()
    metrics_token: str = ""
    whatsapp_template_sid: str = ""
    # Approved template for a message written to the affiliate from the case outside WhatsApp's
    # 24-hour window (core.services.affiliate_contact); empty: WHATSAPP_TEMPLATE_SID.
    whatsapp_contact_template_sid: str = ""
    log_format: str = "text"
    database_url_set: bool = True  # False when DATABASE_URL fell back to the SQLite default
    # Reverse proxies in front of the web app whose X-Forwarded-* headers are believed (0: none),
    # and the addresses they connect from (backoffice/security.py).
    trusted_proxy_count: int = 0
    forwarded_allow_ips: str = "127.0.0.1"
    # Where affiliations are looked up (core/padron/backends.py): "local" (the imported extract)
    # or "http" (a registry service at PADRON_URL, with PADRON_TOKEN as a bearer token).
    padron_backend: str = "local"
    padron_url: str = ""
    padron_token: str = ""
    padron_timeout_seconds: float = 3.0

    @classmethod
    def from_env(cls, env: dict | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        inst = instance_dir(env)
        default_db = f"sqlite:///{inst / 'sinac.db'}"
        return cls(
            database_url=env.get("DATABASE_URL") or default_db,
            reports_database_url=(env.get("REPORTS_DATABASE_URL") or "").strip(),
            redis_url=env.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
            jobs_mode=(env.get("SINAC_JOBS") or "rq").lower(),
            secret_key=env.get("SECRET_KEY") or DEV_SECRET_KEY,
            env=env.get("SINAC_ENV") or "development",
            instance_dir=inst,
            public_base_url=(env.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000").rstrip("/"),
            twilio_account_sid=env.get("TWILIO_ACCOUNT_SID") or "AC00000000000000000000000000000000",
            twilio_auth_token=env.get("TWILIO_AUTH_TOKEN") or DEV_TWILIO_AUTH_TOKEN,
            twilio_api_base_url=(env.get("TWILIO_API_BASE_URL") or "").rstrip("/"),
            twilio_whatsapp_from=env.get("TWILIO_WHATSAPP_FROM") or "whatsapp:+15550000000",
            twilio_sms_from=env.get("TWILIO_SMS_FROM") or "+15550000000",
            twilio_validate_signature=_bool(env.get("TWILIO_VALIDATE_SIGNATURE"), True),
            twilio_timeout_seconds=float(env.get("TWILIO_TIMEOUT_SECONDS") or 10),
            outbound_sms_per_second=max(float(env.get("OUTBOUND_SMS_PER_SECOND") or 10), 0.0),
            outbound_whatsapp_per_second=max(float(env.get("OUTBOUND_WHATSAPP_PER_SECOND") or 80), 0.0),
            outbound_part_gap_seconds=max(float(env.get("OUTBOUND_PART_GAP_SECONDS") or 1), 0.0),
            webhook_rate_limit=env.get("WEBHOOK_RATE_LIMIT") or "60 per minute;600 per hour",
            privacy_url=env.get("PRIVACY_URL") or "http://127.0.0.1:5000/aviso-de-privacidad",
            session_idle_minutes=int(env.get("SESSION_IDLE_MINUTES") or 30),
            backoffice_idle_minutes=int(env.get("BACKOFFICE_IDLE_MINUTES") or 120),
            upload_max_bytes=int(env.get("UPLOAD_MAX_BYTES") or 10 * 1024 * 1024),
            smtp_host=env.get("SMTP_HOST") or "",
            smtp_port=int(env.get("SMTP_PORT") or 25),
            smtp_from=env.get("SMTP_FROM") or "sinac@localhost",
            smtp_user=env.get("SMTP_USER") or "",
            smtp_password=env.get("SMTP_PASSWORD") or "",
            smtp_starttls=_bool(env.get("SMTP_STARTTLS"), False),
            report_email_to=tuple(a for a in re.split(r"[\s,;]+", env.get("REPORT_EMAIL_TO") or "") if a),
            metrics_token=env.get("METRICS_TOKEN") or "",
            whatsapp_template_sid=env.get("WHATSAPP_TEMPLATE_SID") or "",
            whatsapp_contact_template_sid=env.get("WHATSAPP_CONTACT_TEMPLATE_SID") or "",
            log_format=env.get("LOG_FORMAT") or ("json" if env.get("SINAC_ENV") == "production" else "text"),
            database_url_set=bool(env.get("DATABASE_URL")),
            trusted_proxy_count=max(int(env.get("TRUSTED_PROXY_COUNT") or 0), 0),
            padron_backend=(env.get("PADRON_BACKEND") or "local").strip().lower(),
            padron_url=(env.get("PADRON_URL") or "").strip(),
            padron_token=env.get("PADRON_TOKEN") or "",
            padron_timeout_seconds=float(env.get("PADRON_TIMEOUT_SECONDS") or 3),
            forwarded_allow_ips=env.get("FORWARDED_ALLOW_IPS") or "127.0.0.1",
        )

    @property
    def is_production(self) -> bool:
        return self.env.strip().lower() == "production"

    def production_problems(self) -> list[str]:
        """What would make this production run on public defaults (empty outside production)."""
        if not self.is_production:
            return []
        problems = []
        key = self.secret_key.strip()
        if key.lower() in _PLACEHOLDERS or len(key) < _MIN_SECRET_KEY_LENGTH:
            problems.append(f"SECRET_KEY is missing or a development value (set a random string of "
                            f"at least {_MIN_SECRET_KEY_LENGTH} characters)")
        if self.twilio_auth_token.strip().lower() in _PLACEHOLDERS:
            problems.append("TWILIO_AUTH_TOKEN is missing or a development value")
        if not self.twilio_validate_signature:
            problems.append("TWILIO_VALIDATE_SIGNATURE is off: forged webhooks would be accepted")
        if not self.database_url_set:
            problems.append("DATABASE_URL is missing (production does not fall back to the local "
                            "SQLite file)")
        return problems

    def require_safe(self) -> Settings:
        """Every process calls this at start: production on defaults refuses to run."""
        problems = self.production_problems()
        if problems:
            raise UnsafeConfiguration("refusing to start with SINAC_ENV=production: "
                                      + "; ".join(problems))
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


# ---- the settings of this process ----------------------------------------------------------
# Built once by the process's entry point (the worker, the scheduler) and handed to
# `use_settings`; code below the entry points that was not given settings reads
# `current_settings()` instead of building its own. Jobs run inline (tests, SINAC_JOBS=inline)
# see the settings of the process that ran them (`running_with`).

_process_settings: Settings | None = None
_inline_settings: ContextVar[Settings | None] = ContextVar("sinac_inline_settings", default=None)


def use_settings(settings: Settings) -> None:
    """The settings everything in this process runs with (its entry point, once)."""
    global _process_settings
    _process_settings = settings


def current_settings() -> Settings:
    """The settings of the work running now: those of an inline runner, else the process's; a
    process that set none (a test, a one-off script) reads the environment."""
    return _inline_settings.get() or _process_settings or Settings.from_env()


@contextmanager
def running_with(settings: Settings) -> Iterator[None]:
    """Work run inside this block (inline jobs) uses `settings`."""
    token = _inline_settings.set(settings)
    try:
        yield
    finally:
        _inline_settings.reset(token)
