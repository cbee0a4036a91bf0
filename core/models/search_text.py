"""cases.search_text: one folded text per case for the back office's search box (core.search).

It holds the description, unidad and concepto, the texts of every FUR of the case
(acciones, respuesta al ciudadano) and its internal notes, in lower case without accents, so a
search is one indexed condition on `cases` (a GIN full-text index on PostgreSQL, LIKE on
SQLite) instead of a union over three tables, which PostgreSQL cannot combine with the queue's
"newest first, 50 per page".

Kept on every ORM flush: a new case gets its text before the INSERT; a flush that changes a
searched field of a case, adds, edits or deletes a FUR or a note recomputes the text of those
cases from the database right after (one SELECT per table and one UPDATE). Bulk statements that
bypass the ORM (a retention purge also empties the description, so its case is recomputed; the
benchmark generator) call `refresh` or `backfill` themselves.
"""

from __future__ import annotations

import unicodedata

from sqlalchemy import bindparam, event, inspect, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from core.models.cases import Case, Fur, Note

CASE_FIELDS = ("description", "unidad", "concepto")
FUR_FIELDS = ("acciones", "respuesta_ciudadano")
NOTE_FIELDS = ("body",)
MAX_LENGTH = 100_000


def fold(text: str | None) -> str | None:
    """Lower case without accents or other marks: 'Cesárea' -> 'cesarea', 'Año' -> 'ano'."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", str(text).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def compose(case_values, fur_values=(), note_values=()) -> str:
    """The folded search text from the case's fields and its FURs' and notes' texts."""
    parts = [v for v in case_values if v]
    for values in list(fur_values) + list(note_values):
        parts += [v for v in values if v]
    return fold(" ".join(" ".join(str(p).split()) for p in parts))[:MAX_LENGTH]


def refresh(connection, case_ids) -> dict[int, str]:
    """Recompute the search text of these cases from what the database holds now."""
    ids = sorted({i for i in case_ids if i is not None})
    if not ids:
        return {}
    texts: dict[int, str] = {}
    for start in range(0, len(ids), 1000):
        chunk = ids[start:start + 1000]
        cases = {row[0]: row[1:] for row in connection.execute(
            select(Case.id, *[getattr(Case, f) for f in CASE_FIELDS]).where(Case.id.in_(chunk)))}
        furs: dict[int, list] = {}
        for row in connection.execute(select(Fur.case_id, *[getattr(Fur, f) for f in FUR_FIELDS])
                                      .where(Fur.case_id.in_(chunk)).order_by(Fur.id)):
            furs.setdefault(row[0], []).append(row[1:])
        notes: dict[int, list] = {}
        for row in connection.execute(select(Note.case_id, Note.body).where(Note.case_id.in_(chunk))
                                      .order_by(Note.id)):
            notes.setdefault(row[0], []).append(row[1:])
        batch = {case_id: compose(values, furs.get(case_id, ()), notes.get(case_id, ()))
                 for case_id, values in cases.items()}
        if batch:
            table = Case.__table__
            connection.execute(update(table).where(table.c.id == bindparam("case_id"))
                               .values(search_text=bindparam("text")),
                               [{"case_id": k, "text": v} for k, v in batch.items()])
        texts.update(batch)
    return texts


def backfill(connection, batch: int = 5000) -> int:
    """Recompute every case's search text (migrations, bulk loads); returns how many."""
    last, done = 0, 0
    while True:
        ids = list(connection.scalars(select(Case.id).where(Case.id > last).order_by(Case.id).limit(batch)))
        if not ids:
            return done
        refresh(connection, ids)
        done += len(ids)
        last = ids[-1]


def _changed(obj, fields) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in fields)


@event.listens_for(Session, "before_flush")
def _new_cases(session, _flush_context, _instances) -> None:
    """A new case's text is written with its INSERT (no FUR or note can point to it yet)."""
    for obj in session.new:
        if isinstance(obj, Case):
            obj.search_text = compose([getattr(obj, f) for f in CASE_FIELDS])


@event.listens_for(Session, "after_flush")
def _changed_cases(session, _flush_context) -> None:
    ids: set[int] = set()
    watched = {Fur: FUR_FIELDS + ("case_id",), Note: NOTE_FIELDS + ("case_id",)}
    for obj in session.dirty:
        if isinstance(obj, Case) and _changed(obj, CASE_FIELDS):
            ids.add(obj.id)
        elif type(obj) in watched and _changed(obj, watched[type(obj)]):
            ids.add(obj.case_id)
    for obj in list(session.new) + list(session.deleted):
        if isinstance(obj, (Fur, Note)):
            ids.add(obj.case_id)
    ids.discard(None)
    if not ids:
        return
    texts = refresh(session.connection(), ids)
    for case_id, text in texts.items():
        obj = session.identity_map.get(session.identity_key(Case, case_id))
        if obj is not None:
            set_committed_value(obj, "search_text", text)
