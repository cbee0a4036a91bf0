"""`rq worker …` with a test hook: when SINAC_FAULT_BLOCK_DIR is set, the first dialogue turn that
queues replies writes `blocked` there (its pid, and whether the turn's transaction already holds
a new case) and then hangs, so a test can SIGKILL the process in the middle of the turn. Later
turns (the retry) run normally because the marker exists."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path


def install() -> None:
    from bot import outbound

    original = outbound.queue_replies

    def queue_replies(session, contact, texts, **kw):
        block_dir = os.environ.get("SINAC_FAULT_BLOCK_DIR")
        marker = Path(block_dir) / "blocked" if block_dir else None
        if marker is not None and not marker.exists():
            from core.models import Case

            session.flush()
            new_cases = [obj.folio for obj in session.identity_map.values()
                         if isinstance(obj, Case) and obj.contact_id == contact.id]
            tmp = marker.with_suffix(".tmp")
            tmp.write_text(json.dumps({"pid": os.getpid(), "cases_in_transaction": new_cases}))
            tmp.rename(marker)
            parent = os.getppid()
            for _ in range(3000):  # hang (at most 10 minutes; gone if the worker is gone)
                time.sleep(0.2)
                if os.getppid() != parent:
                    os._exit(1)
        return original(session, contact, texts, **kw)

    outbound.queue_replies = queue_replies


if __name__ == "__main__":
    install()
    from rq.cli import main

    sys.argv[0] = "rq"
    sys.exit(main())
