"""`rq worker …` with a test hook: when SINAC_FAULT_BLOCK_DIR is set, the worker writes `blocked`
there (its pid, and whether the turn's transaction already holds a new case) and then hangs, so a
test can SIGKILL the process at that point. Later calls (the retry) run normally because the
marker exists. Where it hangs (SINAC_FAULT_BLOCK_AT):
- `turn` (default): in the middle of the first dialogue turn that queues replies, before its commit;
- `send`: after a turn's commit, when its job is about to send the reply itself (the reply is
  stored, its backstop send job is 30 s away)."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path


def _block(details) -> bool:
    """Write the marker (with `details()`) and hang (at most 10 minutes; gone if the worker is
    gone); False when the marker already exists (the hook has fired once)."""
    block_dir = os.environ.get("SINAC_FAULT_BLOCK_DIR")
    marker = Path(block_dir) / "blocked" if block_dir else None
    if marker is None or marker.exists():
        return False
    tmp = marker.with_suffix(".tmp")
    tmp.write_text(json.dumps({"pid": os.getpid(), **details()}))
    tmp.rename(marker)
    parent = os.getppid()
    for _ in range(3000):
        time.sleep(0.2)
        if os.getppid() != parent:
            os._exit(1)
    return True


def install() -> None:
    from bot.outbound import queueing, sending

    if os.environ.get("SINAC_FAULT_BLOCK_AT", "turn") == "send":
        original_send = sending.send_messages  # before workers.jobs.messages imports it by name

        def send_messages(session, message_ids, **kw):
            if kw.get("first_try_only"):
                _block(lambda: {"message_ids": list(message_ids)})
            return original_send(session, message_ids, **kw)

        sending.send_messages = send_messages
        return

    original = queueing.queue_replies  # bot.turns imports it at each turn

    def queue_replies(session, contact, texts, **kw):
        def new_cases() -> dict:
            from core.models import Case

            session.flush()
            return {"cases_in_transaction": [obj.folio for obj in session.identity_map.values()
                                             if isinstance(obj, Case) and obj.contact_id == contact.id]}

        _block(new_cases)
        return original(session, contact, texts, **kw)

    queueing.queue_replies = queue_replies


if __name__ == "__main__":
    install()
    from rq.cli import main

    sys.argv[0] = "rq"
    sys.exit(main())
