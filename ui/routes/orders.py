"""Orders for support tooling: a customer's orders and the actions the assistant took on them (read-only).

    curl -H "Authorization: Bearer $KEY" localhost:7860/v1/users/C0114/orders
    curl -H "Authorization: Bearer $KEY" localhost:7860/v1/orders/O00856
    curl -H "Authorization: Bearer $KEY" localhost:7860/v1/users/C0114/actions

Actions are taken by the assistant in conversation, never through these endpoints.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, Path, Query

from assistant.orders import Order, OrderAction
from data.errors import UnknownOrder
from ui.deps import ApiKeyDep, StateDep
from ui.protocol import ActionList, OrderActionPublic, OrderItemPublic, OrderList, OrderPublic
from ui.routes.users import UserId

router = APIRouter(prefix="/v1", tags=["orders"])
OrderId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]
CUSTOMER_ACTIONS = 10_000  # every action of one customer, fetched in one query for the order list


def action_public(action: OrderAction) -> OrderActionPublic:
    return OrderActionPublic(**dataclasses.asdict(action))


def order_public(order: Order, actions: list[OrderAction]) -> OrderPublic:
    return OrderPublic(order_id=order.order_id, customer_id=order.customer_id, placed_on=order.placed_on.isoformat(),
                       status=order.status, address=order.address, total=order.total, updated_at=order.updated_at,
                       items=[OrderItemPublic(**dataclasses.asdict(item)) for item in order.items],
                       actions=[action_public(a) for a in actions])


@router.get("/users/{user_id}/orders", response_model=OrderList)
def customer_orders(user_id: UserId, state: StateDep, _key: ApiKeyDep) -> OrderList:
    """The customer's orders, newest first, each with its actions; an unknown customer has none."""
    by_order: dict[str, list[OrderAction]] = {}
    for action in state.orders.actions(customer_id=user_id, limit=CUSTOMER_ACTIONS):
        by_order.setdefault(action.order_id, []).append(action)
    return OrderList(orders=[order_public(o, by_order.get(o.order_id, [])) for o in state.orders.orders_of(user_id)])


@router.get("/orders/{order_id}", response_model=OrderPublic)
def order(order_id: OrderId, state: StateDep, _key: ApiKeyDep) -> OrderPublic:
    found = state.orders.get(order_id)
    if found is None:
        raise UnknownOrder(f"unknown order id {order_id!r}",
                           hint="list the customer's orders with GET /v1/users/{user_id}/orders")
    return order_public(found, state.orders.actions(order_id=order_id))


@router.get("/users/{user_id}/actions", response_model=ActionList)
def customer_actions(user_id: UserId, state: StateDep, _key: ApiKeyDep,
                     limit: Annotated[int, Query(ge=1, le=500)] = 200) -> ActionList:
    """What the assistant did to the customer's orders, newest first."""
    return ActionList(actions=[action_public(a) for a in state.orders.actions(customer_id=user_id, limit=limit)])
