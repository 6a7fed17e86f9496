"""Errors a user can act on: each carries a message and a hint saying what to do.

Raised inside; translated once at each edge (CLI -> click error, HTTP -> status + JSON).
"""

from __future__ import annotations


class ShopAssistError(Exception):
    """Base error; ``hint`` tells the user the next step."""

    status_code = 500

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class BadInput(ShopAssistError):
    status_code = 400


class UnknownUser(ShopAssistError):
    status_code = 404


class CatalogError(ShopAssistError):
    """The catalog as a whole cannot be used (unreadable file, no valid rows)."""

    status_code = 422


class ModelUnavailable(ShopAssistError):
    status_code = 503


class Unauthorized(ShopAssistError):
    """Missing or invalid API key, or a site that may not embed the widget."""

    status_code = 401


class NotAGuestSession(ShopAssistError):
    """The widget (no key) tried to act for a signed-in customer's session."""

    status_code = 403


class UnknownSession(ShopAssistError):
    status_code = 404


class UnknownOrder(ShopAssistError):
    status_code = 404


class EventRejected(BadInput):
    """A shopper event that cannot be recorded (unknown reply, bad fields)."""

    status_code = 422


class RateLimited(ShopAssistError):
    """Over the per-minute limit; ``retry_after`` seconds until the next call is allowed."""

    status_code = 429

    def __init__(self, message: str, hint: str = "", *, retry_after: int = 60) -> None:
        super().__init__(message, hint)
        self.retry_after = retry_after


class Overloaded(ShopAssistError):
    """As many turns as the server takes at once are in flight; ``retry_after`` seconds is a fair wait."""

    status_code = 503

    def __init__(self, message: str, hint: str = "", *, retry_after: int = 1) -> None:
        super().__init__(message, hint)
        self.retry_after = retry_after


class StoreUnavailable(ShopAssistError):
    """The database or the vector index cannot be reached (a server restarting): nothing was changed by the
    failed call, and the next one reconnects by itself; ``retry_after`` seconds is a fair wait."""

    status_code = 503

    def __init__(self, message: str, hint: str = "retry in a few seconds", *, retry_after: int = 2) -> None:
        super().__init__(message, hint)
        self.retry_after = retry_after


class TurnError(ShopAssistError):
    """The server answered one turn with an error: that case fails, the run goes on."""
