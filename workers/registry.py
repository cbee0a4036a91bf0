"""Every job's name and the dotted path of the function that runs it: the one list RQ, the
inline runner, the scheduler and the worker's warm-up read.

It imports nothing of SINAC's, so reading it never loads a job's code (the web process only needs
the paths to enqueue); `resolve` imports a job's module when the job is run.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import cache

JOBS: dict[str, str] = {
    # the affiliate's messages (workers/jobs/messages.py)
    "process_inbound_message": "workers.jobs.messages.process_inbound_message",
    "send_outbound": "workers.jobs.messages.send_outbound",
    "fetch_message_media": "workers.jobs.messages.fetch_message_media",
    "sweep_stuck_inbound": "workers.jobs.messages.sweep_stuck_inbound",
    "expire_idle_sessions": "workers.jobs.messages.expire_idle_sessions",
    # notices and the schedule's housekeeping (workers/jobs/notices.py; bodies in workers/notify.py)
    "notify_volante_opened": "workers.jobs.notices.notify_volante_opened",
    "notify_volante_reassigned": "workers.jobs.notices.notify_volante_reassigned",
    "notify_volante_returned": "workers.jobs.notices.notify_volante_returned",
    "notify_fur_filed": "workers.jobs.notices.notify_fur_filed",
    "notify_case_concluded": "workers.jobs.notices.notify_case_concluded",
    "notify_case_reopened": "workers.jobs.notices.notify_case_reopened",
    "notify_case_merged": "workers.jobs.notices.notify_case_merged",
    "notify_affiliate_replied": "workers.jobs.notices.notify_affiliate_replied",
    "send_reminders": "workers.jobs.notices.send_reminders",
    "escalate_overdue": "workers.jobs.notices.escalate_overdue",
    "deliver_staff_emails": "workers.jobs.notices.deliver_staff_emails",
    "purge_retention": "workers.jobs.notices.purge_retention",
    # the informe mensual (workers/jobs/reports.py)
    "build_monthly_report": "workers.jobs.reports.build_monthly_report",
    "deliver_report": "workers.jobs.reports.deliver_report",
    "deliver_pending_reports": "workers.jobs.reports.deliver_pending_reports",
}


def path_of(name: str) -> str:
    """The dotted path RQ imports to run the job `name` (KeyError for an unknown job)."""
    return JOBS[name]


@cache
def resolve(name: str) -> Callable:
    """The function of job `name`, its module imported on first use (KeyError when unknown)."""
    module, _, attribute = JOBS[name].rpartition(".")
    return getattr(importlib.import_module(module), attribute)


def modules() -> list[str]:
    """Every module holding jobs, for a worker to import before it forks."""
    return sorted({path.rpartition(".")[0] for path in JOBS.values()})
