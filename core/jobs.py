"""Jobs that domain services ask for, run by the caller after its commit.

Queue names are declared here once; the Procfile's workers must listen on all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class QueueName(StrEnum):
    INBOUND = "inbound"  # processing affiliates' messages: latency matters
    OUTBOUND = "outbound"  # sending through Twilio
    DEFAULT = "default"  # notifications, reports, housekeeping


QUEUES: tuple[str, ...] = tuple(q.value for q in QueueName)


@dataclass(frozen=True)
class Job:
    """A task name (see workers.tasks.TASKS) with id-only keyword arguments. `outbox_id` is the
    row the job was written as (core/outbox.py), once it was."""

    name: str
    kwargs: dict = field(default_factory=dict)
    queue: QueueName = QueueName.DEFAULT
    outbox_id: int | None = field(default=None, compare=False)
