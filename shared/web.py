"""The common frame of every HTTP app: errors, request ids, metrics, health and readiness."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, Response, g, jsonify, request

from shared import correlation, logs, mongo, problems
from shared.metrics import BUILD_INFO, HTTP_LATENCY, HTTP_REQUESTS, VERSION, render
from shared.settings import Settings

log = logging.getLogger(__name__)

ReadinessCheck = Callable[[], bool]

_ID_HEADER = "X-Request-ID"
# Probes and scrapes would drown the lines that matter.
_QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
_CORRELATION_HEADER = "X-Correlation-ID"


def create_base_app(
    service: str,
    settings: Settings,
    readiness: Mapping[str, ReadinessCheck],
    config: Mapping[str, Any] | None = None,
    root_path: str | None = None,
) -> Flask:
    """A Flask app with the suite's conventions; the service adds its blueprints.
    ``root_path`` is where an app with pages keeps its ``templates`` and ``static`` folders."""
    app = Flask(f"pantau.{service}", root_path=root_path)
    app.config.update(
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        JSON_SORT_KEYS=False,
        PANTAU_SETTINGS=settings,
        PANTAU_SERVICE=service,
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    if config:
        app.config.update(config)
    problems.install(app)
    BUILD_INFO.labels(service=service, version=VERSION).set(1)

    @app.before_request
    def _start() -> None:
        g.started = time.perf_counter()
        incoming = request.headers.get(_CORRELATION_HEADER) or request.headers.get(_ID_HEADER)
        # Accept a caller's id only if it is short and plain, so logs cannot be forged with it.
        if incoming and len(incoming) <= 64 and incoming.replace("-", "").isalnum():
            g.request_id = incoming
        else:
            g.request_id = correlation.new_id()
        correlation.set_current(g.request_id)

    @app.after_request
    def _finish(response: Response) -> Response:
        route = request.url_rule.rule if request.url_rule else "<unmatched>"
        elapsed = time.perf_counter() - g.get("started", time.perf_counter())
        HTTP_REQUESTS.labels(
            service=service, route=route, method=request.method, status=str(response.status_code)
        ).inc()
        HTTP_LATENCY.labels(service=service, route=route, method=request.method).observe(elapsed)
        response.headers[_ID_HEADER] = g.get("request_id", "")
        # One JSON line per request (the correlation id is stamped by the log filter), so a
        # case can be followed from the office's request through every service.
        if request.path not in _QUIET_PATHS:
            log.info(
                "request",
                extra={
                    "method": request.method,
                    "route": route,
                    "status": response.status_code,
                    "duration_ms": round(elapsed * 1000, 2),
                },
            )
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    @app.teardown_request
    def _clear(_: BaseException | None) -> None:
        correlation.set_current(None)

    @app.get("/healthz")
    def healthz() -> Response:
        return jsonify(status="ok", service=service)

    @app.get("/readyz")
    def readyz() -> tuple[Response, int]:
        results = {name: _safe(check) for name, check in readiness.items()}
        ready = all(results.values())
        body = jsonify(
            status="ready" if ready else "unavailable",
            service=service,
            checks={k: "ok" if v else "failing" for k, v in results.items()},
        )
        return body, 200 if ready else 503

    @app.get("/metrics")
    def metrics() -> Response:
        payload, content_type = render()
        return Response(payload, mimetype=content_type.split(";")[0], content_type=content_type)

    return app


def _safe(check: ReadinessCheck) -> bool:
    try:
        return bool(check())
    except Exception:
        log.warning("readiness check failed", exc_info=True)
        return False


def broker_ready(settings: Settings) -> ReadinessCheck:
    """A readiness check that opens (and closes) a broker connection within a short timeout,
    so a hung broker makes /readyz answer 503 rather than hold the prober."""

    def check() -> bool:
        from shared.worker_health import broker_answers

        return broker_answers(settings.amqp_url)

    return check


def create_service_app(
    service: str,
    settings: Settings,
    *,
    register_database: Callable[[Settings], None],
    ensure_indexes: Callable[[], None],
    config: Mapping[str, Any] | None = None,
) -> Flask:
    """The start of every service's ``create_app``: JSON logs, its database registered lazily
    (indexes created in the background, so a worker boots even while MongoDB is down), and
    the common frame with MongoDB and RabbitMQ readiness."""
    logs.configure(service, settings.log_level)
    register_database(settings)
    mongo.ensure_in_background(ensure_indexes, service)
    return create_base_app(
        service,
        settings,
        readiness={"mongodb": lambda: mongo.ping(service), "rabbitmq": broker_ready(settings)},
        config=config,
    )
