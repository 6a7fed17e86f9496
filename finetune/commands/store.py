"""What a store's own files say that the command generator needs: its product types, brands, colours and
features, what its customers ordered, and its policy topics.

    facts = StoreFacts.load(Path("data/demo"))
    facts.types["trail runners"].category        # "shoes"
    facts.orders["C0044"][0].items[0].words      # "hiking boots"

Everything here is read from the store's catalog, orders, customers and policy folder, so another store
gets training data about its own things by pointing the generator at its folder.
"""

from __future__ import annotations

import csv
import re
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from data.load import load_catalog, load_policies
from data.schema import Product
from retrieval.constraints import product_type

# Colour names a shopper uses; a catalog tag that is one of them is a colour, any other tag a feature or a use.
COLOURS = frozenset(
    "black white grey gray navy blue red green yellow orange pink purple brown beige cream sand tan khaki olive "
    "burgundy maroon teal turquoise gold silver charcoal ivory coral mint lavender lilac rose "
    "sky blue|forest green|dark green|light blue|dark blue|royal blue|off white|rose gold|space grey".replace("|", " ").split()
) | {"sky blue", "forest green", "dark green", "light blue", "dark blue", "royal blue", "off white", "rose gold", "space grey"}
INTERNAL_TOPICS = frozenset({"retention_offers"})  # rules for the assistant itself, never asked about by shoppers


@dataclass(frozen=True)
class TypeFacts:
    name: str  # the store's product type, e.g. "trail runners"
    category: str
    products: tuple[Product, ...]
    brands: tuple[str, ...]
    colours: tuple[str, ...]
    features: tuple[str, ...]  # "noise cancellation", "30-hour battery"
    uses: tuple[str, ...]  # "long flights", "camping trips": what the products are described as built for
    prices: tuple[float, ...]

    @property
    def median_price(self) -> float:
        return statistics.median(self.prices) if self.prices else 50.0


@dataclass(frozen=True)
class OrderedItem:
    product_id: str
    title: str
    words: str  # how a shopper names it: its product type ("hiking boots")
    status: str


@dataclass(frozen=True)
class PastOrder:
    order_id: str
    placed_on: str
    status: str
    items: tuple[OrderedItem, ...]


@dataclass
class StoreFacts:
    products: dict[str, Product]
    types: dict[str, TypeFacts]
    categories: dict[str, tuple[str, ...]]  # category -> its types
    brands: dict[str, tuple[str, ...]]  # brand -> the types it makes
    orders: dict[str, list[PastOrder]]  # customer -> orders, newest first
    emails: dict[str, str]  # customer -> e-mail
    policies: dict[str, str]  # topic (file name) -> text, without the assistant's own rules
    interests: dict[str, str] = field(default_factory=dict)  # a use ("hiking") -> the category its products share

    @classmethod
    def load(cls, store: Path, catalog: Path | None = None) -> StoreFacts:
        products = {p.id: p for p in load_catalog(catalog or store / "catalog.jsonl").records}
        grouped: dict[str, list[Product]] = defaultdict(list)
        for p in products.values():
            grouped[product_type(p)].append(p)
        types = {name: _type_facts(name, items) for name, items in grouped.items() if name}
        categories: dict[str, list[str]] = defaultdict(list)
        brands: dict[str, set[str]] = defaultdict(set)
        for t in types.values():
            categories[t.category].append(t.name)
            for b in t.brands:
                brands[b].add(t.name)
        policies = {k: v for k, v in load_policies(store / "policies").items() if k not in INTERNAL_TOPICS}
        facts = cls(products=products, types=types, categories={c: tuple(ts) for c, ts in categories.items()},
                    brands={b: tuple(sorted(ts)) for b, ts in brands.items()}, orders=_orders(store, products),
                    emails=_emails(store), policies=policies)
        facts.interests = _interests(types)
        return facts

    def type_of(self, product: Product) -> TypeFacts:
        return self.types[product_type(product)]


def _words(text: str) -> str:
    return " ".join(text.lower().split())


def _type_facts(name: str, items: list[Product]) -> TypeFacts:
    colours, features, uses = [], [], []
    for p in items:
        for tag in p.tags[2:] if len(p.tags) > 2 else p.tags[1:]:
            tag = _words(tag)
            if tag in COLOURS:
                colours.append(tag)
            elif re.search(rf"\bfor\s+(?:[\w-]+\s+and\s+)?{re.escape(tag)}\b|\band\s+{re.escape(tag)}\b", p.description.lower()) \
                    and not re.search(rf"\bwith\s+(?:an?\s+)?{re.escape(tag)}", p.description.lower()):
                uses.append(tag)
            else:
                features.append(tag)
    unique = lambda xs: tuple(dict.fromkeys(xs))  # noqa: E731
    category = max({p.category for p in items}, key=[p.category for p in items].count)
    return TypeFacts(name, category, tuple(items), unique(p.brand for p in items if p.brand), unique(colours),
                     unique(features), unique(uses), tuple(p.price for p in items if p.price is not None))


def _orders(store: Path, products: dict[str, Product]) -> dict[str, list[PastOrder]]:
    path = store / "orders.csv"
    if not path.exists():
        return {}
    lines: dict[tuple[str, str], list[dict]] = defaultdict(list)
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            lines[row["customer_id"], row["order_id"]].append(row)
    orders: dict[str, list[PastOrder]] = defaultdict(list)
    for (customer, order_id), rows in lines.items():
        items = tuple(OrderedItem(r["product_id"], products[r["product_id"]].title if r["product_id"] in products else r["product_id"],
                                  product_type(products[r["product_id"]]) if r["product_id"] in products else "", r["status"])
                      for r in rows)
        orders[customer].append(PastOrder(order_id, rows[0]["date"], rows[0]["status"], items))
    for customer in orders:
        orders[customer].sort(key=lambda o: (o.placed_on, o.order_id), reverse=True)
    return dict(orders)


def _emails(store: Path) -> dict[str, str]:
    path = store / "customers.csv"
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {r["customer_id"]: r["email"] for r in csv.DictReader(handle) if r.get("email")}


def _interests(types: dict[str, TypeFacts]) -> dict[str, str]:
    """A use that the products of one category share ("yoga classes" -> fitness): a shopper's interest names it."""
    cats: dict[str, set[str]] = defaultdict(set)
    for t in types.values():
        for use in t.uses:
            cats[use].add(t.category)
    return {use: next(iter(c)) for use, c in cats.items() if len(c) == 1}
