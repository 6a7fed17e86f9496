"""Customer profiles from order history: who the customer is, in a form safe for a prompt.

`ProfileBook.view(user_id)` returns a `CustomerView`: segment, top categories and brands,
price band. No names, e-mails or raw orders ever leave this module.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from statistics import quantiles

from assistant.errors import UnknownUser
from assistant.types import CustomerView, Product
from data.load import load_customers, load_orders
from data.schema import Customer, OrderLine

GUEST = CustomerView(user_id=None, segment="guest")


@dataclass(frozen=True)
class ProfileConfig:
    new_days: int = 60  # first order within this many days -> "new"
    lapsed_days: int = 180  # no order for this long -> "lapsed"
    at_risk_factor: float = 2.5  # silent for this many usual gaps -> "at_risk"
    loyal_orders: int = 8  # this many orders and still active -> "loyal"

    def __post_init__(self) -> None:
        if not 0 < self.new_days < self.lapsed_days:
            raise ValueError("need 0 < new_days < lapsed_days")


class ProfileBook:
    def __init__(self, customers: list[Customer], orders: list[OrderLine], catalog: dict[str, Product],
                 *, as_of: date | None = None, config: ProfileConfig = ProfileConfig()) -> None:
        self.customers = {c.customer_id: c for c in customers}
        self.orders: dict[str, list[OrderLine]] = defaultdict(list)
        for line in orders:
            self.orders[line.customer_id].append(line)
        self.catalog = catalog
        # The store's clock: the day after its last order, so the demo does not age.
        self.as_of = as_of or max((o.date for o in orders), default=date.today())
        self.config = config

    def __contains__(self, user_id: str) -> bool:
        return user_id in self.customers

    def view(self, user_id: str | None) -> CustomerView:
        if user_id is None:
            return GUEST
        if user_id not in self.customers:
            raise UnknownUser(f"unknown customer id {user_id!r}", hint="use an id from customers.csv (e.g. C0001) or omit --user to chat as a guest")
        lines = [o for o in self.orders.get(user_id, []) if o.status != "cancelled"]
        if not lines:
            return CustomerView(user_id=user_id, segment="new", reasons=("no orders yet",))
        order_days = sorted({o.date for o in lines})
        recency = (self.as_of - order_days[-1]).days
        tenure = (self.as_of - order_days[0]).days
        gaps = [(b - a).days for a, b in zip(order_days, order_days[1:])]
        usual_gap = sorted(gaps)[len(gaps) // 2] if gaps else None
        categories, brands = Counter(), Counter()
        prices = []
        for line in lines:
            product = self.catalog.get(line.product_id)
            if product:
                categories[product.category] += line.quantity
                brands[product.brand] += line.quantity
            prices.append(line.unit_price)
        segment, reason = self._segment(len(order_days), recency, tenure, usual_gap)
        band = (min(prices), max(prices)) if len(prices) < 4 else tuple(quantiles(prices, n=4)[::2])
        return CustomerView(
            user_id=user_id,
            segment=segment,
            orders=len(order_days),
            days_since_last_order=recency,
            top_categories=tuple(c for c, _ in categories.most_common(3)),
            top_brands=tuple(b for b, _ in brands.most_common(2)),
            price_band=(round(band[0], 2), round(band[1], 2)),
            reasons=(reason,),
        )

    def _segment(self, n_orders: int, recency: int, tenure: int, usual_gap: int | None) -> tuple[str, str]:
        c = self.config
        if recency >= c.lapsed_days:
            return "lapsed", f"no order for {recency} days"
        if tenure <= c.new_days:
            return "new", f"first order {tenure} days ago"
        if usual_gap and recency > c.at_risk_factor * usual_gap:
            return "at_risk", f"no order for {recency} days, usually orders every {usual_gap} days"
        if n_orders >= c.loyal_orders:
            return "loyal", f"{n_orders} orders, last one {recency} days ago"
        return "active", f"{n_orders} orders, last one {recency} days ago"


def load_profile_book(store_dir: Path, catalog: dict[str, Product]) -> ProfileBook:
    customers = load_customers(store_dir / "customers.csv")
    orders = load_orders(store_dir / "orders.csv")
    return ProfileBook(customers.records, orders.records, catalog)
