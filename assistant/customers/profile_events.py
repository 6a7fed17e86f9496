"""Checking one profile event (an order, a product view or a return) before it touches a profile: every
field, the customer's own history (no duplicate order id, no return of more than was bought) and a day
that is not in the future. A rejected event raises BadInput with the reason."""

from __future__ import annotations

import math
from datetime import date, datetime

from assistant.customers.profile_types import CustomerState
from data.errors import BadInput
from data.schema import Product

EVENT_TYPES = ("order", "view", "return")


def check_event(event, *, catalog: dict[str, Product], states: dict[str, CustomerState], today: date,
                as_of: date) -> tuple[str, str, Product, int, float, int, str | None]:
    """(type, user id, product, quantity, price, day ordinal, order id) of a well-formed event; BadInput,
    with the reason, for anything else. `states` are the profiles so far (an unknown id is a new shopper)."""
    if not isinstance(event, dict):
        raise BadInput("an event must be a JSON object", hint='e.g. {"type": "order", "user_id": "C0001", ...}')
    kind = event.get("type")
    if kind not in EVENT_TYPES:
        raise BadInput(f"event type {kind!r} is not one of {', '.join(EVENT_TYPES)}", hint="set type")
    user_id = event.get("user_id")
    if not isinstance(user_id, str) or not user_id:
        raise BadInput("an event needs a user_id", hint="guests have no profile to update")
    state = states.get(user_id) or CustomerState()  # only read here: order ids and units bought
    product = catalog.get(event.get("product_id")) if isinstance(event.get("product_id"), str) else None
    if product is None:
        raise BadInput(f"unknown product_id {event.get('product_id')!r}", hint="use an id from the catalog")
    quantity = event.get("quantity", 1)
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= 1000:
        raise BadInput(f"quantity must be a whole number from 1 to 1000, got {quantity!r}", hint="fix quantity")
    price = event.get("price", product.price)
    if kind == "order":
        if isinstance(price, bool) or not isinstance(price, (int, float)) or not math.isfinite(price) or price < 0:
            raise BadInput(f"price must be a number >= 0, got {price!r}", hint="negative amounts are refunds: send a return event")
    day = event_day(event.get("timestamp"), today=today, as_of=as_of)
    order_id = event.get("order_id")
    if kind == "order" and order_id is not None:
        if not isinstance(order_id, str) or order_id in state.order_ids:
            raise BadInput(f"duplicate or invalid order_id {order_id!r}", hint="each order is recorded once")
    if kind == "return" and state.bought[product.id] < quantity:
        raise BadInput(f"{user_id} has not bought {quantity} x {product.id} to return", hint="returns need a matching order")
    return kind, user_id, product, quantity, float(price or 0.0), day, order_id


def event_day(timestamp, *, today: date, as_of: date) -> int:
    """The event's day as a date ordinal: its ISO timestamp, or the later of today and the store clock."""
    if timestamp is None:
        return max(today, as_of).toordinal()
    if isinstance(timestamp, datetime):
        day = timestamp.date()
    elif isinstance(timestamp, date):
        day = timestamp
    elif isinstance(timestamp, str):
        try:
            day = datetime.fromisoformat(timestamp.replace("Z", "+00:00")).date()
        except ValueError:
            raise BadInput(f"timestamp {timestamp!r} is not an ISO date", hint="e.g. 2026-11-02T10:15:00Z") from None
    else:
        raise BadInput(f"timestamp {timestamp!r} is not an ISO date", hint="e.g. 2026-11-02T10:15:00Z")
    if day > max(today, as_of):
        raise BadInput(f"timestamp {day} is in the future", hint="send events when they happen")
    return day.toordinal()
