"""Request dependencies: the loaded app state and the API key check, as `Annotated` aliases."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Header, Request

from assistant.analytics.events import EventLog
from assistant.deps import Deps
from assistant.history import ConversationStore
from assistant.metrics import Metrics
from assistant.orders import OrderBook
from assistant.settings import Settings
from assistant.turn import TurnService
from ui.security import RateLimiter, SharedRateLimiter, check_api_key


@dataclass
class AppState:
    settings: Settings
    deps: Deps
    store: ConversationStore
    metrics: Metrics
    limiter: RateLimiter | SharedRateLimiter
    chat: TurnService
    analytics: EventLog
    orders: OrderBook
    warming: threading.Event = field(default_factory=threading.Event)  # set while the first turn warms up (/readyz)


def get_state(request: Request) -> AppState:
    return request.app.state.shopassist


def require_key(request: Request, authorization: Annotated[str | None, Header(include_in_schema=False)] = None) -> str:
    """The caller's API key, rate-limited; 401 without a valid key, 429 over the limit."""
    state = get_state(request)
    key = check_api_key(authorization, state.settings.serve.api_keys)
    caller = key if key != "anonymous" else f"ip:{request.client.host if request.client else '?'}"
    try:
        state.limiter.check(caller)
    except Exception:
        state.metrics.rate_limited.inc()
        raise
    return key


StateDep = Annotated[AppState, Depends(get_state)]
ApiKeyDep = Annotated[str, Depends(require_key)]
