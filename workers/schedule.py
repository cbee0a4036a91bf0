"""Every periodic job, in one list, with its cadence. The scheduler process (workers/scheduler.py,
Procfile `scheduler:`) registers each entry with RQ's CronScheduler.

Cron expressions are in Mexico City time (the scheduler sets TZ=America/Mexico_City), the day
SINAC counts plazos in. Every job is idempotent (dedupe keys, "already done" checks), so a
scheduler restart, a retry or a second scheduler never sends anything twice. Jobs that act on
business days only (reminders, escalations) run daily and do nothing on weekends and holidays.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.jobs import QueueName


@dataclass(frozen=True)
class Periodic:
    task: str  # a job name (core.jobs.JobName, workers/registry.py)
    purpose: str
    cron: str | None = None  # "minute hour day month weekday", Mexico City time
    interval: int | None = None  # seconds
    queue: QueueName = QueueName.DEFAULT
    timeout: int = 600  # seconds a run may take

    def __post_init__(self):
        if (self.cron is None) == (self.interval is None):
            raise ValueError(f"{self.task}: give exactly one of cron or interval")

    @property
    def cadence(self) -> str:
        return f"cron «{self.cron}»" if self.cron else f"cada {self.interval} s"


SCHEDULE: tuple[Periodic, ...] = (
    Periodic("sweep_stuck_inbound", "re-enqueue inbound/outbound messages whose job was lost",
             interval=120, timeout=120),
    Periodic("expire_idle_sessions", "tell phones with a half-filled report that the session expired",
             interval=300, timeout=120),
    Periodic("send_reminders", "remind enlaces 2 business days before due and on the due day",
             cron="0 8 * * *"),
    Periodic("escalate_overdue", "escalate vencido rounds to vinculación",
             cron="30 8 * * *"),
    Periodic("deliver_staff_emails", "e-mail pending staff notifications, retry failures (SMTP)",
             interval=600, timeout=300),
    Periodic("purge_retention", "anonymise cases, volantes and FURs over 5 years; delete evidence",
             cron="30 2 * * *", timeout=3600),
    Periodic("build_monthly_report", "freeze the previous month's report and e-mail it (PDF, XLSX)",
             cron="0 6 1 * *", timeout=1800),
    Periodic("deliver_pending_reports", "send the e-mailed reports whose next try has come (SMTP retries)",
             interval=600, timeout=900),
)
