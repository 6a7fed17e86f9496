"""The embeddable widget: `GET /widget.js`, its chat stream `POST /widget/chat` and `POST /widget/event`.

A store adds one line to its pages:

    <script src="https://assistant.example.com/widget.js" data-title="Ask us"></script>

The widget chats as a guest (no API key in the page); only origins in
`SHOPASSIST_SERVE__CORS_ORIGINS` may call it, and calls are rate-limited per client address.
It reports what the shopper does with a reply (card clicks, "Add to cart", thumbs up/down) to
`/widget/event`, credited to its own guest session only: a page cannot write events for a
signed-in customer's session.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, StreamingResponse
from pydantic import BaseModel, Field

from assistant.turn import Accepted, Finished
from assistant.types import IntentDetected, Products, Token
from data.errors import EventRejected, NotAGuestSession, ShopAssistError, Unauthorized, UnknownSession
from ui.deps import StateDep
from ui.protocol import EventResponse, sse
from ui.routes.chat import accepted, product_card

router = APIRouter(tags=["widget"])
WIDGET_JS = Path(__file__).resolve().parent.parent / "widget" / "widget.js"


class WidgetMessage(BaseModel):
    message: str = Field(min_length=1, max_length=20_000)
    session_id: str | None = Field(None, min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_\-]+$")


class WidgetEvent(BaseModel):
    """What the shopper did with a reply: clicked a card, added its product to the cart, rated it."""

    session_id: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_\-]+$")
    type: Literal["click", "add_to_cart", "rating"]
    product_id: str | None = Field(None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    reply_id: int | None = Field(None, ge=1)
    value: Literal[1, -1] | None = None


def origin_allowed(request: Request, allowed: list[str]) -> bool:
    origin = request.headers.get("origin")
    if origin is None or "*" in allowed or origin in allowed:
        return True
    return origin.rstrip("/") == str(request.base_url).rstrip("/")  # the server's own pages


@router.get("/widget.js", include_in_schema=False)
def widget_js() -> FileResponse:
    return FileResponse(WIDGET_JS, media_type="application/javascript", headers={"Cache-Control": "max-age=300"})


def widget_events(events: Iterator) -> Iterator[str]:
    """The widget's own stream protocol (widget.js reads it): one typed event per SSE line."""
    try:
        for event in events:
            if isinstance(event, Accepted):
                yield sse({"type": "session", "session_id": event.session_id})
            elif isinstance(event, IntentDetected):
                yield sse({"type": "intent", "label": event.intent.label})
            elif isinstance(event, Products):
                yield sse({"type": "products", "products": [product_card(h).model_dump() for h in event.hits]})
            elif isinstance(event, Token):
                yield sse({"type": "token", "text": event.text})
            elif isinstance(event, Finished):
                yield sse({"type": "done", "text": event.text, "handoff": event.handoff, "blocked": event.blocked,
                           "reply_id": event.reply_id})
    except ShopAssistError as exc:
        yield sse({"type": "error", "message": exc.message})
    except Exception:
        import logging

        logging.getLogger(__name__).exception("widget stream failed")
        yield sse({"type": "error", "message": "internal error"})


def check_caller(request: Request, state) -> None:
    """The page's origin may embed the widget, and this client is under its rate limit."""
    if not origin_allowed(request, state.settings.serve.cors_origins):
        raise Unauthorized("this site may not embed the assistant", hint="add its origin to SHOPASSIST_SERVE__CORS_ORIGINS")
    state.limiter.check(f"widget:{request.client.host if request.client else '?'}")


@router.post("/widget/chat", include_in_schema=False)
def widget_chat(body: WidgetMessage, request: Request, state: StateDep) -> StreamingResponse:
    check_caller(request, state)
    events = state.chat.turn(body.message, user_id=None, session_id=body.session_id, channel="widget")
    first = accepted(events)  # stored before streaming; validation errors get a real status
    return StreamingResponse(widget_events(_chain(first, events)),
                             media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


def _chain(first, rest: Iterator) -> Iterator:
    yield first
    yield from rest


def guest_session(store, session_id: str) -> None:
    """The session exists and is a guest's: the widget has no key, so it may not act for a customer."""
    exists, owner = store.session_owner(session_id)
    if not exists:
        raise UnknownSession(f"unknown session {session_id!r}", hint="send a chat message first; its reply names the session")
    if owner is not None:
        raise NotAGuestSession("this session belongs to a signed-in customer",
                               hint="report its events from the store backend with POST /v1/events and an API key")


@router.post("/widget/event", include_in_schema=False, status_code=202, response_model=EventResponse)
def widget_event(body: WidgetEvent, request: Request, state: StateDep) -> EventResponse:
    """Record a card click, add-to-cart or thumbs up/down from the widget (channel "widget")."""
    check_caller(request, state)
    guest_session(state.store, body.session_id)
    if body.reply_id is not None and not any(m.id == body.reply_id and m.role == "assistant"
                                             for m in state.store.messages(body.session_id)):
        raise EventRejected(f"reply {body.reply_id} is not a reply in this session", hint="rate a reply of this chat")
    event = {**body.model_dump(exclude_none=True), "channel": "widget"}
    _, rejected = state.analytics.record_many([event])
    if rejected:
        raise EventRejected(rejected[0].reason, hint="see the widget's event format in ui/routes/widget.py")
    return EventResponse()
