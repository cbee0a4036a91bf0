"""The transactional outbox: one row per job a change asks for, written in the change's own
transaction (core/outbox.py writes and reads them; workers/dispatch.py and workers/relay.py
hand them to RQ)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base
from core.models._types import JSONType, UTCDateTime


class OutboxJob(Base):
    """A job by name with id-only arguments. `enqueued_at` is set when it was handed to the queue,
    `done_at` when it is over: finished by a worker, or given up by RQ after its retries
    (`failed_at` too; RQ's failed registry shows why). Rows not done are all the relay reads."""

    __tablename__ = "outbox_jobs"
    __table_args__ = (
        # The relay's two questions ("never handed over", "handed over but not finished") only
        # ever read rows not done: a partial index keeps them cheap however long the history.
        Index("ix_outbox_jobs_open", "available_at", postgresql_where=text("done_at IS NULL"),
              sqlite_where=text("done_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    kwargs: Mapped[dict] = mapped_column(JSONType)
    queue: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(120), index=True)  # name:arguments, to find a job's row
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    available_at: Mapped[datetime] = mapped_column(UTCDateTime())  # the relay waits until then
    enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    enqueues: Mapped[int] = mapped_column(Integer, default=0)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
