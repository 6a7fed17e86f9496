"""The embeddable widget: `GET /widget.js` and its chat stream `POST /widget/chat`.

A store adds one line to its pages:

    <script src="https://assistant.example.com/widget.js" data-title="Ask us"></script>

The widget chats as a guest (no API key in the page); only origins in
`SHOPASSIST_SERVE__CORS_ORIGINS` may call it, and calls are rate-limited per client address.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, StreamingResponse
from pydantic import BaseModel, Field

from assistant.errors import ShopAssistError
from assistant.types import IntentDetected, Products, Token
from ui.deps import StateDep
from ui.routes.chat import product_card
from ui.security import Unauthorized
from ui.service import Accepted, Finished

router = APIRouter(tags=["widget"])
WIDGET_JS = Path(__file__).resolve().parent.parent / "widget" / "widget.js"


class WidgetMessage(BaseModel):
    message: str = Field(min_length=1, max_length=20_000)
    session_id: str | None = Field(None, min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_\-]+$")


def origin_allowed(request: Request, allowed: list[str]) -> bool:
    origin = request.headers.get("origin")
    if origin is None or "*" in allowed or origin in allowed:
        return True
    return origin.rstrip("/") == str(request.base_url).rstrip("/")  # the server's own pages


@router.get("/widget.js", include_in_schema=False)
def widget_js() -> FileResponse:
    return FileResponse(WIDGET_JS, media_type="application/javascript", headers={"Cache-Control": "max-age=300"})


def widget_events(events: Iterator) -> Iterator[str]:
    def line(data: dict) -> str:
        return f"data: {json.dumps(data)}\n\n"

    try:
        for event in events:
            if isinstance(event, Accepted):
                yield line({"type": "session", "session_id": event.session_id})
            elif isinstance(event, IntentDetected):
                yield line({"type": "intent", "label": event.intent.label})
            elif isinstance(event, Products):
                yield line({"type": "products", "products": [product_card(h).model_dump() for h in event.hits]})
            elif isinstance(event, Token):
                yield line({"type": "token", "text": event.text})
            elif isinstance(event, Finished):
                yield line({"type": "done", "text": event.text, "handoff": event.handoff, "blocked": event.blocked})
    except ShopAssistError as exc:
        yield line({"type": "error", "message": exc.message})
    except Exception:
        import logging

        logging.getLogger(__name__).exception("widget stream failed")
        yield line({"type": "error", "message": "internal error"})


@router.post("/widget/chat", include_in_schema=False)
def widget_chat(body: WidgetMessage, request: Request, state: StateDep) -> StreamingResponse:
    if not origin_allowed(request, state.settings.serve.cors_origins):
        raise Unauthorized("this site may not embed the assistant", hint="add its origin to SHOPASSIST_SERVE__CORS_ORIGINS")
    state.limiter.check(f"widget:{request.client.host if request.client else '?'}")
    events = state.chat.turn(body.message, user_id=None, session_id=body.session_id, channel="widget")
    first = next(events)  # stored before streaming; validation errors get a real status
    return StreamingResponse(widget_events(_chain(first, events)),
                             media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


def _chain(first, rest: Iterator) -> Iterator:
    yield first
    yield from rest
