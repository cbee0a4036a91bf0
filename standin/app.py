"""The stand-in itself: a small Flask app keeping "sent" messages in memory, and in a SQLite file
when given one (standin.store), with the media files it serves as Twilio's media URLs."""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import requests
from flask import Flask, Response, jsonify, request
from twilio.request_validator import RequestValidator
from werkzeug.serving import WSGIRequestHandler, make_server

from standin.store import MemoryStore, open_store

log = logging.getLogger("standin")

API_VERSION = "2010-04-01"
MAX_MEDIA_BYTES = 5 * 1024 * 1024  # WhatsApp's limit for images


class State:
    def __init__(self, store: MemoryStore | None = None):
        self.lock = threading.Lock()
        self.store = store or MemoryStore()
        self.messages: list[dict] = self.store.load_messages()
        self.fail_rules: list[dict] = []
        self.calls = 0

    def save(self, message: dict) -> None:
        self.store.save_message(message)

    def reset(self) -> None:
        with self.lock:
            self.messages.clear()
            self.fail_rules.clear()
            self.calls = 0
            self.store.clear()

    def take_failure(self, kind: set[str]) -> dict | None:
        with self.lock:
            for rule in self.fail_rules:
                if rule["remaining"] > 0 and (rule["match"] == "any" or rule["match"] in kind):
                    rule["remaining"] -= 1
                    return dict(rule)
            self.fail_rules[:] = [r for r in self.fail_rules if r["remaining"] > 0]
        return None


def _error(status: int, code: int, message: str):
    response = jsonify(code=code, message=message, more_info=f"https://www.twilio.com/docs/errors/{code}",
                       status=status)
    response.status_code = status
    return response


def _num_segments(body: str) -> int:
    try:
        from bot.channels.sms import segment_count

        return max(1, segment_count(body))
    except Exception:  # noqa: BLE001 - the stand-in also runs without the project installed
        return max(1, -(-len(body) // 153)) if len(body) > 160 else 1


def create_app(auth_token: str | None = "dev-auth-token", callbacks: bool = True,
               send_jitter: float = 0.0, store: str | Path | None = None) -> Flask:
    """`auth_token`: checked on the REST calls (Basic auth, like Twilio) and used to sign status
    callbacks; None accepts any credentials. `callbacks`: post sent/delivered callbacks to each
    message's StatusCallback in the background. `send_jitter`: each message leaves Twilio's
    queue ("sent", `sent_at`) after a random 0..send_jitter seconds, as real Twilio does: two
    messages queued back to back may go out in either order. `store`: a SQLite file that keeps
    messages and media across restarts (None: memory only)."""
    app = Flask("standin")
    state = State(open_store(store))
    app.extensions["standin"] = state

    def signed_post(url: str, params: dict) -> int:
        headers = {}
        if auth_token:
            headers["X-Twilio-Signature"] = RequestValidator(auth_token).compute_signature(url, params)
        try:
            return requests.post(url, data=params, headers=headers, timeout=10).status_code
        except requests.RequestException as exc:
            log.warning("status callback to %s failed: %s", url, exc)
            return 0

    def callback(message: dict, status: str, error_code: str | None = None) -> int:
        url = message.get("status_callback")
        message["status"] = status
        if status in ("sent", "delivered", "read") and not message.get("sent_at"):
            message["sent_at"] = time.time()  # pushed by hand (/_standin/messages/<sid>/status)
        state.save(message)
        if not url:
            return 0
        params = {"MessageSid": message["sid"], "SmsSid": message["sid"], "MessageStatus": status,
                  "SmsStatus": status, "AccountSid": message["account_sid"], "To": message["to"],
                  "From": message["from"], "ApiVersion": API_VERSION}
        if error_code:
            params["ErrorCode"] = str(error_code)
        return signed_post(url, params)

    def dispatch(message: dict) -> None:
        """Twilio's queue: the message goes out (sent), then reaches the phone (delivered)."""
        time.sleep(random.uniform(0, send_jitter) if send_jitter else 0.3)
        with state.lock:
            message["sent_at"] = time.time()
        state.save(message)
        if callbacks:
            callback(message, "sent")
            time.sleep(0.2)
            callback(message, "delivered")
        else:
            message["status"] = "sent"
            state.save(message)

    def resource(message: dict) -> dict:
        account_sid, sid = message["account_sid"], message["sid"]
        created = datetime.fromtimestamp(message["received_at"], UTC)
        sent = message.get("sent_at")
        return {
            "account_sid": account_sid, "api_version": API_VERSION, "body": message["body"],
            "date_created": format_datetime(created, usegmt=True),
            "date_sent": format_datetime(datetime.fromtimestamp(sent, UTC), usegmt=True) if sent else None,
            "date_updated": format_datetime(created, usegmt=True), "direction": "outbound-api",
            "error_code": message.get("error_code"), "error_message": None, "from": message["from"],
            "messaging_service_sid": None, "num_media": "0", "num_segments": str(message["num_segments"]),
            "price": None, "price_unit": "USD", "sid": sid, "status": message["status"],
            "subresource_uris": {"media": f"/{API_VERSION}/Accounts/{account_sid}/Messages/{sid}/Media.json"},
            "to": message["to"], "uri": f"/{API_VERSION}/Accounts/{account_sid}/Messages/{sid}.json",
        }

    def authorized(account_sid: str) -> bool:
        auth = request.authorization
        return not (auth is None or auth.username != account_sid or (auth_token and auth.password != auth_token))

    @app.get(f"/{API_VERSION}/Accounts/<account_sid>/Messages.json")
    def list_resources(account_sid: str):
        """Twilio's message list, newest first, filtered by To and From, one page."""
        if not authorized(account_sid):
            return _error(401, 20003, "Authenticate")
        to, sender = request.args.get("To"), request.args.get("From")
        size = min(request.args.get("PageSize", type=int) or 50, 1000)
        with state.lock:
            chosen = [m for m in reversed(state.messages) if m["account_sid"] == account_sid
                      and (not to or m["to"] == to) and (not sender or m["from"] == sender)][:size]
            page = [resource(m) for m in chosen]
        uri = f"/{API_VERSION}/Accounts/{account_sid}/Messages.json?PageSize={size}&Page=0"
        return jsonify(messages=page, end=len(page) - 1, first_page_uri=uri, next_page_uri=None, page=0,
                       page_size=size, previous_page_uri=None, start=0, uri=uri)

    @app.get(f"/{API_VERSION}/Accounts/<account_sid>/Messages/<sid>.json")
    def fetch_resource(account_sid: str, sid: str):
        if not authorized(account_sid):
            return _error(401, 20003, "Authenticate")
        with state.lock:
            message = next((m for m in state.messages if m["sid"] == sid and m["account_sid"] == account_sid), None)
            found = resource(message) if message else None
        if found is None:
            return _error(404, 20404, f"The requested resource /Messages/{sid}.json was not found")
        return jsonify(found)

    @app.post(f"/{API_VERSION}/Accounts/<account_sid>/Messages.json")
    def create_message(account_sid: str):
        if not authorized(account_sid):
            return _error(401, 20003, "Authenticate")
        received_at = time.time()
        form = request.form
        to, sender = form.get("To", ""), form.get("From", "")
        body, content_sid = form.get("Body", ""), form.get("ContentSid", "")
        with state.lock:
            state.calls += 1
        kind = {"any", "template" if content_sid else "session",
                "whatsapp" if to.startswith("whatsapp:") else "sms"}
        rule = state.take_failure(kind)
        if rule and rule["mode"] != "hold":
            if rule["mode"] == "timeout":
                time.sleep(rule["delay"])
                return _error(504, 20504, "Gateway timeout (stand-in)")
            return _error(rule["status"], rule["code"], rule["message"])
        if not to:
            return _error(400, 21604, "A 'To' phone number is required.")
        if not sender and not form.get("MessagingServiceSid"):
            return _error(400, 21603, "A 'From' phone number is required.")
        if not body and not content_sid and not form.get("MediaUrl"):
            return _error(400, 21602, "Message body is required.")
        if len(body) > 1600:
            return _error(400, 21617, "The concatenated message body exceeds the 1600 character limit.")
        if to.startswith("whatsapp:") != sender.startswith("whatsapp:"):
            return _error(400, 21910, "Invalid From and To pair. From and To should be of the same channel.")
        now = datetime.now(UTC)
        sid = "SM" + uuid.uuid4().hex
        message = {
            "sid": sid, "account_sid": account_sid, "to": to, "from": sender, "body": body,
            "content_sid": content_sid or None, "content_variables": form.get("ContentVariables") or None,
            "status_callback": form.get("StatusCallback") or None, "status": "queued",
            "num_segments": _num_segments(body), "created": now.isoformat(), "received_at": received_at,
            "sent_at": None,
        }
        with state.lock:
            message["index"] = len(state.messages)
            state.messages.append(message)
        state.save(message)
        if send_jitter or (callbacks and message["status_callback"]):
            threading.Thread(target=dispatch, args=(message,), daemon=True).start()
        if rule:  # "hold": Twilio took the message, the answer comes late (a caller may be gone)
            time.sleep(rule["delay"])
        return jsonify(
            account_sid=account_sid, api_version=API_VERSION, body=body, date_created=format_datetime(now, usegmt=True),
            date_sent=None, date_updated=format_datetime(now, usegmt=True), direction="outbound-api",
            error_code=None, error_message=None, **{"from": sender}, messaging_service_sid=None, num_media="0",
            num_segments=str(message["num_segments"]), price=None, price_unit="USD", sid=sid, status="queued",
            subresource_uris={"media": f"/{API_VERSION}/Accounts/{account_sid}/Messages/{sid}/Media.json"},
            to=to, uri=f"/{API_VERSION}/Accounts/{account_sid}/Messages/{sid}.json",
        ), 201

    @app.get("/_standin/messages")
    def list_messages():
        to = request.args.get("to")
        since = request.args.get("since", type=int) or 0
        with state.lock:
            items = [dict(m) for m in state.messages if m["index"] >= since and (not to or m["to"] == to)]
        return jsonify(messages=items, calls=state.calls)

    @app.post("/_standin/fail")
    def fail():
        data = request.get_json(silent=True) or request.form
        rule = {
            "remaining": int(data.get("count", 1)),
            "mode": str(data.get("mode", "500")),
            "delay": float(data.get("delay", 3)),
            "match": str(data.get("match", "any")),
        }
        status = 500 if rule["mode"] in ("500", "timeout", "hold") else int(rule["mode"])
        rule["status"] = status
        rule["code"] = int(data.get("code", 20500 if status >= 500 else 21211))
        rule["message"] = str(data.get("message", "Internal Server Error (stand-in)" if status >= 500
                                       else "The request was rejected (stand-in)"))
        with state.lock:
            state.fail_rules.append(rule)
        return jsonify(ok=True, rule=rule)

    @app.post("/_standin/messages/<sid>/status")
    def push_status(sid: str):
        data = request.get_json(silent=True) or request.form
        with state.lock:
            message = next((m for m in state.messages if m["sid"] == sid), None)
        if message is None:
            return _error(404, 20404, "Not found")
        code = callback(message, str(data.get("status", "delivered")), data.get("error_code"))
        return jsonify(ok=True, callback_status=code)

    @app.post("/_standin/media")
    def upload_media():
        """A file the phone sends (the simulator's photo): kept and served at a Twilio-shaped media
        URL, which needs the account's Basic auth as Twilio's does with media authentication on."""
        upload = request.files.get("file")
        data = upload.read() if upload is not None else request.get_data()
        content_type = (upload.mimetype if upload is not None else request.mimetype) or "application/octet-stream"
        account_sid = request.form.get("account_sid") or request.args.get("account_sid") or "AC" + "0" * 32
        if not data or len(data) > MAX_MEDIA_BYTES:
            return _error(400, 11751, "Media is empty or exceeds the size limit (stand-in)")
        message_sid, media_sid = "MM" + uuid.uuid4().hex, "ME" + uuid.uuid4().hex
        state.store.add_media({"sid": media_sid, "account_sid": account_sid, "content_type": content_type,
                               "data": data})
        url = f"{request.host_url}{API_VERSION}/Accounts/{account_sid}/Messages/{message_sid}/Media/{media_sid}"
        return jsonify(ok=True, sid=media_sid, url=url, content_type=content_type), 201

    @app.get(f"/{API_VERSION}/Accounts/<account_sid>/Messages/<message_sid>/Media/<media_sid>")
    def fetch_media(account_sid: str, message_sid: str, media_sid: str):
        if not authorized(account_sid):
            return _error(401, 20003, "Authenticate")
        item = state.store.get_media(media_sid)
        if item is None or item["account_sid"] != account_sid:
            return _error(404, 20404, f"The requested resource /Media/{media_sid} was not found")
        return Response(item["data"], mimetype=item["content_type"])

    @app.post("/_standin/reset")
    def reset():
        state.reset()
        return jsonify(ok=True)

    return app


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:
        pass


class StandinServer:
    """The stand-in on a free port in a background thread (tests)."""

    def __init__(self, auth_token: str | None = "dev-auth-token", callbacks: bool = False,
                 host: str = "127.0.0.1", port: int = 0, send_jitter: float = 0.0,
                 store: str | Path | None = None):
        self.app = create_app(auth_token=auth_token, callbacks=callbacks, send_jitter=send_jitter, store=store)
        self.server = make_server(host, port, self.app, threaded=True, request_handler=_QuietHandler)
        self.url = f"http://{host}:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def state(self) -> State:
        return self.app.extensions["standin"]

    def messages(self, to: str | None = None) -> list[dict]:
        with self.state.lock:
            return [dict(m) for m in self.state.messages if not to or m["to"] == to]

    def fail(self, count: int = 1, mode: str = "500", **kw) -> None:
        with self.app.test_client() as c:
            c.post("/_standin/fail", json={"count": count, "mode": mode, **kw})

    def start(self) -> StandinServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
