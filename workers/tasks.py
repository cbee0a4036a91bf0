"""Every RQ job, by name. Jobs take ids, open their own session and commit what they decide.

Domain services name jobs (core.jobs.Job.name); this registry maps those names to functions.
"""

from __future__ import annotations

TASKS: dict = {}


def task(fn):
    """Register a job function under its own name."""
    TASKS[fn.__name__] = fn
    return fn
