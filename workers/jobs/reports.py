"""The informe mensual's job: freeze last month's report once it has ended."""

from __future__ import annotations

import logging

from core.reports import Month
from core.reports.snapshots import build_month_snapshots, rebuild_partial_snapshots
from workers.connections import current_settings, job_session
from workers.jobs.wrapper import job

log = logging.getLogger("sinac.jobs")


@job
def build_monthly_report(month: str | None = None) -> int:
    """Freeze the previous month's report (national and per estado); complete snapshots are kept
    unchanged, partial ones (taken before their month ended) are rebuilt, of that month and of
    any earlier one. Only months that have ended (a ValidationError otherwise). Scheduled on
    the 1st (workers/schedule.py). Returns how many were created."""
    target = Month.parse(month) if month else Month.previous_to_today()
    with job_session(current_settings()) as session:
        created = build_month_snapshots(session, target, created_by="scheduler")
        if month is None:
            created += rebuild_partial_snapshots(session, created_by="scheduler")
        session.commit()
    log.info("monthly report %s: %d snapshots", target.key, len(created))
    return len(created)
