"""The HTTP server: FastAPI with the Gradio chat at `/`, the widget, and the API under `/v1`.

    shopassist serve            # or: uvicorn --factory ui.app:create_app
    curl localhost:7860/openapi.json

Errors leave as OpenAI's ``{"error": {"message", "type", "code", "hint"}}`` with a real status;
never a stack trace. Logs are redacted of e-mails, card and phone numbers.
"""

from __future__ import annotations

import logging
import threading

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.database import unavailable
from assistant.deps import Deps, build_deps
from assistant.metrics import build_metrics
from assistant.settings import Settings, get_settings
from data.errors import ShopAssistError
from ui.deps import AppState
from ui.protocol import error_body
from ui.security import BodySizeLimit, RateLimiter, SharedRateLimiter, install_log_redaction

log = logging.getLogger(__name__)


def error_response(status: int, message: str, kind: str, hint: str = "", headers: dict | None = None) -> JSONResponse:
    return JSONResponse(error_body(message, kind, status, hint), status_code=status, headers=headers)


def add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ShopAssistError)
    async def assistant_error(request: Request, exc: ShopAssistError):
        retry_after = getattr(exc, "retry_after", None)  # 429 over the rate limit, 503 when full
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
        return error_response(exc.status_code, exc.message, type(exc).__name__, exc.hint, headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError):
        problems = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors()[:5])
        return error_response(422, f"invalid request: {problems}", "invalid_request_error", "see /docs for the schema")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        return error_response(exc.status_code, str(exc.detail), "http_error")

    @app.exception_handler(SQLAlchemyError)
    async def database_error(request: Request, exc: SQLAlchemyError):
        outage = unavailable(exc)  # the database went away mid-request: 503, and the next request reconnects
        if outage is None:
            return await unexpected(request, exc)
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
        return await assistant_error(request, outage)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(500, "internal server error", "internal_error", "retry later; the server log has details")


def rate_limiter(settings: Settings, engine) -> RateLimiter | SharedRateLimiter:
    """Counted in memory for the embedded SQLite store (one process); in the shared database otherwise, so the
    limit holds across replicas."""
    per_minute = settings.serve.rate_limit_per_minute
    return RateLimiter(per_minute) if engine.dialect.name == "sqlite" else SharedRateLimiter(engine, per_minute)


def build_state(settings: Settings, deps: Deps | None) -> AppState:
    from assistant.generation.remote import build_remote_generator
    from assistant.turn import build_service

    deps = deps or build_deps(settings)
    remote = build_remote_generator(settings)
    if remote is not None:
        log.warning("generation goes to %s (model %s)", settings.serve.remote_url, settings.serve.remote_model)
        deps.generator = remote
    service = build_service(settings, deps, metrics=build_metrics())
    return AppState(settings=settings, deps=deps, store=service.store, metrics=service.metrics,
                    limiter=rate_limiter(settings, service.store.engine), chat=service, analytics=service.analytics,
                    orders=service.orders)


def warm_up_in_background(app: FastAPI) -> None:
    """A serving process warms the staff dashboard and one turn while it waits for its first request (building an
    app does not)."""
    from ui.routes import admin

    state = app.state.shopassist
    state.warming.set()  # /readyz says 503 until the turn is warm: a load balancer sends no shopper to a cold replica
    threading.Thread(target=admin.warm_up, args=(state,), name="dashboard-warm-up", daemon=True).start()
    threading.Thread(target=_warm_up_turn, args=(state.chat, state.warming), name="turn-warm-up", daemon=True).start()


def _warm_up_turn(chat, warming: threading.Event) -> None:
    try:
        chat.warm_up()
    except Exception:  # a cold first turn is slower, never broken
        log.exception("turn warm-up failed")
    finally:
        warming.clear()


def create_app(settings: Settings | None = None, deps: Deps | None = None) -> FastAPI:
    import gradio as gr
    from fastapi.middleware.cors import CORSMiddleware

    from ui.chat import build_chat_page
    from ui.routes import admin, catalog, chat, orders, users, widget

    install_log_redaction()
    settings = settings or get_settings()
    state = build_state(settings, deps)
    if not settings.serve.api_keys:
        log.warning("no API keys configured: /v1 is open to anyone who can reach %s", settings.serve.host)
    app = FastAPI(title="ShopAssist", version="0.1.0",
                  description="Conversational shopping assistant. OpenAI-compatible chat under /v1; "
                              "ShopAssist extras (intent, products, handoff) in the `shopassist` field.")
    app.state.shopassist = state
    add_error_handlers(app)
    for router in (chat.router, catalog.router, users.router, orders.router, widget.router, admin.router):
        app.include_router(router)

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict:
        return {"status": "ok", "products": len(state.deps.retriever.catalog),
                "generator": "remote" if settings.serve.remote_url else "local"}

    @app.get("/readyz", tags=["ops"], responses={503: {"description": "still warming up; retry after Retry-After"}})
    def readyz() -> Response:
        """Readiness for a load balancer: 200 once the model, understanding and search are warm (/healthz only
        says the process answers)."""
        if state.warming.is_set():
            return JSONResponse({"status": "warming up"}, status_code=503, headers={"Retry-After": "2"})
        return JSONResponse({"status": "ready"})

    @app.get("/metrics", tags=["ops"], include_in_schema=False)
    def metrics() -> Response:
        body, content_type = state.metrics.render()
        return Response(body, media_type=content_type)

    @app.middleware("http")
    async def count_requests(request: Request, call_next):
        response = await call_next(request)
        route = request.scope.get("route")
        state.metrics.requests.labels(route=getattr(route, "path", "other"), status=str(response.status_code)).inc()
        return response

    app = gr.mount_gradio_app(app, build_chat_page(state.chat), path="/")
    app.add_middleware(CORSMiddleware, allow_origins=settings.serve.cors_origins, allow_methods=["GET", "POST"],
                       allow_headers=["Authorization", "Content-Type", "X-Session-Id"], max_age=600)
    app.add_middleware(BodySizeLimit, max_bytes=settings.serve.max_body_bytes)
    return app
