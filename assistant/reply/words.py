"""How facts are written in replies: dates, prices and lists, the same way everywhere."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from data.schema import Product


def day(when: date) -> str:
    """"October 23, 2026": a shopper reads it at a glance, and "October 23" is in it."""
    return f"{when:%B} {when.day}, {when.year}"


def money(amount: float) -> str:
    return f"${amount:,.2f}"


def listing(items: Sequence[str]) -> str:
    """"A", "A and B", "A, B and C"."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def priced(product: Product) -> str:
    """"the Sonora Summit 100 Over-ear Headphones ($64.99)"."""
    return f"the {product.title}" + (f" ({money(product.price)})" if product.price is not None else "")


def stock_words(product: Product) -> str:
    if product.stock is None:
        return "I don't have stock information for it"
    return "in stock" if product.stock > 0 else "out of stock at the moment"
