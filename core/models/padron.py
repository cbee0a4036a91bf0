"""The state padrón extract (issue 17 item 8): one row per affiliate, imported from the REPSS's
CSV/XLSX (core/padron/importer.py) and read by the local padrón backend (core/padron/backends.py)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base
from core.models._types import UTCDateTime, utcnow


class PadronAfiliado(Base):
    __tablename__ = "padron_afiliados"

    id: Mapped[int] = mapped_column(primary_key=True)
    curp: Mapped[str] = mapped_column(String(18), unique=True)  # a later extract replaces the row
    nombre: Mapped[str] = mapped_column(String(200))
    poliza: Mapped[str] = mapped_column(String(40), index=True)
    vigencia: Mapped[date] = mapped_column(Date)  # the last day the affiliation is in force
    estado_clave: Mapped[str] = mapped_column(ForeignKey("estados.clave"), index=True)
    # The phone the REPSS has on file, E.164 (optional column): the only thing that ties a phone
    # to the affiliation for the bot's answer (core/padron/answer.py).
    telefono: Mapped[str | None] = mapped_column(String(32))
    archivo: Mapped[str | None] = mapped_column(String(255))  # the extract it came from
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
