"""Twilio webhooks: inbound messages and delivery status callbacks. Thin: check the signature,
store, commit, enqueue, answer at once. Processing happens in the worker."""

from __future__ import annotations

import hmac
import logging
from functools import lru_cache

from flask import Blueprint, Response, current_app, g, request
from flask_limiter.util import get_remote_address
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

from backoffice.db import get_session
from backoffice.extensions import csrf, limiter
from backoffice.security import FORWARDED_URL
from backoffice.webhook_limits import limits_for
from bot.inbox import InboundRejected, store_webhook, withdraw_inbound
from bot.outbound.status import record_status
from core.jobs import Job
from core.logs import new_request_id, request_id_var

log = logging.getLogger(__name__)

bp = Blueprint("webhooks", __name__)
csrf.exempt(bp)

MAX_WEBHOOK_BYTES = 64 * 1024  # a Twilio message webhook is a few KB


def _text(status: int, text: str) -> Response:
    return Response(text + "\n", status=status, mimetype="text/plain")


@lru_cache(maxsize=1)
def _empty_twiml() -> str:
    return str(MessagingResponse())  # always the same document: built once, not per webhook


def _twiml() -> Response:
    return Response(_empty_twiml(), status=200, mimetype="text/xml")


def public_urls() -> list[str]:
    """The URLs Twilio may have signed: PUBLIC_BASE_URL + path + query, and the URL a trusted
    proxy in front was called with (its X-Forwarded-Proto/Host, applied by
    backoffice/security.py only for TRUSTED_PROXY_COUNT proxies among FORWARDED_ALLOW_IPS; from
    any other peer those headers never reach this code)."""
    settings = current_app.config["SINAC"]
    tail = request.path
    if request.query_string:
        tail += "?" + request.query_string.decode("latin-1")
    urls = [settings.public_base_url.rstrip("/") + tail]
    if request.environ.get(FORWARDED_URL):
        forwarded = f"{request.scheme}://{request.host}{request.script_root}{tail}"
        if forwarded not in urls:
            urls.append(forwarded)
    return urls


@lru_cache(maxsize=2)
def _validator(token: str) -> RequestValidator:
    return RequestValidator(token)


def signature_valid() -> bool:
    """X-Twilio-Signature checked with the auth token (cached for the request)."""
    if "twilio_signature_ok" in g:
        return g.twilio_signature_ok
    settings = current_app.config["SINAC"]
    ok = False
    if not settings.twilio_validate_signature:
        ok = True
    else:
        signature = request.headers.get("X-Twilio-Signature", "")
        if signature and (request.content_length or 0) <= MAX_WEBHOOK_BYTES:
            try:
                params = request.form
            except (BadRequest, RequestEntityTooLarge):
                params = None
            if params is not None:
                validator = _validator(settings.twilio_auth_token)
                urls = public_urls()
                # the URL as configured first, one HMAC; the library's check (with and without the
                # port, two HMACs per URL) only for a signature that did not match it
                ok = hmac.compare_digest(validator.compute_signature(urls[0], params), signature) or any(
                    validator.validate(url, params, signature) for url in urls)
    g.twilio_signature_ok = ok
    return ok


def _unsigned_key() -> str:
    """Requests that are not a valid signed webhook are counted per client address: they never
    eat a real phone's allowance."""
    return "twilio-unsigned:" + (get_remote_address() or "-")


# The per-phone limit (WEBHOOK_RATE_LIMIT) is counted by backoffice/webhook_limits.py in one Redis
# round trip for all its windows, together with the enqueue of the stored message's job;
# Flask-Limiter (one round trip per window, and a GET and a TTL after every request for
# X-RateLimit-* headers Twilio ignores) is kept off this blueprint. Status callbacks are not limited.
limiter.exempt(bp)


def _too_many(refusal) -> Response:
    response = _text(429, "Too many messages from this number; try again later.")
    response.headers["Retry-After"] = str(refusal.retry_after)
    response.headers["X-RateLimit-Limit"] = str(refusal.limit.amount)
    response.headers["X-RateLimit-Remaining"] = "0"
    return response


def _refused(key: str) -> Response | None:
    """The 429 for a request that stores nothing, if its key is over its limit (counted)."""
    refusal = limits_for(current_app).check(key)
    return _too_many(refusal) if refusal is not None else None


def _reject() -> Response:
    log.warning("twilio webhook rejected: bad or missing signature",
                extra={"path": request.path, "remote": get_remote_address(),
                       "signed": bool(request.headers.get("X-Twilio-Signature"))})
    return _text(403, "Invalid Twilio signature.")


def _form_or_error():
    if (request.content_length or 0) > MAX_WEBHOOK_BYTES:
        return None, _text(400, "Payload too large for a Twilio webhook.")
    try:
        return request.form, None
    except (BadRequest, RequestEntityTooLarge):
        return None, _text(400, "Malformed form payload.")


@bp.post("/webhooks/twilio")
def twilio_inbound():
    """Signature, then the message stored (one statement on PostgreSQL), then one Redis script
    that counts the phone's limits and enqueues the job (a refused message is deleted again and
    answered 429), then the empty TwiML. A request that stores nothing is counted too."""
    form, error = _form_or_error()
    if error is not None:
        return _refused(_unsigned_key()) or error
    if not signature_valid():
        return _refused(_unsigned_key()) or _reject()
    limits = limits_for(current_app)
    key = "twilio-from:" + (form.get("From") or "-")[:64]
    refusal = limits.refused_recently(key)
    if refusal is not None:
        return _too_many(refusal)
    request_id = request_id_var.get() or new_request_id()
    request_id_var.set(request_id)
    settings = current_app.config["SINAC"]
    try:
        # stored with its job's outbox row and committed (one statement on PostgreSQL)
        message_id, created, jobs = store_webhook(settings.database_url, form.to_dict(flat=True),
                                                  request_id=request_id)
    except InboundRejected as exc:
        log.warning("twilio webhook rejected: %s", exc)
        return _refused(key) or _text(400, f"Rejected: {exc}.")
    refusal = limits.admit(key, jobs, settings)
    if refusal is not None:
        if created:
            withdraw_inbound(settings.database_url, message_id, [job.outbox_id for job in jobs])
        return _too_many(refusal)
    return _twiml()


@bp.post("/webhooks/twilio/status")
def twilio_status():
    form, error = _form_or_error()
    if error is not None:
        return error
    if not signature_valid():
        return _reject()
    session = get_session()
    _commit(record_status(session, form))
    return _text(200, "OK")


def _commit(jobs: list[Job]) -> None:
    """The message and its jobs in one transaction; once it is committed the webhook never
    fails: a job Redis did not take is enqueued by the relay (workers/dispatch.py)."""
    from workers.dispatch import commit_and_enqueue

    commit_and_enqueue(get_session(), jobs, current_app.config["SINAC"])
