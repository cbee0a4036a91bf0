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
from bot.inbox import InboundRejected, store_inbound
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


def _rate_key() -> str:
    """Per sending phone, so one flooding number cannot starve the others; unsigned requests are
    counted per client address and never eat a real phone's allowance."""
    try:
        if signature_valid():
            return "twilio-from:" + (request.form.get("From") or "-")[:64]
    except Exception:  # noqa: BLE001 - malformed request: the view answers it with a 400
        log.debug("rate-limit key on a malformed request")
    return "twilio-unsigned:" + (get_remote_address() or "-")


# The per-phone limit (WEBHOOK_RATE_LIMIT) is checked by backoffice/webhook_limits.py in one Redis
# round trip for all its windows; Flask-Limiter (one round trip per window, and a GET and a TTL
# after every request for X-RateLimit-* headers Twilio ignores) is kept off this blueprint.
limiter.exempt(bp)


@bp.before_request
def _per_phone_limit():
    if request.endpoint != "webhooks.twilio_inbound":  # status callbacks are not limited
        return None
    refusal = limits_for(current_app).check(_rate_key())
    if refusal is None:
        return None
    response = _text(429, "Too many messages from this number; try again later.")
    response.headers["Retry-After"] = str(refusal.retry_after)
    response.headers["X-RateLimit-Limit"] = str(refusal.limit.amount)
    response.headers["X-RateLimit-Remaining"] = "0"
    return response


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
    form, error = _form_or_error()
    if error is not None:
        return error
    if not signature_valid():
        return _reject()
    request_id = request_id_var.get() or new_request_id()
    request_id_var.set(request_id)
    session = get_session()
    try:
        # stored with its job's outbox row and committed (one statement on PostgreSQL)
        _message_id, _created, jobs = store_inbound(session, form.to_dict(flat=True), request_id=request_id)
    except InboundRejected as exc:
        session.rollback()
        log.warning("twilio webhook rejected: %s", exc)
        return _text(400, f"Rejected: {exc}.")
    _enqueue(jobs)
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


def _enqueue(jobs: list[Job]) -> None:
    """Jobs already committed as outbox rows: hand them to RQ now (the relay does it if Redis
    does not take them)."""
    from workers.dispatch import enqueue_jobs

    if jobs:
        enqueue_jobs(jobs, current_app.config["SINAC"])


def _commit(jobs: list[Job]) -> None:
    """The message and its jobs in one transaction; once it is committed the webhook never
    fails: a job Redis did not take is enqueued by the relay (workers/dispatch.py)."""
    from workers.dispatch import commit_and_enqueue

    commit_and_enqueue(get_session(), jobs, current_app.config["SINAC"])
