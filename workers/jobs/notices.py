"""The notice jobs of a case's life and the schedule's housekeeping; their bodies (who hears
what) are in workers/notify.py. Each runs with the process's settings (workers.connections)."""

from __future__ import annotations

from workers import notify
from workers.connections import current_settings
from workers.jobs.wrapper import job


@job
def notify_volante_opened(volante_id: int) -> None:
    notify.volante_opened(volante_id, current_settings())


@job
def notify_volante_reassigned(volante_id: int) -> None:
    notify.volante_reassigned(volante_id, current_settings())


@job
def notify_volante_returned(volante_id: int) -> None:
    notify.volante_returned(volante_id, current_settings())


@job
def notify_fur_filed(volante_id: int) -> None:
    notify.fur_filed(volante_id, current_settings())


@job
def notify_case_concluded(case_id: int) -> None:
    notify.case_concluded(case_id, current_settings())


@job
def notify_case_reopened(case_id: int, volante_id: int | None = None) -> None:
    notify.case_reopened(case_id, volante_id, current_settings())


@job
def notify_case_merged(case_id: int) -> None:
    notify.case_merged(case_id, current_settings())


@job
def notify_affiliate_replied(request_id: int) -> None:
    notify.affiliate_replied(request_id, current_settings())


@job
def send_reminders() -> int:
    return notify.send_reminders(current_settings())


@job
def escalate_overdue() -> int:
    return notify.escalate_overdue(current_settings())


@job
def deliver_staff_emails() -> int:
    return notify.send_staff_emails(current_settings())


@job
def purge_retention() -> dict:
    return notify.purge_retention(current_settings()).as_dict()
