"""Phone simulator (/simulador): staff chat with the bot as any phone over WhatsApp or SMS.

The page posts to this blueprint; the server builds a Twilio-shaped webhook, signs it with the
auth token and POSTs it over HTTP to PUBLIC_BASE_URL/webhooks/twilio (the same path a real
message takes). A photo goes to the stand-in first, which serves it at a Twilio-shaped media URL
(with the account's Basic auth): the webhook carries MediaUrl0 and the worker downloads it as it
would from Twilio (bot.media). The bot's replies are read back from the local Twilio stand-in
(TWILIO_API_BASE_URL, `python -m standin`), statuses in Spanish. Without a stand-in the page only
explains how to start one: it never makes the real Twilio send messages to an invented number.
"""

from __future__ import annotations

import logging
import uuid

import requests
from flask import Blueprint, current_app, jsonify, render_template, request, url_for
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from backoffice.auth import roles_required
from backoffice.db import get_session
from bot.channels import SMS, WHATSAPP, channel_address
from core.enums import MESSAGE_STATUS_LABELS, STAFF_ROLES
from core.errors import ValidationError
from core.files import sniff
from core.models import Attachment, Contact, Message
from core.phones import normalize_phone

log = logging.getLogger(__name__)

bp = Blueprint("simulator", __name__)

DEFAULT_PHONE = "+525512345678"
# With SINAC_JOBS=inline the webhook runs the whole dialogue turn before answering.
WEBHOOK_TIMEOUT = 60
MAX_BODY = 1600
PHOTO_MAX_BYTES = 5 * 1024 * 1024  # WhatsApp's limit for an image
PHOTO_TYPES = {"jpeg": "image/jpeg", "png": "image/png"}


def _settings():
    return current_app.config["SINAC"]


def _standin_ready() -> bool:
    return bool(_settings().twilio_api_base_url)


@bp.get("/simulador")
@roles_required(*STAFF_ROLES)
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


def build_webhook_form(phone: str, channel: str, body: str, settings, media: dict | None = None) -> dict:
    """The form Twilio posts for one inbound message (`media`: {"url", "content_type"} of a photo)."""
    sid = ("MM" if media else "SM") + uuid.uuid4().hex
    sender = channel_address(channel, phone)
    to = settings.twilio_whatsapp_from if channel == WHATSAPP else settings.twilio_sms_from
    form = {"MessageSid": sid, "SmsMessageSid": sid, "SmsSid": sid, "AccountSid": settings.twilio_account_sid,
            "From": sender, "To": to, "Body": body, "NumMedia": "1" if media else "0", "NumSegments": "1",
            "SmsStatus": "received", "ApiVersion": "2010-04-01"}
    if media:
        form.update({"MediaUrl0": media["url"], "MediaContentType0": media["content_type"]})
    if channel == WHATSAPP:
        form.update({"ProfileName": "Simulador SINAC", "WaId": phone.lstrip("+")})
    return form


@bp.post("/simulador/enviar")
@roles_required(*STAFF_ROLES)
def send():
    if not _standin_ready():
        return jsonify(ok=False, error="Configura TWILIO_API_BASE_URL con el simulador de Twilio (python -m standin)."), 409
    data = request.get_json(silent=True) or request.form
    try:
        phone, channel = _phone_and_channel(data)
    except ValidationError as exc:
        return jsonify(ok=False, error=str(exc)), 400
    body = (data.get("body") or "").strip()
    photo = request.files.get("photo")
    if not body and not photo:
        return jsonify(ok=False, error="Escribe un mensaje o adjunta una foto."), 400
    body = body[:MAX_BODY]
    settings = _settings()
    media = None
    if photo:
        try:
            media = _upload_photo(photo, settings)
        except ValidationError as exc:
            return jsonify(ok=False, error=str(exc)), 400
        except requests.RequestException:
            return jsonify(ok=False, error="No se pudo entregar la foto al simulador de Twilio."), 502
    url = settings.public_base_url + "/webhooks/twilio"
    form = build_webhook_form(phone, channel, body, settings, media)
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


def _upload_photo(photo, settings) -> dict:
    """The photo, checked (JPG or PNG, at most 5 MB), handed to the stand-in, which serves it
    where Twilio would: the webhook gets its MediaUrl."""
    data = photo.stream.read(PHOTO_MAX_BYTES + 1)
    if len(data) > PHOTO_MAX_BYTES:
        raise ValidationError("La foto supera 5 MB, el máximo de WhatsApp.")
    kind = sniff(data[:16])
    if kind not in PHOTO_TYPES:
        raise ValidationError("Adjunta una foto JPG o PNG.")
    response = requests.post(settings.twilio_api_base_url + "/_standin/media",
                             files={"file": (f"foto.{kind}", data, PHOTO_TYPES[kind])},
                             data={"account_sid": settings.twilio_account_sid}, timeout=10)
    response.raise_for_status()
    return {"url": response.json()["url"], "content_type": PHOTO_TYPES[kind]}


def _status(status: str | None) -> str:
    return MESSAGE_STATUS_LABELS.get(status or "", status or "")


@bp.get("/simulador/mensajes")
@roles_required(*STAFF_ROLES)
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
        rows = list(rows)
        stored: dict[int, list[Attachment]] = {}
        for att in session.scalars(select(Attachment).where(Attachment.message_id.in_([m.id for m in rows]))):
            stored.setdefault(att.message_id, []).append(att)
        for m in reversed(rows):
            media = [{"content_type": a.content_type,
                      "url": url_for("attachments.download", attachment_id=a.id) if a.storage_key else None}
                     for a in sorted(stored.get(m.id, []), key=lambda a: a.id)]
            items.append({"from": "phone", "body": m.body, "channel": m.channel, "at": m.created_at.isoformat(),
                          "status": _status(m.status), "media": media})
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
                                  "status": _status(m.get("status")), "media": []})
            except (requests.RequestException, ValueError):
                error = "No se pudo leer el simulador de Twilio."
    items.sort(key=lambda item: item["at"] or "")
    return jsonify(ok=error is None, error=error, messages=items, contact={
        "opt_out": bool(contact.opt_out) if contact else False,
        "handoff": bool(contact.handoff) if contact else False,
    })
