"""Row schemas of the store's data files, and the checks that turn a raw row into a record.

Catalog (`catalog.jsonl`, or CSV with the same columns; `tags` separated by `|` in CSV):
    id (str, required, unique) · title (str, required) · description (str) · category (str)
    brand (str) · price (number >= 0) · rating (0-5) · stock (int >= 0) · tags (list of str)
Customers (`customers.csv`): customer_id · name · email · city · signup_date (YYYY-MM-DD)
Orders (`orders.csv`, one line per order item):
    order_id · customer_id · date (YYYY-MM-DD) · product_id · quantity (int >= 1)
    unit_price (number >= 0) · status (processing, shipped, delivered, returned, cancelled)
Policies: one Markdown file per topic in `policies/` (shipping, returns, refunds, payment_methods, ...).

Each ``parse_*`` raises ``ValueError`` with a reason a person can act on; loaders turn that
into a report line and keep going.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Product:
    id: str
    title: str
    description: str
    category: str = ""
    brand: str = ""
    price: float | None = None
    rating: float | None = None
    stock: int | None = None
    tags: tuple[str, ...] = ()

    def text(self) -> str:
        """What gets embedded and keyword-indexed."""
        parts = [self.title, self.brand, self.category, " ".join(self.tags), self.description]
        return ". ".join(p for p in parts if p)


ORDER_STATUSES = ("processing", "shipped", "delivered", "returned", "cancelled")


@dataclass(frozen=True)
class Customer:
    customer_id: str
    name: str
    email: str
    city: str
    signup_date: date


@dataclass(frozen=True)
class OrderLine:
    order_id: str
    customer_id: str
    date: date
    product_id: str
    quantity: int
    unit_price: float
    status: str

    @property
    def amount(self) -> float:
        return self.quantity * self.unit_price


def _text(row: dict[str, Any], key: str, *, required: bool = False) -> str:
    value = row.get(key)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        value = ""
    value = str(value).strip()
    if required and not value:
        raise ValueError(f"missing {key}")
    return value


def _number(row: dict[str, Any], key: str, *, low: float | None = None, high: float | None = None):
    raw = row.get(key)
    if raw is None or raw == "" or (isinstance(raw, float) and math.isnan(raw)):
        return None
    try:
        value = float(str(raw).replace("$", "").replace(",", "").strip())
    except ValueError:
        raise ValueError(f"{key} is not a number: {raw!r}") from None
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"{key} is not a finite number: {raw!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{key} out of range [{low}, {high}]: {raw!r}")
    return value


def _date(row: dict[str, Any], key: str) -> date:
    raw = _text(row, key, required=True)
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        raise ValueError(f"{key} is not a YYYY-MM-DD date: {raw!r}") from None


def parse_product(row: dict[str, Any]) -> Product:
    title = _text(row, "title")
    description = _text(row, "description")
    if not title and not description:
        raise ValueError("no text: title and description are both empty")
    stock = _number(row, "stock", low=0)
    if stock is not None and stock != int(stock):
        raise ValueError(f"stock is not a whole number: {row.get('stock')!r}")
    tags = row.get("tags") or ()
    if isinstance(tags, str):
        tags = [t for t in tags.split("|")]
    return Product(
        id=_text(row, "id", required=True),
        title=title or description[:80],
        description=description,
        category=_text(row, "category"),
        brand=_text(row, "brand"),
        price=_number(row, "price", low=0),
        rating=_number(row, "rating", low=0, high=5),
        stock=None if stock is None else int(stock),
        tags=tuple(str(t).strip() for t in tags if str(t).strip()),
    )


def parse_customer(row: dict[str, Any]) -> Customer:
    return Customer(
        customer_id=_text(row, "customer_id", required=True),
        name=_text(row, "name"),
        email=_text(row, "email"),
        city=_text(row, "city"),
        signup_date=_date(row, "signup_date"),
    )


def parse_order_line(row: dict[str, Any]) -> OrderLine:
    quantity = _number(row, "quantity", low=1)
    if quantity is None or quantity != int(quantity):
        raise ValueError(f"quantity must be a whole number >= 1: {row.get('quantity')!r}")
    price = _number(row, "unit_price", low=0)
    if price is None:
        raise ValueError("missing unit_price")
    status = _text(row, "status", required=True).lower()
    if status not in ORDER_STATUSES:
        raise ValueError(f"status {status!r} is not one of {', '.join(ORDER_STATUSES)}")
    return OrderLine(
        order_id=_text(row, "order_id", required=True),
        customer_id=_text(row, "customer_id", required=True),
        date=_date(row, "date"),
        product_id=_text(row, "product_id", required=True),
        quantity=int(quantity),
        unit_price=price,
        status=status,
    )
