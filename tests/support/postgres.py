"""Restarting the throwaway PostgreSQL cluster the fault and chaos tests run against."""

from __future__ import annotations

import subprocess


def restart_cluster(version: str, name: str) -> None:
    """A fast restart; pg_ctl's own wait raised from 60 s, since a fast shutdown still writes a
    checkpoint, which took 46 s and more on the loaded 2-core machine (the restart then
    "failed" with the server healthy)."""
    subprocess.run(["pg_ctlcluster", version, name, "restart", "-m", "fast", "--", "-t", "300"],
                   check=True, capture_output=True, timeout=330)
