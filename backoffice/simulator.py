"""Phone simulator (/simulador): staff chat with the bot as any phone over WhatsApp or SMS.

The page posts to this blueprint; the server builds a Twilio-shaped webhook, signs it with the
auth token and POSTs it over HTTP to PUBLIC_BASE_URL/webhooks/twilio (the same path a real
message takes). The bot's replies are read back from the local Twilio stand-in
(TWILIO_API_BASE_URL, `python -m standin`). Without a stand-in the page only explains how to
start one: it never makes the real Twilio send messages to an invented number.
"""

from __future__ import annotations

import logging
import uuid

import requests
from flask import Blueprint, current_app, jsonify, render_template, request
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from backoffice.auth import roles_required
from backoffice.db import get_session
from bot.channels import SMS, WHATSAPP, channel_address
from core.enums import Role
from core.errors import ValidationError
from core.models import Contact, Message
from core.phones import normalize_phone

log = logging.getLogger(__name__)

bp = Blueprint("simulator", __name__)

DEFAULT_PHONE = "+525512345678"
# With SINAC_JOBS=inline the webhook runs the whole dialogue turn before answering.
WEBHOOK_TIMEOUT = 60
MAX_BODY = 1600


def _settings():
    return current_app.config["SINAC"]


def _standin_ready() -> bool:
    return bool(_settings().twilio_api_base_url)


@bp.get("/simulador")
@roles_required(Role.VINCULACION, Role.ADMIN)
def index():
    settings = _settings()
    return render_template("simulator/index.html", default_phone=DEFAULT_PHONE, standin_url=settings.twilio_api_base_url,
                           webhook_url=settings.public_base_url + "/webhooks/twilio", ready=_standin_ready())


def _phone_and_channel(data) -> tuple[str, str]:
    channel = (data.get("channel") or WHATSAPP).strip().lower()
    if channel not in (WHATSAPP, SMS):
        raise ValidationError("Canal no válido.", fields={"channel": "Elige WhatsApp o SMS."})
    phone = normalize_phone(data.get("phone") or "")
    return phone, channel


def build_webhook_form(phone: str, channel: str, body: str, settings) -> dict:
    """The form Twilio posts for one inbound message."""
    sid = "SM" + uuid.uuid4().hex
    sender = channel_address(channel, phone)
    to = settings.twilio_whatsapp_from if channel == WHATSAPP else settings.twilio_sms_from
    form = {"MessageSid": sid, "SmsMessageSid": sid, "SmsSid": sid, "AccountSid": settings.twilio_account_sid,
            "From": sender, "To": to, "Body": body, "NumMedia": "0", "NumSegments": "1",
            "SmsStatus": "received", "ApiVersion": "2010-04-01"}
    if channel == WHATSAPP:
        form.update({"ProfileName": "Simulador SINAC", "WaId": phone.lstrip("+")})
    return form


@bp.post("/simulador/enviar")
@roles_required(Role.VINCULACION, Role.ADMIN)
def send():
    if not _standin_ready():
        return jsonify(ok=False, error="Configura TWILIO_API_BASE_URL con el simulador de Twilio (python -m standin)."), 409
    data = request.get_json(silent=True) or request.form
    try:
        phone, channel = _phone_and_channel(data)
    except ValidationError as exc:
        return jsonify(ok=False, error=str(exc)), 400
    body = (data.get("body") or "").strip()
    if not body:
        return jsonify(ok=False, error="Escribe un mensaje."), 400
    body = body[:MAX_BODY]
    settings = _settings()
    url = settings.public_base_url + "/webhooks/twilio"
    form = build_webhook_form(phone, channel, body, settings)
    signature = RequestValidator(settings.twilio_auth_token).compute_signature(url, form)
    try:
        response = requests.post(url, data=form, headers={"X-Twilio-Signature": signature},
                                 timeout=WEBHOOK_TIMEOUT)
    except requests.RequestException as exc:
        log.warning("simulator could not reach the webhook: %s", type(exc).__name__)
        return jsonify(ok=False, error=f"No se pudo contactar {url}. ¿Está corriendo la aplicación en PUBLIC_BASE_URL?"), 502
    if response.status_code != 200:
        return jsonify(ok=False, error=f"El webhook respondió {response.status_code}.", status=response.status_code), 502
    return jsonify(ok=True, sid=form["MessageSid"], address=form["From"])


@bp.get("/simulador/mensajes")
@roles_required(Role.VINCULACION, Role.ADMIN)
def messages():
    """The conversation of that phone: what it sent (stored inbound messages) and what the bot
    sent to it (as recorded by the stand-in), oldest first."""
    try:
        phone, _channel = _phone_and_channel(request.args)
    except ValidationError as exc:
        return jsonify(ok=False, error=str(exc)), 400
    items = []
    session = get_session()
    contact = session.scalar(select(Contact).where(Contact.phone == phone))
    if contact is not None:
        rows = session.scalars(select(Message).where(Message.contact_id == contact.id,
                                                     Message.direction == "inbound")
                               .order_by(Message.id.desc()).limit(200))
        for m in reversed(list(rows)):
            items.append({"from": "phone", "body": m.body, "channel": m.channel, "at": m.created_at.isoformat(),
                          "status": m.status})
    error = None
    if _standin_ready():
        addresses = {channel_address(WHATSAPP, phone), channel_address(SMS, phone)}
        for address in sorted(addresses):
            try:
                response = requests.get(_settings().twilio_api_base_url + "/_standin/messages",
                                        params={"to": address}, timeout=5)
                response.raise_for_status()
                for m in response.json().get("messages", []):
                    body = m.get("body") or ""
                    if m.get("content_sid"):
                        body = f"[Plantilla {m['content_sid']}] {m.get('content_variables') or ''}".strip()
                    items.append({"from": "bot", "body": body, "at": m.get("created"),
                                  "channel": WHATSAPP if address.startswith("whatsapp:") else SMS,
                                  "status": m.get("status")})
            except (requests.RequestException, ValueError):
                error = "No se pudo leer el simulador de Twilio."
    items.sort(key=lambda item: item["at"] or "")
    return jsonify(ok=error is None, error=error, messages=items, contact={
        "opt_out": bool(contact.opt_out) if contact else False,
        "handoff": bool(contact.handoff) if contact else False,
    })
