"""`make chaos`: faults in real time on the real processes (gunicorn, two Procfile workers, the
scheduler, the relay, the Twilio stand-in, Redis, the test database). Minutes per scenario, so
never part of `make test`: collected only with SINAC_CHAOS=1 (scripts/run-chaos sets it).

Each scenario writes its figures (recovery seconds, counts) to $CHAOS_RESULTS (a JSON-lines file)
for docs/benchmarks.md."""

from __future__ import annotations

import json
import os
import time

import pytest

from tests.faults.conftest import TOKEN, own_redis, shared_instance, stack_factory  # noqa: F401  (fixtures)

collect_ignore_glob = [] if os.environ.get("SINAC_CHAOS") else ["test_*.py"]


@pytest.fixture
def standin():
    """The Twilio stand-in as Twilio behaves: each message sent a moment after it was taken, with
    its `sent` and `delivered` callbacks to the web process (the fault tests' stand-in posts none).
    The stacks keep production's part gap (OUTBOUND_PART_GAP_SECONDS=1, `part_gap` below), so the
    order per phone costs what it costs in production: the next part waits for that callback."""
    from standin import StandinServer

    server = StandinServer(auth_token=TOKEN, callbacks=True).start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def part_gap(settings, monkeypatch):
    """Production's part gap for every process a chaos scenario starts (the test settings' 0.05 s
    stands for a stand-in without callbacks)."""
    monkeypatch.setenv("OUTBOUND_PART_GAP_SECONDS", "1")


@pytest.fixture
def record(database_url, request):
    """record(scenario, **figures): one JSON line per scenario run, with the database kind."""

    def write(scenario: str, **figures) -> None:
        line = {"scenario": scenario, "database": "postgresql" if database_url.startswith("postgresql") else "sqlite",
                "at": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()), **figures}
        print("CHAOS", json.dumps(line, ensure_ascii=False))
        path = os.environ.get("CHAOS_RESULTS")
        if path:
            with open(path, "a", encoding="utf-8") as out:
                out.write(json.dumps(line, ensure_ascii=False) + "\n")

    return write
