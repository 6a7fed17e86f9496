"""The staff dashboard: `GET /admin` (one HTML page of charts), `GET /admin/data.json` (same numbers).

    open http://127.0.0.1:7860/admin?days=30          # sign in with one of SHOPASSIST_SERVE__API_KEYS
    curl -H "Authorization: Bearer $KEY" 'http://127.0.0.1:7860/admin/data.json?days=7'

Access: `Authorization: Bearer <key>`, or the cookie set by the sign-in form (`POST /admin/login`):
HttpOnly, SameSite=Strict, scoped to /admin, holding an expiry and an HMAC of the key under the
install's analytics secret, never the key itself. No keys configured = open like /v1, with a
warning banner. Numbers come from `assistant.analytics.insights`; charts are drawn server-side
(`ui.admin.charts`), so the page needs no JavaScript and its CSP allows only inline styles and
data: images.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from data.errors import Unauthorized
from ui.deps import AppState, StateDep
from ui.security import check_api_key

router = APIRouter(prefix="/admin", tags=["admin"])
TEMPLATES = Path(__file__).resolve().parent.parent / "admin"
COOKIE = "shopassist_admin"
SESSION_HOURS = 12
Days = Annotated[int, Query(ge=1, le=365, description="window: the last N UTC days, today included")]
HEADERS = {"Cache-Control": "no-store", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer",
           "X-Content-Type-Options": "nosniff",
           "Content-Security-Policy": "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
                                      "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"}


@lru_cache(maxsize=1)
def _templates():
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True))
    env.globals["pct"] = lambda x: f"{100 * x:.1f} %" if isinstance(x, int | float) else "–"
    return env


def _render(name: str, status: int = 200, **context) -> HTMLResponse:
    return HTMLResponse(_templates().get_template(name).render(**context), status_code=status, headers=HEADERS)


# access --------------------------------------------------------------------------------------
def session_token(secret: bytes, key: str, expires: int) -> str:
    """`<expiry>.<HMAC(secret, expiry, key)>`: proves the key without holding it."""
    mac = hmac.new(secret, f"shopassist-admin\x00{expires}\x00{key}".encode(), hashlib.sha256).hexdigest()
    return f"{expires}.{mac}"


def _cookie_valid(value: str | None, secret: bytes, keys: list[str]) -> bool:
    expires, _, mac = (value or "").partition(".")
    if not expires.isdigit() or not mac or int(expires) < time.time():
        return False
    return any(hmac.compare_digest(session_token(secret, key, int(expires)), value) for key in keys)


def access(request: Request, state: AppState) -> str | None:
    """How the caller got in ("open", "bearer", "cookie"), or None."""
    keys = state.settings.serve.api_keys
    if not keys:
        return "open"
    header = request.headers.get("authorization")
    if header:
        try:
            check_api_key(header, keys)
            return "bearer"
        except Unauthorized:
            return None
    return "cookie" if _cookie_valid(request.cookies.get(COOKIE), state.analytics.secret, keys) else None


def _insights(state: AppState, days: int):
    from assistant.analytics.insights import build_insights

    return build_insights(state.analytics, days=days, profiles=state.deps.profiles,
                          experiments=state.deps.experiments,
                          attribution_hours=state.settings.experiments.attribution_hours)


def warm_up(state: AppState) -> None:
    """Run once in the background at start: imports (matplotlib, statsmodels) and the experiment
    reports' cache are ready before the first staff member opens the page."""
    import logging

    from ui.admin.charts import render_charts

    try:
        render_charts(_insights(state, 30))
    except Exception:  # a cold cache is only slower; never fail the server for it
        logging.getLogger(__name__).exception("dashboard warm-up failed")


# pages ---------------------------------------------------------------------------------------
@router.get("", response_class=HTMLResponse, include_in_schema=False)
def dashboard(request: Request, state: StateDep, days: Days = 30) -> HTMLResponse:
    from assistant.analytics.insights import LOW_CONFIDENCE
    from ui.admin.charts import render_charts

    how = access(request, state)
    if how is None:
        return _render("login.html", 401, error="", days=days)
    start = time.perf_counter()
    insights = _insights(state, days)
    queried = time.perf_counter()
    charts = render_charts(insights)
    drawn = time.perf_counter()
    response = _render("dashboard.html", i=insights, t=insights.totals, charts=charts, open_warning=how == "open",
                       logged_in=how == "cookie", low_confidence=LOW_CONFIDENCE,
                       metrics=("click", "add_to_cart", "order", "handoff", "rating"),
                       render_ms=(drawn - start) * 1000, query_ms=(queried - start) * 1000)
    done = time.perf_counter()
    response.headers["Server-Timing"] = (f"db;dur={(queried - start) * 1000:.1f}, charts;dur={(drawn - queried) * 1000:.1f}, "
                                         f"html;dur={(done - drawn) * 1000:.1f}")
    return response


@router.get("/data.json", summary="The dashboard's numbers as JSON")
def dashboard_data(request: Request, state: StateDep, days: Days = 30) -> JSONResponse:
    if access(request, state) is None:
        raise Unauthorized("missing or invalid API key", hint="send the header 'Authorization: Bearer <key>'")
    return JSONResponse(_insights(state, days).as_dict(), headers={"Cache-Control": "no-store"})


@router.post("/login", include_in_schema=False)
def login(request: Request, state: StateDep, key: Annotated[str, Form(max_length=512)] = "",
          days: Annotated[int, Form(ge=1, le=365)] = 30):
    keys = state.settings.serve.api_keys
    state.limiter.check(f"admin-login:{request.client.host if request.client else '?'}")  # slows key guessing
    if keys:
        try:
            check_api_key(f"Bearer {key}", keys)
        except Unauthorized:
            return _render("login.html", 401, error="That key is not valid.", days=days)
    response = RedirectResponse(f"/admin?days={days}", status_code=303, headers=HEADERS)
    if keys:
        expires = int(time.time()) + SESSION_HOURS * 3600
        response.set_cookie(COOKIE, session_token(state.analytics.secret, key, expires), max_age=SESSION_HOURS * 3600,
                            path="/admin", httponly=True, samesite="strict", secure=request.url.scheme == "https")
    return response


@router.post("/logout", include_in_schema=False)
def logout(request: Request) -> RedirectResponse:
    response = RedirectResponse("/admin", status_code=303, headers=HEADERS)
    response.delete_cookie(COOKIE, path="/admin", httponly=True, samesite="strict",
                           secure=request.url.scheme == "https")
    return response
