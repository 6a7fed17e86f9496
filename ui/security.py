"""The API's guard rails: bearer keys, per-key rate limits, body size limits, PII-free logs.

Errors leave as OpenAI's ``{"error": {...}}`` with a real status and never a stack trace.
"""

from __future__ import annotations

import hmac
import logging
import threading
import time
from collections import defaultdict, deque

from starlette.types import ASGIApp, Receive, Scope, Send

from assistant.safety.redact import redact
from data.errors import RateLimited, Unauthorized
from ui.protocol import error_body

log = logging.getLogger(__name__)


_installed = False


def install_log_redaction() -> None:
    """Redact every log record of the process (ours, uvicorn's, libraries'), once."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        try:
            record.msg, record.args = redact(record.getMessage()), ()
        except Exception:  # a malformed record is logged as it is rather than lost
            pass
        return record

    logging.setLogRecordFactory(factory)
    _installed = True


def check_api_key(authorization: str | None, keys: list[str]) -> str:
    """The caller's key (or "anonymous" when no keys are configured); Unauthorized otherwise."""
    if not keys:
        return "anonymous"
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("missing API key", hint="send the header 'Authorization: Bearer <key>'")
    for key in keys:
        if hmac.compare_digest(token.encode(), key.encode()):
            return key
    raise Unauthorized("invalid API key", hint="use a key listed in SHOPASSIST_SERVE__API_KEYS")


class RateLimiter:
    """Sliding one-minute window per caller (API key or client address)."""

    def __init__(self, per_minute: int, *, window_s: float = 60.0) -> None:
        self.per_minute = per_minute
        self.window_s = window_s
        self.calls: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def check(self, caller: str) -> None:
        if self.per_minute <= 0:
            return
        now = time.monotonic()
        with self._lock:
            calls = self.calls[caller]
            while calls and now - calls[0] > self.window_s:
                calls.popleft()
            if len(calls) >= self.per_minute:
                retry = int(self.window_s - (now - calls[0])) + 1
                raise RateLimited(f"rate limit of {self.per_minute} requests per minute reached",
                                  hint=f"retry in {retry} s or ask for a higher limit", retry_after=retry)
            calls.append(now)


class SharedRateLimiter:
    """The same limit as `RateLimiter`, counted in the database every replica shares, so N replicas behind one
    load balancer still allow `per_minute`, not N times it. Counts per whole minute, weighted as a sliding window
    (last minute's count times the part of it still inside the window); callers are stored hashed."""

    def __init__(self, engine, per_minute: int) -> None:
        self.engine = engine
        self.per_minute = per_minute

    def check(self, caller: str) -> None:
        import hashlib

        from assistant.database import count_request

        if self.per_minute <= 0:
            return
        now = time.time()
        minute, into = divmod(now, 60.0)
        key = hashlib.sha256(caller.encode()).hexdigest()[:32]
        this_minute, last_minute = count_request(self.engine, key, int(minute))
        if this_minute + last_minute * (1 - into / 60.0) > self.per_minute:
            retry = max(1, int(60 - into) + 1)
            raise RateLimited(f"rate limit of {self.per_minute} requests per minute reached",
                              hint=f"retry in {retry} s or ask for a higher limit", retry_after=retry)


class BodySizeLimit:
    """ASGI middleware: 413 for bodies over `max_bytes`, declared or streamed, before the app reads them."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            return await self._refuse(send)
        seen = 0

        async def limited_receive():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise _TooLarge
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _TooLarge:
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        import json

        body = json.dumps(error_body(f"request body over {self.max_bytes} bytes", "request_too_large", 413,
                                     "send a shorter message")).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    """Internal: unwinds the app once a streamed body passes the limit (answered with 413, never shown)."""
