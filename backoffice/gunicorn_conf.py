"""gunicorn settings: Prometheus multiprocess directory, request logging, timeouts."""

import os
from pathlib import Path

_metrics_dir = os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR",
    str(Path(os.environ.get("SINAC_INSTANCE_DIR") or Path.cwd() / "instance") / "prometheus"),
)

bind = os.environ.get("BIND", "0.0.0.0:5000")
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
