"""Rasa backend against a local stand-in server (wire format, normalisation, fallbacks)."""

from __future__ import annotations

import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.nlu.rasa import RasaParser

RASA_ANSWER = {
    "text": "me cobraron mil doscientos en cdmx",
    "intent": {"id": 1, "name": "cobro_injustificado", "confidence": 0.91},
    "entities": [
        {"entity": "monto", "start": 12, "end": 26, "value": "mil doscientos",
         "extractor": "DIETClassifier", "confidence_entity": 0.99},
        {"entity": "estado", "start": 30, "end": 34, "value": "cdmx", "extractor": "DIET"},
        {"entity": "curp", "start": 0, "end": 2, "value": "XX"},  # invalid: dropped
        {"entity": "ciudad", "start": 30, "end": 34, "value": "cdmx"},  # not ours: dropped
    ],
    "intent_ranking": [
        {"id": 1, "name": "cobro_injustificado", "confidence": 0.91},
        {"id": 2, "name": "queja", "confidence": 0.06},
    ],
    "text_tokens": [[0, 2]],
}


class StandIn:
    """Threaded http.server on 127.0.0.1 that records requests and answers as configured."""

    def __init__(self):
        self.requests: list[dict] = []
        self.status = 200
        self.body: object = RASA_ANSWER
        self.release = threading.Event()
        self.hang = False
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                outer.requests.append({
                    "path": self.path,
                    "content_type": self.headers.get("Content-Type"),
                    "json": json.loads(raw),
                })
                if outer.hang:
                    outer.release.wait(10)
                payload = (outer.body if isinstance(outer.body, bytes)
                           else json.dumps(outer.body).encode())
                self.send_response(outer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def standin():
    s = StandIn()
    yield s
    s.close()


def make(url, parser, **kw):
    return RasaParser(url, timeout_s=kw.pop("timeout_s", 2.0), threshold=0.5, fallback=parser,
                      **kw)


def test_wire_format_and_normalised_output(standin, parser):
    rasa = make(standin.url, parser)
    r = rasa.parse("me cobraron mil doscientos en cdmx")
    assert standin.requests == [{
        "path": "/model/parse",
        "content_type": "application/json",
        "json": {"text": "me cobraron mil doscientos en cdmx"},
    }]
    assert r["text"] == "me cobraron mil doscientos en cdmx"
    assert r["intent"] == {"name": "cobro_injustificado", "confidence": 0.91}
    assert r["intent_ranking"] == [
        {"name": "cobro_injustificado", "confidence": 0.91},
        {"name": "queja", "confidence": 0.06},
    ]
    assert r["entities"] == [
        {"entity": "monto", "value": 1200, "start": 12, "end": 26},
        {"entity": "estado", "value": "Ciudad de México", "start": 30, "end": 34},
    ]


def test_trailing_slash_in_url(standin, parser):
    make(standin.url + "/", parser).parse("hola")
    assert standin.requests[0]["path"] == "/model/parse"


def test_rasa_low_confidence_is_fallback_with_candidates(standin, parser):
    standin.body = dict(RASA_ANSWER, intent={"name": "queja", "confidence": 0.3},
                        intent_ranking=[{"name": "queja", "confidence": 0.3}])
    r = make(standin.url, parser).parse("mmm")
    assert r["intent"]["name"] == "nlu_fallback"
    assert r["intent_ranking"] == [{"name": "queja", "confidence": 0.3}]


def test_rasa_missing_entities_are_filled_by_our_extractors(standin, parser):
    standin.body = {"text": "x", "intent": {"name": "estado_tramite", "confidence": 0.8},
                    "entities": [], "intent_ranking": []}
    r = make(standin.url, parser).parse("como va mi folio sinac 2026/123")
    assert r["intent"]["name"] == "estado_tramite"
    assert [(e["entity"], e["value"]) for e in r["entities"]] == [("folio", "SINAC-2026-000123")]


@pytest.mark.parametrize("status, body", [(500, {"error": "boom"}), (200, b"not json"),
                                          (200, ["a", "list"]), (404, b"")])
def test_errors_fall_back_to_embedded(standin, parser, status, body):
    standin.status, standin.body = status, body
    r = make(standin.url, parser).parse("muchas gracias")
    assert r["intent"]["name"] == "agradecimiento"
    assert len(standin.requests) == 1


def test_timeout_falls_back_then_skips_rasa_during_cooldown(standin, parser):
    standin.hang = True
    rasa = make(standin.url, parser, timeout_s=0.2, cooldown_s=60)
    assert rasa.parse("muchas gracias")["intent"]["name"] == "agradecimiento"
    assert rasa.parse("hola buenas tardes")["intent"]["name"] == "saludo"
    assert len(standin.requests) == 1  # second message did not wait for the dead server


def test_connection_refused_falls_back(parser):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    r = make(f"http://127.0.0.1:{port}", parser).parse("quiero hablar con una persona")
    assert r["intent"]["name"] == "hablar_con_persona"


@pytest.mark.skipif(not os.environ.get("RASA_URL"), reason="needs a real Rasa server (RASA_URL)")
def test_real_rasa_server(parser):
    rasa = RasaParser(os.environ["RASA_URL"], timeout_s=10, threshold=0.0, fallback=parser)
    body = rasa.call("hola")
    assert {"text", "intent", "entities"} <= set(body)
    r = rasa.parse("me cobraron 350 en el centro de salud de zapopan")
    assert set(r) == {"text", "intent", "entities", "intent_ranking"}
    assert isinstance(r["intent"]["confidence"], float)
