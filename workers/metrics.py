"""Prometheus metrics shared by the web and worker processes (multiprocess mode when
PROMETHEUS_MULTIPROC_DIR is set, as under gunicorn)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

WEBHOOK_REQUESTS = Counter("sinac_webhook_requests_total", "Twilio webhook requests", ["endpoint", "status"])
WEBHOOK_LATENCY = Histogram("sinac_webhook_seconds", "Twilio webhook handling time", ["endpoint"],
                            buckets=(0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5))
HTTP_REQUESTS = Counter("sinac_http_requests_total", "HTTP requests", ["endpoint", "status"])
JOB_SECONDS = Histogram("sinac_job_seconds", "Job duration", ["task"],
                        buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
JOB_FAILURES = Counter("sinac_job_failures_total", "Jobs that raised", ["task"])
