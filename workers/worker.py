"""The RQ worker class of the Procfile: warms the NLU model, the coverage index and the twilio
client in the parent process, so each forked work-horse inherits them instead of loading them
for every job (seconds → milliseconds per turn)."""

from __future__ import annotations

import logging

from rq.worker import Worker

log = logging.getLogger(__name__)


def warm_up() -> None:
    """Import every job's code and build the caches once; no database connection is opened
    here, so no socket is shared with the forked children."""
    from datetime import date

    import twilio.rest  # noqa: F401  (the client module tree is large)

    import workers.tasks  # noqa: F401  (the dialogue, services, models...)
    from bot.nlu import get_parser
    from core.coverage import get_engine
    from core.plazos import BusinessCalendar

    get_parser().parse("hola")
    get_engine().ask("vacuna")
    BusinessCalendar().add(date.today(), 30)  # loads the official holidays of this year and the next


class SinacWorker(Worker):
    def work(self, *args, **kwargs):
        from core.config import Settings
        from core.logs import configure_logging

        configure_logging(Settings.from_env().log_format)
        try:
            warm_up()
        except Exception:  # a cold worker still works: each job then loads what it needs
            log.exception("warm-up failed")
        return super().work(*args, **kwargs)
