"""A tiny local stand-in for a padrón registry service (the HTTP contract of
core/padron/backends.py), on a real socket in a thread."""

from __future__ import annotations

import json
import threading

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from tests.parallel import free_port


class PadronStandin:
    def __init__(self, rows: list[dict], token: str = "token-de-prueba"):
        self.rows = rows
        self.token = token
        self.status_override: int | None = None
        self.requests: list[dict] = []
        self.port = free_port()
        self.server = make_server("127.0.0.1", self.port, self._app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def start(self) -> PadronStandin:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()

    @Request.application
    def _app(self, request: Request) -> Response:
        self.requests.append({"path": request.path, "args": dict(request.args),
                              "auth": request.headers.get("Authorization")})
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return Response("unauthorized", 401)
        if self.status_override is not None:
            return Response("boom", self.status_override)
        if request.path != "/api/afiliados":
            return Response("not found", 404)
        for row in self.rows:
            if request.args.get("curp") == row["curp"] or request.args.get("poliza") == row["poliza"]:
                return Response(json.dumps(row), 200, mimetype="application/json")
        return Response(json.dumps({"error": "no encontrado"}), 404, mimetype="application/json")
