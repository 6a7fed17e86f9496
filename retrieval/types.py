"""What a search returns, and what it may know of the shopper it searches for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from data.schema import Product


@dataclass(frozen=True)
class Hit:
    product: Product
    score: float
    reasons: tuple[str, ...] = ()  # why it matched, in words a shopper understands


class Taste(Protocol):
    """The shopper's affinities a search may lean on (the assistant's `CustomerView` has them)."""

    top_categories: tuple[str, ...]
    top_brands: tuple[str, ...]
    price_band: tuple[float, float] | None
