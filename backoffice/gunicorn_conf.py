"""gunicorn settings: Prometheus multiprocess directory, request logging, timeouts."""

import os
from pathlib import Path

_metrics_dir = os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR",
    str(Path(os.environ.get("SINAC_INSTANCE_DIR") or Path.cwd() / "instance") / "prometheus"),
)

bind = os.environ.get("BIND", "0.0.0.0:5000")
# One process per core, four threads each: the webhook's Python holds a core for a few ms per
# message and waits on PostgreSQL and Redis in between, which the other threads fill. Two sweeps
# on the shared 2-core machine (load 10-14, one run each; docs/benchmarks.md, issue 22 item 4):
# 2 x 4 served the most (288-372 msg/s at 16-64 connections); 2 x 1, 2 x 2, 4 x 1 and 3 x 2 fewer
# (172-257); 3 x 4 and 2 x 8 spent more worker CPU per message than 2 x 4 in the same sweep
# (5.1 and 4.7-4.9 against 4.0 ms: more processes on two cores, more GIL hand-offs).
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = 30
graceful_timeout = 20
# gunicorn believes X-Forwarded-Proto (the request's scheme) only from the same proxies as the app
# (backoffice/security.py): from none while TRUSTED_PROXY_COUNT is 0.
forwarded_allow_ips = (os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
                       if int(os.environ.get("TRUSTED_PROXY_COUNT") or 0) > 0 else "")
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s'


def on_starting(server):
    # The directory is shared with the RQ workers (same variable); whoever deploys clears it
    # before starting the processes (the Makefile does).
    Path(_metrics_dir).mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
