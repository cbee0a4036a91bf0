"""Jobs that domain services ask for, run by the caller after its commit.

Queue names and job names are declared here once: the Procfile's workers must listen on every
queue, and workers/registry.py maps every job name to the function that runs it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class QueueName(StrEnum):
    INBOUND = "inbound"  # processing affiliates' messages: latency matters
    OUTBOUND = "outbound"  # sending through Twilio
    DEFAULT = "default"  # notifications, reports, housekeeping


QUEUES: tuple[str, ...] = tuple(q.value for q in QueueName)


class JobName(StrEnum):
    """Every job a service, the dialogue or the schedule can ask for (workers/registry.py)."""

    # the affiliate's messages (queues inbound and outbound)
    PROCESS_INBOUND_MESSAGE = "process_inbound_message"
    SEND_OUTBOUND = "send_outbound"
    FETCH_MESSAGE_MEDIA = "fetch_message_media"
    SWEEP_STUCK_INBOUND = "sweep_stuck_inbound"
    EXPIRE_IDLE_SESSIONS = "expire_idle_sessions"
    # notices of the case's life
    NOTIFY_VOLANTE_OPENED = "notify_volante_opened"
    NOTIFY_VOLANTE_REASSIGNED = "notify_volante_reassigned"
    NOTIFY_VOLANTE_RETURNED = "notify_volante_returned"
    NOTIFY_FUR_FILED = "notify_fur_filed"
    NOTIFY_CASE_CONCLUDED = "notify_case_concluded"
    NOTIFY_CASE_REOPENED = "notify_case_reopened"
    NOTIFY_CASE_MERGED = "notify_case_merged"
    NOTIFY_AFFILIATE_REPLIED = "notify_affiliate_replied"
    # the schedule's
    SEND_REMINDERS = "send_reminders"
    ESCALATE_OVERDUE = "escalate_overdue"
    DELIVER_STAFF_EMAILS = "deliver_staff_emails"
    PURGE_RETENTION = "purge_retention"
    BUILD_MONTHLY_REPORT = "build_monthly_report"
    DELIVER_REPORT = "deliver_report"  # one frozen report by e-mail (workers/report_delivery.py)
    DELIVER_PENDING_REPORTS = "deliver_pending_reports"  # the schedule's retries of those


@dataclass(frozen=True)
class Job:
    """A job's name (JobName) with id-only keyword arguments. `outbox_id` is the
    row the job was written as (core/outbox.py), once it was. `delay`: seconds after the commit
    before it may start (its row is enqueued by the relay then, not at the commit: a job waiting
    for something to happen holds no worker meanwhile)."""

    name: str
    kwargs: dict = field(default_factory=dict)
    queue: QueueName = QueueName.DEFAULT
    outbox_id: int | None = field(default=None, compare=False)
    delay: float = field(default=0.0, compare=False)
