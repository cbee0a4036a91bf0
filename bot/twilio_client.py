"""The twilio library's REST client, pointed at TWILIO_API_BASE_URL when set (the local stand-in
for tests and the phone simulator) and always with a timeout."""

from __future__ import annotations

import logging
import re

from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from core.config import Settings

_TWILIO_ORIGIN = re.compile(r"^https://[A-Za-z0-9.-]*\.twilio\.com(?=/|$)")


class BaseUrlHttpClient(TwilioHttpClient):
    """Rewrites https://api.twilio.com (and regional hosts) to `base_url`; the rest of the
    request (path, auth, form encoding) is the library's own."""

    def __init__(self, base_url: str = "", **kwargs):
        super().__init__(**kwargs)
        self.base_url = (base_url or "").rstrip("/")

    def request(self, method, url, *args, **kwargs):
        if self.base_url:
            url = _TWILIO_ORIGIN.sub(self.base_url, url, count=1)
        return super().request(method, url, *args, **kwargs)


def _http_logger() -> logging.Logger:
    """The library logs every request and response (about a dozen lines, headers included) at
    INFO: through the PII mask, per message, in a wave of thousands. Only its warnings are kept;
    bot.outbound logs each hand-over itself."""
    logger = logging.getLogger("sinac.twilio.http")
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.WARNING)
    return logger


def build_client(settings: Settings) -> Client:
    http_client = BaseUrlHttpClient(settings.twilio_api_base_url, timeout=settings.twilio_timeout_seconds,
                                    logger=_http_logger())
    return Client(settings.twilio_account_sid, settings.twilio_auth_token, http_client=http_client)


def status_callback_url(settings: Settings) -> str:
    return settings.public_base_url.rstrip("/") + "/webhooks/twilio/status"
