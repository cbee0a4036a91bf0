"""The informe mensual's job: freeze last month's report once it has ended."""

from __future__ import annotations

import logging

from core.reports import Month
from core.reports.snapshots import build_month_snapshots, rebuild_partial_snapshots
from workers import report_delivery
from workers.connections import current_settings, job_session
from workers.jobs.wrapper import job

log = logging.getLogger("sinac.jobs")


@job
def build_monthly_report(month: str | None = None) -> int:
    """Freeze the previous month's report (national and per estado); complete snapshots are kept
    unchanged, partial ones (taken before their month ended) are rebuilt, of that month and of
    any earlier one. Only months that have ended (a ValidationError otherwise). Scheduled on
    the 1st (workers/schedule.py); the month's frozen reports are then e-mailed to their
    recipients (workers/report_delivery.py, once per month and scope). Returns how many were created."""
    target = Month.parse(month) if month else Month.previous_to_today()
    settings = current_settings()
    with job_session(settings) as session:
        created = build_month_snapshots(session, target, created_by="scheduler")
        if month is None:
            created += rebuild_partial_snapshots(session, created_by="scheduler")
        session.commit()
    log.info("monthly report %s: %d snapshots", target.key, len(created))
    report_delivery.schedule_month(target, settings)
    return len(created)


@job
def deliver_report(delivery_id: int) -> str | None:
    """One try at e-mailing one frozen report (core/reports/delivery.py)."""
    return report_delivery.deliver(delivery_id, current_settings())


@job
def deliver_pending_reports() -> int:
    """The e-mailed reports whose next try has come (retries; rows whose job was lost)."""
    return report_delivery.deliver_pending(current_settings())
