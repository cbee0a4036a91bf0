"""Where affiliations are looked up: the local table filled by the import (default) or a real
registry service over HTTP (PADRON_BACKEND=http, PADRON_URL, PADRON_TOKEN). Both answer the same
`Afiliacion`, so the case page, the staff look-up and the bot never know which one is behind.

The HTTP contract (docs/padron.md): GET {PADRON_URL}/afiliados?curp=… or ?poliza=… with
`Authorization: Bearer {PADRON_TOKEN}`; 200 with one JSON object {curp, nombre, poliza, vigencia
(AAAA-MM-DD), estado (clave INEGI or name), telefono (optional)}, 404 when there is none. Anything
else, a timeout or a malformed body is `PadronUnavailable`: the caller says the padrón cannot be
consulted now, never that the person is not affiliated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import DomainError
from core.estados import match_estado
from core.models import PadronAfiliado
from core.phones import normalize_phone
from core.timeutil import today_mx


class PadronUnavailable(DomainError):
    code = "padron_unavailable"


@dataclass(frozen=True)
class Afiliacion:
    curp: str
    nombre: str
    poliza: str
    vigencia: date
    estado_clave: str | None
    telefono: str | None = None

    def vigente(self, today: date | None = None) -> bool:
        return self.vigencia >= (today or today_mx())


class PadronBackend(Protocol):
    def by_curp(self, curp: str) -> Afiliacion | None: ...

    def by_poliza(self, poliza: str) -> Afiliacion | None: ...


def _from_row(row: PadronAfiliado | None) -> Afiliacion | None:
    if row is None:
        return None
    return Afiliacion(row.curp, row.nombre, row.poliza, row.vigencia, row.estado_clave, row.telefono)


class LocalPadron:
    """The padrón_afiliados table (core/padron/importer.py)."""

    def __init__(self, session: Session):
        self.session = session

    def by_curp(self, curp: str) -> Afiliacion | None:
        return _from_row(self.session.scalar(select(PadronAfiliado).where(PadronAfiliado.curp == curp.upper())))

    def by_poliza(self, poliza: str) -> Afiliacion | None:
        return _from_row(self.session.scalar(select(PadronAfiliado).where(PadronAfiliado.poliza == poliza.upper())
                                             .order_by(PadronAfiliado.vigencia.desc()).limit(1)))


class HttpPadron:
    """A registry service a deployment points at (see the module's contract)."""

    def __init__(self, base_url: str, token: str = "", timeout: float = 3.0):
        if not base_url:
            raise PadronUnavailable("PADRON_URL no está configurado.")
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def _get(self, **params) -> Afiliacion | None:
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            resp = requests.get(f"{self.base_url}/afiliados", params=params, headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            raise PadronUnavailable("No se pudo consultar el padrón.") from exc
        if resp.status_code == 404:
            return None
        if resp.status_code != 200:
            raise PadronUnavailable(f"El padrón respondió {resp.status_code}.")
        try:
            body = resp.json()
            telefono = body.get("telefono") or None
            return Afiliacion(
                curp=str(body["curp"]).upper(), nombre=str(body.get("nombre") or ""),
                poliza=str(body.get("poliza") or "").upper(), vigencia=date.fromisoformat(str(body["vigencia"])[:10]),
                estado_clave=match_estado(body.get("estado")),
                telefono=normalize_phone(telefono) if telefono else None,
            )
        except (ValueError, KeyError, TypeError, AttributeError, DomainError) as exc:
            raise PadronUnavailable("El padrón respondió algo que no se entiende.") from exc

    def by_curp(self, curp: str) -> Afiliacion | None:
        return self._get(curp=curp.upper())

    def by_poliza(self, poliza: str) -> Afiliacion | None:
        return self._get(poliza=poliza.upper())


BACKENDS = ("local", "http")


def backend_for(settings, session: Session) -> PadronBackend:
    """PADRON_BACKEND: "local" (default) or "http"."""
    if settings.padron_backend == "http":
        return HttpPadron(settings.padron_url, settings.padron_token, settings.padron_timeout_seconds)
    return LocalPadron(session)
