"""The Twilio stand-in keeps what it "sent" and the media it serves in a SQLite file: a restart
(another process on the same file) finds the conversation as it was."""

from __future__ import annotations

import requests

from bot.twilio_client import build_client
from core.config import Settings
from standin import StandinServer
from tests.contact.conftest import png_bytes

TOKEN = "test-auth-token"
ACCOUNT = "AC" + "1" * 32


def _client(url: str):
    return build_client(Settings(database_url="sqlite://", twilio_account_sid=ACCOUNT, twilio_auth_token=TOKEN,
                                 twilio_api_base_url=url))


def test_messages_statuses_and_media_survive_a_restart(tmp_path):
    store = tmp_path / "standin.sqlite3"
    with StandinServer(auth_token=TOKEN, store=store) as first:
        sent = _client(first.url).messages.create(to="whatsapp:+523312345678", from_="whatsapp:+15550000000",
                                                  body="Hola, ¿en qué te ayudo?")
        requests.post(f"{first.url}/_standin/messages/{sent.sid}/status", json={"status": "delivered"}, timeout=5)
        uploaded = requests.post(f"{first.url}/_standin/media", data={"account_sid": ACCOUNT},
                                 files={"file": ("recibo.png", png_bytes(), "image/png")}, timeout=5).json()
    assert uploaded["url"].startswith(first.url + f"/2010-04-01/Accounts/{ACCOUNT}/Messages/MM")

    with StandinServer(auth_token=TOKEN, store=store) as second:
        [kept] = requests.get(f"{second.url}/_standin/messages", params={"to": "whatsapp:+523312345678"},
                              timeout=5).json()["messages"]
        assert (kept["sid"], kept["body"], kept["status"]) == (sent.sid, "Hola, ¿en qué te ayudo?", "delivered")
        assert _client(second.url).messages(sent.sid).fetch().status == "delivered"
        media_url = uploaded["url"].replace(first.url, second.url)
        assert requests.get(media_url, timeout=5).status_code == 401  # Basic auth, as Twilio's media auth
        media = requests.get(media_url, auth=(ACCOUNT, TOKEN), timeout=5)
        assert media.status_code == 200 and media.content == png_bytes()
        assert media.headers["Content-Type"] == "image/png"
        # a new message continues the numbering after the restored ones
        _client(second.url).messages.create(to="+523312345678", from_="+15550000000", body="Segundo")
        assert [m["index"] for m in second.messages()] == [0, 1]
        requests.post(f"{second.url}/_standin/reset", timeout=5)
    with StandinServer(auth_token=TOKEN, store=store) as third:
        assert third.messages() == []  # reset forgets the file's content too


def test_without_a_store_nothing_is_kept(tmp_path):
    with StandinServer(auth_token=TOKEN) as first:
        _client(first.url).messages.create(to="+523312345678", from_="+15550000000", body="Hola")
        assert len(first.messages()) == 1
    with StandinServer(auth_token=TOKEN) as second:
        assert second.messages() == []
