"""Row counts read fresh from the database (what other threads and processes committed)."""

from __future__ import annotations

from sqlalchemy import func, select


def count(db, model, *where) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model).where(*where))
