"""Folio format and uniqueness, including two processes registering at once."""

from __future__ import annotations

import multiprocessing as mp
import re

import pytest
from sqlalchemy import select

from core.folio import FOLIO_RE, format_folio, next_folio
from core.models import Case


def test_format():
    assert format_folio(2026, 123) == "SINAC-2026-000123"
    assert FOLIO_RE.match("SINAC-2026-000123")


def test_sequence_per_year_never_reused(make, db):
    first = make.case("queja", "14")
    second = make.case("queja", "14")
    assert re.match(r"^SINAC-\d{4}-000001$", first.folio)
    assert second.folio.endswith("000002")
    db.delete(second.volantes[0])
    # a later year starts its own sequence
    assert next_folio(db, 2031) == "SINAC-2031-000001"
    assert next_folio(db, 2031) == "SINAC-2031-000002"
    db.rollback()


def _register_many(url: str, n: int, queue) -> None:
    from core.actors import BOT
    from core.db import session_factory
    from core.services.cases import register_case

    session = session_factory(url)()
    folios = []
    for _ in range(n):
        for attempt in range(20):
            try:
                case = register_case(session, BOT, tipo="queja", canal="sms", estado_clave="14",
                                     description="concurrencia", route=False).case
                session.commit()
                folios.append(case.folio)
                break
            except Exception:  # noqa: BLE001 (SQLite may report "database is locked": retry like a caller would)
                session.rollback()
        else:
            raise RuntimeError("could not register")
    queue.put(folios)


@pytest.mark.parametrize("processes,per_process", [(4, 25)])
def test_concurrent_registration_gets_distinct_folios(settings, db, processes, per_process):
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    workers = [ctx.Process(target=_register_many, args=(settings.database_url, per_process, queue))
               for _ in range(processes)]
    for w in workers:
        w.start()
    results = [queue.get(timeout=120) for _ in workers]
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    folios = [f for chunk in results for f in chunk]
    assert len(folios) == processes * per_process
    assert len(set(folios)) == len(folios)
    stored = list(db.scalars(select(Case.folio)))
    assert sorted(stored) == sorted(folios)
    numbers = sorted(int(f[-6:]) for f in folios)
    assert numbers == list(range(1, len(folios) + 1))  # no gaps, none reused
