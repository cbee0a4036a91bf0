"""Restarting the throwaway PostgreSQL cluster the fault and chaos tests run against.

Not through `pg_ctlcluster VERSION NAME restart`: it decides whether the cluster runs from the
cluster's external_pid_file, /var/run/postgresql/15-regress.pid, a path every pg_virtualenv
cluster of that version on the machine shares (they are all named `regress`). When another
session's throwaway cluster stops meanwhile, pg_ctlcluster removes that file; ours then reads as
not running, the restart skips the stop, and its start finds our server up: "Cluster is already
running", exit 2 (and pg_lsclusters shows our cluster `down`). pg_ctl on the cluster's own data
directory looks at nothing but that directory's postmaster.pid.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path


def _cluster_row(version: str, name: str) -> dict[str, str]:
    """Our cluster's row of pg_lsclusters (its own PG_CLUSTER_CONF_ROOT under pg_virtualenv)."""
    out = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 6 and parts[0] == version and parts[1] == name:
            log = parts[6] if len(parts) > 6 else str(Path(parts[5]) / "pg_ctl-restart.log")
            return {"port": parts[2], "owner": parts[4], "data": parts[5], "log": log}
    raise RuntimeError(f"cluster {version}/{name} not in pg_lsclusters:\n{out}")


def _pg_ctl(version: str) -> str:
    path = Path(f"/usr/lib/postgresql/{version}/bin/pg_ctl")
    return str(path) if path.exists() else (shutil.which("pg_ctl") or "pg_ctl")


def restart_cluster(version: str, name: str) -> None:
    """A fast restart with pg_ctl on the cluster's data directory (the server's own options are
    kept: pg_ctl restarts with those in postmaster.opts), as the cluster's owner. pg_ctl waits
    until the server accepts connections again; its wait is raised from 60 s to 300 s, since a
    fast shutdown still writes a checkpoint, which took 46 s and more on the loaded 2-core
    machine (the restart then "failed" with the server healthy)."""
    row = _cluster_row(version, name)
    cmd = [_pg_ctl(version), "restart", "-D", row["data"], "-m", "fast", "-w", "-t", "300", "-l", row["log"]]
    if os.geteuid() == 0:  # pg_ctl refuses to run as root
        cmd = ["runuser", "-u", row["owner"], "--", *cmd]
    # the server pg_ctl starts writes to its log file (-l), not to our pipes: run() returns
    subprocess.run(cmd, check=True, capture_output=True, timeout=330, cwd="/")
