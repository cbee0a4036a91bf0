"""Request ids, request metrics and the Prometheus endpoint."""

from __future__ import annotations

import hmac
import ipaddress
import os
import re
import time

from flask import Blueprint, Flask, Response, abort, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily

from core.logs import configure_logging, new_request_id, request_id_var

bp = Blueprint("observability", __name__)
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{6,64}$")


def init_app(app: Flask) -> None:
    settings = app.config["SINAC"]
    if not app.testing:
        configure_logging(settings.log_format)
    add_request_hooks(app)


def add_request_hooks(app: Flask) -> None:
    """Request id (X-Request-ID in and out, the logs' request_id) and the request metrics; also
    on the lean app that serves the inbound webhook (backoffice/webhook_app.py)."""

    @app.before_request
    def _start():
        incoming = request.headers.get("X-Request-ID") or request.headers.get("I-Twilio-Idempotency-Token")
        rid = incoming if incoming and _REQUEST_ID_RE.match(incoming) else new_request_id()
        g.request_id = rid
        g.request_started = time.perf_counter()
        g.request_id_token = request_id_var.set(rid)

    @app.after_request
    def _finish(response):
        from workers.metrics import HTTP_REQUESTS, WEBHOOK_LATENCY, WEBHOOK_REQUESTS

        response.headers["X-Request-ID"] = g.get("request_id", "")
        endpoint = request.endpoint or "desconocido"
        HTTP_REQUESTS.labels(endpoint, str(response.status_code)).inc()
        if endpoint.startswith("webhooks."):
            WEBHOOK_REQUESTS.labels(endpoint, str(response.status_code)).inc()
            WEBHOOK_LATENCY.labels(endpoint).observe(time.perf_counter() - g.get("request_started", 0))
        return response

    @app.teardown_request
    def _reset(_exc):
        token = g.pop("request_id_token", None)
        if token is not None:
            request_id_var.reset(token)


@bp.get("/metrics")
def metrics():
    """Bearer METRICS_TOKEN when set; otherwise only from the machine itself (internal scrape)."""
    settings = current_app.config["SINAC"]
    if settings.metrics_token:
        supplied = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(supplied.encode(), settings.metrics_token.encode()):
            abort(404)
    elif not _is_loopback(request.remote_addr):
        abort(404)
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY

        registry = _Merged(REGISTRY)
    registry.register(DomainCollector(settings))
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


def _is_loopback(addr: str | None) -> bool:
    try:
        return ipaddress.ip_address(addr or "").is_loopback
    except ValueError:
        return False


class _Merged(CollectorRegistry):
    """The process registry plus collectors added per scrape."""

    def __init__(self, base):
        super().__init__(auto_describe=False)
        self._base = base

    def collect(self):
        yield from self._base.collect()
        yield from super().collect()


class DomainCollector:
    """Counts read from the database and Redis at scrape time, so every process agrees."""

    def __init__(self, settings):
        self.settings = settings

    def collect(self):
        from sqlalchemy import func, select

        from core.db import session_factory
        from core.models import Case, Message

        session = session_factory(self.settings.database_url)()
        try:
            cases = GaugeMetricFamily("sinac_cases", "Cases registered, by tipo", labels=["tipo"])
            for tipo, n in session.execute(select(Case.tipo, func.count()).group_by(Case.tipo)):
                cases.add_metric([tipo], n)
            yield cases
            outbound = GaugeMetricFamily("sinac_outbound_messages", "Outbound messages by status",
                                         labels=["status"])
            rows = session.execute(select(Message.status, func.count()).where(Message.direction == "outbound")
                                   .group_by(Message.status))
            for status, n in rows:
                outbound.add_metric([status], n)
            yield outbound
            fallbacks = GaugeMetricFamily("sinac_nlu_fallbacks", "Inbound messages the NLU did not understand")
            fallbacks.add_metric([], session.scalar(select(func.count()).select_from(Message).where(
                Message.direction == "inbound", Message.intent == "nlu_fallback")) or 0)
            yield fallbacks
        finally:
            session.close()
        depths = GaugeMetricFamily("sinac_queue_depth", "Jobs waiting per RQ queue", labels=["queue"])
        try:
            from rq import Queue

            from core.jobs import QUEUES
            from workers.connections import redis_for

            conn = redis_for(self.settings.redis_url)
            for name in QUEUES:
                depths.add_metric([name], Queue(name, connection=conn).count)
        except Exception:  # noqa: BLE001 (Redis down: the gauge is simply absent; /readyz reports it)
            return
        yield depths
