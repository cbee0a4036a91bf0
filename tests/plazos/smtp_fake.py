"""A tiny SMTP server for tests (socketserver, no dependencies): records what it receives."""

from __future__ import annotations

import socketserver
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from typing import Self


@dataclass
class Received:
    mail_from: str
    rcpt_to: list[str]
    data: bytes

    @property
    def message(self):
        return message_from_bytes(self.data, policy=policy.default)


@dataclass
class SmtpState:
    messages: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # recipients answered with 550
    logins: list[str] = field(default_factory=list)


class _Handler(socketserver.StreamRequestHandler):
    def _send(self, line: str) -> None:
        self.wfile.write((line + "\r\n").encode())
        self.wfile.flush()

    def handle(self) -> None:
        state: SmtpState = self.server.state  # type: ignore[attr-defined]
        self._send("220 fake.smtp ESMTP")
        mail_from, rcpts = "", []
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb = line.split(" ", 1)[0].upper()
            if verb == "EHLO":
                self._send("250-fake.smtp")
                self._send("250 AUTH PLAIN LOGIN")
            elif verb == "HELO":
                self._send("250 fake.smtp")
            elif verb == "AUTH":
                state.logins.append(line)
                self._send("235 2.7.0 Authentication successful")
            elif verb == "MAIL":
                mail_from, rcpts = line.split(":", 1)[1].strip().strip("<>"), []
                self._send("250 OK")
            elif verb == "RCPT":
                address = line.split(":", 1)[1].strip().strip("<>")
                if address in state.refuse:
                    self._send("550 5.1.1 No such user")
                else:
                    rcpts.append(address)
                    self._send("250 OK")
            elif verb == "DATA":
                self._send("354 End data with <CR><LF>.<CR><LF>")
                chunks = []
                while True:
                    part = self.rfile.readline()
                    if part in (b".\r\n", b".\n", b""):
                        break
                    chunks.append(part[1:] if part.startswith(b"..") else part)
                state.messages.append(Received(mail_from, list(rcpts), b"".join(chunks)))
                self._send("250 OK queued")
            elif verb == "RSET":
                mail_from, rcpts = "", []
                self._send("250 OK")
            elif verb == "NOOP":
                self._send("250 OK")
            elif verb == "QUIT":
                self._send("221 Bye")
                return
            else:
                self._send("502 Command not implemented")


class FakeSmtp:
    def __init__(self):
        self.state = SmtpState()
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.state = self.state  # type: ignore[attr-defined]
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)

    @property
    def messages(self) -> list[Received]:
        return self.state.messages
