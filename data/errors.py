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
