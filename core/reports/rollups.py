"""Stored figures of the informe mensual (issue 22 item 1): a month that has ended is computed
once and read back afterwards, and the figures read back are exactly the live ones.

What is stored, per scope (nacional, estado:NN) and month (`report_rollups`):
- "meses": the part of the report's two months that core.reports.figures.month_parts reads
  from volantes, cases, reopenings and the business-day durations (the groups' sums, the
  topics, the per-enlace figures). The messages are always counted live;
- "tendencia": a trend month's totals (core.reports.figures.compute).

Why they stay exact: database triggers (migration 0022) add one to a month's generation
(`report_rollup_months`) in the same transaction as any change to a row counted in that month,
and a stored month is used only when it was computed at the current generation, by the same
report code (a fingerprint of these modules' source) and for a day after the month ended (the
only figures that depend on the day of the report, the vencidos, are then fixed), and not for a
month the report's own transaction has changed and not yet committed. The generation is read
before the month's rows, so a change committed while the report computes leaves what it stored
behind. Only months that have ended by the database's clock are stored;
the triggers count the months that have ended or end within two days.

A report read on a replica (`writable` False) uses what is stored there and stores nothing.
"""

from __future__ import annotations

import functools
import hashlib
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from core.models import ReportRollup, ReportRollupMonth
from core.reports.months import Month

MONTHS = "meses"
TREND = "tendencia"
# the modules whose code decides a stored figure: a change to any of them makes it stale
_CODE = ("calendar.py", "durations.py", "events.py", "figures.py", "months.py", "passes.py", "rollups.py",
         "sql.py", "window.py", "review_figures.py")


@functools.cache
def code_fingerprint() -> str | None:
    """Hash of the report code's source; None (nothing stored or read) when it is not on disk."""
    digest = hashlib.sha256()
    try:
        for name in _CODE:
            digest.update((Path(__file__).parent / name).read_bytes())
    except OSError:
        return None
    return digest.hexdigest()[:32]


def _plain(value):
    return float(value) if isinstance(value, Decimal) else value


def encode_part(part: dict) -> dict:
    """A month_parts month as JSON (group keys may be None, user ids are ints)."""
    return {
        "groups": {dim: [[key, {n: _plain(v) for n, v in values.items()}] for key, values in groups.items()]
                   for dim, groups in part["groups"].items()},
        "temas": [[topic, n] for topic, n in part["temas"].items()],
        "enlace": [[uid, {n: _plain(v) for n, v in values.items()}] for uid, values in part["enlace"].items()],
    }


def decode_part(data: dict) -> dict:
    return {
        "groups": {dim: {key: values for key, values in groups} for dim, groups in data["groups"].items()},
        "temas": {topic: n for topic, n in data["temas"]},
        "enlace": {uid: values for uid, values in data["enlace"]},
    }


def _database_now(session: Session) -> datetime:
    value = session.scalar(select(func.current_timestamp()))
    if isinstance(value, str):  # SQLite: 'YYYY-MM-DD HH:MM:SS' in UTC
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class Store:
    """The stored months of one scope, for a report read on `as_of`."""

    def __init__(self, session: Session, estado: str | None, as_of: date, *, writable: bool):
        from core.reports.snapshots import scope_for

        self.session, self.scope, self.as_of, self.writable = session, scope_for(estado), as_of, writable
        self.code = code_fingerprint()
        self._now: datetime | None = None

    def _usable(self, months: list[Month]) -> list[Month]:
        if self.code is None:
            return []
        ended = [m for m in months if self.as_of > m.last_day]
        if ended and self._now is None:
            self._now = _database_now(self.session)
        return [m for m in ended if self._now >= m.end_utc]

    def load(self, kind: str, months: list[Month]) -> tuple[dict[str, dict], dict[str, int]]:
        """({month key: data} of the months stored at their current generation, {month key:
        generation} of the others that may be stored once computed)."""
        usable = self._usable(months)
        if not usable:
            return {}, {}
        keys = [m.key for m in self._unchanged_here(usable)]
        if not keys:
            return {}, {}
        generations = self._generations(keys)
        missing = [k for k in keys if k not in generations]
        if missing and self.writable:  # a month's generation row exists before its rows are read
            _insert_missing(self.session, missing)
            generations = self._generations(keys)
        rows = self.session.execute(
            select(ReportRollup.month, ReportRollup.generation, ReportRollup.data)
            .where(ReportRollup.scope == self.scope, ReportRollup.kind == kind, ReportRollup.code == self.code,
                   ReportRollup.month.in_(keys)))
        stored = {key: data for key, generation, data in rows if generations.get(key) == generation}
        todo = {key: gen for key, gen in generations.items() if key not in stored} if self.writable else {}
        return stored, todo

    def _unchanged_here(self, months: list[Month]) -> list[Month]:
        """The months this transaction has not changed itself: on PostgreSQL the triggers count a
        transaction's months when it commits (migration 0022), noted until then."""
        if self.session.get_bind().dialect.name != "postgresql":
            return months
        pending = self.session.scalar(text("SELECT current_setting('sinac.report_months', true)")) or ""
        changed = set(pending.split(","))
        return [m for m in months if m.key not in changed]

    def _generations(self, keys: list[str]) -> dict[str, int]:
        return dict(self.session.execute(
            select(ReportRollupMonth.month, ReportRollupMonth.generation).where(ReportRollupMonth.month.in_(keys))).all())

    def save(self, kind: str, key: str, generation: int, data: dict) -> None:
        _upsert(self.session, {"scope": self.scope, "month": key, "kind": kind, "generation": generation,
                               "code": self.code, "data": data})


def _dialect_insert(session: Session, table):
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def _insert_missing(session: Session, keys: list[str]) -> None:
    stmt = _dialect_insert(session, ReportRollupMonth).values([{"month": k, "generation": 0} for k in sorted(keys)])
    session.execute(stmt.on_conflict_do_nothing(index_elements=["month"]))


def _upsert(session: Session, row: dict) -> None:
    stmt = _dialect_insert(session, ReportRollup).values(**row)
    session.execute(stmt.on_conflict_do_update(
        index_elements=["scope", "month", "kind"],
        set_={"generation": stmt.excluded.generation, "code": stmt.excluded.code, "data": stmt.excluded.data}))


def report_months(session: Session, store: Store, window, dims: tuple[str, ...]) -> dict[str, dict]:
    """core.reports.figures.compute_months(…, enlaces=True) for the window, each month read from
    the store when it holds it, the others computed now (one window over the missing ones) and
    stored."""
    from core.reports.figures import complete_months, month_parts
    from core.reports.window import Window

    months = window.months
    stored, todo = store.load(MONTHS, months)
    parts = {key: decode_part(data) for key, data in stored.items()}
    missing = [m for m in months if m.key not in parts]
    if missing:
        found = month_parts(session, Window(missing[0], missing[-1], window.estado, window.as_of), dims, enlaces=True)
        for m in missing:
            parts[m.key] = found[m.key]
            if m.key in todo:
                store.save(MONTHS, m.key, todo[m.key], encode_part(found[m.key]))
    return complete_months(session, window, dims, {m.key: parts[m.key] for m in months}, enlaces=True)


def trend_months(session: Session, store: Store, months: list[Month], estado: str | None,
                 as_of: date) -> dict[str, dict]:
    """core.reports.figures.compute(…, "mes") for `months` (the trend's months without a
    snapshot), each read from the store when it holds it, the others computed now and stored."""
    from core.reports.figures import compute
    from core.reports.window import Window

    if not months:
        return {}
    stored, todo = store.load(TREND, months)
    out = dict(stored)
    missing = [m for m in months if m.key not in out]
    if missing:
        found = compute(session, Window(missing[0], missing[-1], estado, as_of), "mes")
        for m in missing:
            out[m.key] = found[m.key]
            if m.key in todo:
                store.save(TREND, m.key, todo[m.key], json.loads(json.dumps(found[m.key])))
    return out
