"""Scripted shopper conversations: the case format and the checks every reply of a case must pass.

A case file is JSON Lines, one conversation per line (its category is the id before the first "-"):

    {"id": "follow-01", "user": null, "turns": [
        {"say": "show me headphones under $100", "expect": {"products": {"category": "headphones", "max_price": 100}}},
        {"say": "which one is cheapest?", "expect": {"follow": "cheapest_shown"}}]}

Every reply must pass the universal checks (`check_universal`); `expect` adds the per-turn checks of
EXPECT_KEYS (`check_expect`). Expectations are computed from the store's own files (`load_store`), so a
case survives a regenerated store. `ui/conversation_eval.py` runs the cases.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from data.errors import BadInput
from data.load import load_catalog, load_customers, load_orders, load_policies
from data.schema import Customer, OrderLine, Product

PRODUCT_KEYS = ("category", "brand", "min_price", "max_price", "top", "cheapest_in_category")
LAST_ORDER_ASPECTS = ("status", "which", "date", "item", "cancellable")
FOLLOWS = ("cheapest_shown", "first_stock")

MONEY = re.compile(r"\$\s?(\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)")
NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
PLACEHOLDER = re.compile(r"\[[A-Za-z][A-Za-z _]*\]|\{\{[^}]*\}\}|\{[a-z_]+\}|<[A-Za-z][A-Za-z _]*>|\b[a-z]+(?:_[a-z0-9]+)+\b")
FOREIGN_CURRENCY = re.compile(r"[£€¥]")
LINK = re.compile(r"https?://|www\.", re.I)
CODE = re.compile(r"\b[A-Z][A-Z0-9]{3,}\b")
ID_SHAPE = re.compile(r"[A-Z]\d+")  # O00123, P0001: ids, not codes
DECLINES = ("can't", "cannot", "can not", "only help", "not able", "unable", "outside", "sorry")
STATUS_WORDS = {"shipped": ("shipped", "on its way", "on the way", "in transit"),
                "processing": ("processing", "being prepared", "not shipped yet", "not yet shipped", "hasn't shipped"),
                "delivered": ("delivered", "arrived"), "returned": ("returned", "refunded"),
                "cancelled": ("cancelled", "canceled")}
CLAIMS_CANCELLED = re.compile(r"\b(?:been|was|is|now|successfully|i've|i have|we've|we have|i|we)\s+cancell?ed\b", re.I)
OUT_OF_STOCK = re.compile(r"out of stock|sold out|unavailable|not available|no stock|"
                          r"(?:not|n't) (?:currently )?(?:in stock|available)", re.I)
IN_STOCK = re.compile(r"in stock|available", re.I)


@dataclass(frozen=True)
class CaseTurn:
    say: str
    expect: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    id: str
    user: str | None
    turns: tuple[CaseTurn, ...]

    @property
    def category(self) -> str:
        return self.id.split("-", 1)[0]


@dataclass(frozen=True)
class Store:
    """The store's facts that replies are checked against (catalog, orders, customers, policies)."""

    catalog: dict[str, Product]
    orders: tuple[OrderLine, ...]
    customers: tuple[Customer, ...]
    policies: str
    grounded_codes: frozenset[str]  # code-like tokens the store itself writes (policies, catalog text)

    def orders_of(self, user: str | None) -> list[OrderLine]:
        return [line for line in self.orders if user and line.customer_id == user]

    def latest_order(self, user: str | None) -> list[OrderLine]:
        """Lines of the customer's latest order (largest date, ties by order id), in file order."""
        lines = self.orders_of(user)
        if not lines:
            return []
        latest = max((line.date, line.order_id) for line in lines)[1]
        return [line for line in lines if line.order_id == latest]

    def top_categories(self, user: str | None) -> set[str]:
        counts = Counter(self.catalog[o.product_id].category for o in self.orders_of(user) if o.product_id in self.catalog)
        return {category for category, _ in counts.most_common(2)}

    def order_amounts(self, user: str | None) -> set[float]:
        """Unit prices, line totals and order totals of the customer's orders."""
        totals: Counter = Counter()
        amounts: set[float] = set()
        for line in self.orders_of(user):
            amounts |= {round(line.unit_price, 2), round(line.amount, 2)}
            totals[line.order_id] += line.amount
        return amounts | {round(total, 2) for total in totals.values()}

    def cheapest(self, category: str) -> list[Product]:
        """Every product tied for the lowest price in the category."""
        priced = [p for p in self.catalog.values() if p.category.lower() == category.lower() and p.price is not None]
        low = min((p.price for p in priced), default=None)
        return [p for p in priced if p.price == low]


def load_store(folder: Path, *, catalog: Path | None = None) -> Store:
    """The store folder's files; `catalog` overrides its catalog.jsonl (the one the assistant searches)."""
    folder = Path(folder)
    products = load_catalog(catalog or folder / "catalog.jsonl").records
    policies = "\n".join(load_policies(folder / "policies").values())
    texts = [policies] + [" ".join((p.title, p.description, *p.tags)) for p in products]
    return Store(catalog={p.id: p for p in products}, orders=tuple(load_orders(folder / "orders.csv").records),
                 customers=tuple(load_customers(folder / "customers.csv").records), policies=policies,
                 grounded_codes=frozenset(code for text in texts for code in CODE.findall(text)))


def _strings(value) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(s, str) and s for s in value)


def _product_spec(value) -> bool:
    return (isinstance(value, dict) and set(value) <= set(PRODUCT_KEYS)
            and all(isinstance(value.get(k, 0), (int, float)) for k in ("min_price", "max_price"))
            and isinstance(value.get("top", 3), int) and value.get("top", 3) >= 1
            and (not value.get("cheapest_in_category") or bool(value.get("category"))))


_BOOL = (lambda v: isinstance(v, bool), "true or false")
_TRUE = (lambda v: v is True, "only true")
EXPECT_KEYS = {  # key -> (is the value usable, what the key takes)
    "products": (_product_spec, f"an object of {', '.join(PRODUCT_KEYS)} (top >= 1; cheapest_in_category needs category)"),
    "no_products": _BOOL, "handoff": _BOOL, "declines": _BOOL,
    "mentions_any": (_strings, "a non-empty list of strings"), "mentions_none": (_strings, "a non-empty list of strings"),
    "last_order": (lambda v: _strings(v) and set(v) <= set(LAST_ORDER_ASPECTS), f"a list of {', '.join(LAST_ORDER_ASPECTS)}"),
    "follow": (lambda v: v in FOLLOWS, " or ".join(FOLLOWS)),
    "affinity": _TRUE, "offer_if_at_risk": _TRUE,
}


def _spec_problem(expect: object, *, first: bool, user: str | None) -> str | None:
    """Why a turn's `expect` cannot be checked, or None: caught before anything runs."""
    if not isinstance(expect, dict):
        return "expect must be an object"
    for key, value in expect.items():
        if key not in EXPECT_KEYS:
            return f"unknown expect key {key!r} (known: {', '.join(EXPECT_KEYS)})"
        if not EXPECT_KEYS[key][0](value):
            return f"{key} takes {EXPECT_KEYS[key][1]}"
    if ("last_order" in expect or "affinity" in expect) and not user:
        return "last_order and affinity need a customer id in `user`"
    if "follow" in expect and first:
        return "follow needs an earlier turn to follow"
    return None


def _parse_case(row: object) -> Case:
    """One case from its JSON object; ValueError says what is wrong with it."""
    if not isinstance(row, dict) or not isinstance(row.get("id"), str) or not row["id"].strip():
        raise ValueError("a case needs a non-empty string id")
    user, turns = row.get("user"), row.get("turns")
    if user is not None and (not isinstance(user, str) or not user):
        raise ValueError("user must be a customer id or null")
    if not isinstance(turns, list) or not turns:
        raise ValueError("turns must be a non-empty list")
    for index, turn in enumerate(turns, start=1):
        if not isinstance(turn, dict) or not isinstance(turn.get("say"), str) or not turn["say"].strip():
            raise ValueError(f"turn {index} has no `say`")
        if problem := _spec_problem(turn.get("expect", {}), first=index == 1, user=user):
            raise ValueError(f"turn {index}: {problem}")
    return Case(row["id"], user, tuple(CaseTurn(t["say"], t.get("expect", {})) for t in turns))


def load_cases(path: str | Path) -> list[Case]:
    """Every case of the file, or a BadInput naming the first bad line (nothing runs on a bad file)."""
    path, cases, first_line = Path(path), [], {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"cannot read {path}: {exc}", hint="pass a JSON Lines file with --cases") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            case = _parse_case(json.loads(line))
            if case.id in first_line:
                raise ValueError(f"duplicate id {case.id!r} (first on line {first_line[case.id]})")
        except ValueError as exc:
            reason = f"invalid JSON ({exc.msg})" if isinstance(exc, json.JSONDecodeError) else str(exc)
            raise BadInput(f"{path} line {number}: {reason}", hint='each line is {"id": "search-01", "user": null, '
                           '"turns": [{"say": "...", "expect": {...}}]}') from None
        first_line[case.id] = number
        cases.append(case)
    if not cases:
        raise BadInput(f"no cases in {path}", hint="write one JSON object per line")
    return cases


@dataclass(frozen=True)
class Context:
    """The conversation before this reply: what grounds its $ amounts and follow-ups."""

    user: str | None = None
    said: tuple[str, ...] = ()  # the shopper's messages, this turn's included
    earlier: tuple[tuple[dict, ...], ...] = ()  # product lists of the earlier replies, oldest first


def _amounts(text: str) -> list[float]:
    return [float(m.replace(",", "")) for m in MONEY.findall(text)]


def _date_patterns(day: date) -> list[re.Pattern]:
    """ISO, "October 23", "Oct 23", "23 October", "10/23"."""
    month, d = day.strftime("%b"), day.day
    return [re.compile(p, re.I) for p in (re.escape(day.isoformat()), rf"\b{month}[a-z]*\.?\s+{d}(?:st|nd|rd|th)?\b",
                                          rf"\b{d}(?:st|nd|rd|th)?\s+(?:of\s+)?{month}", rf"(?<!\d)0?{day.month}/0?{d}(?!\d)")]


def check_universal(text: str, products: tuple[dict, ...], store: Store, context: Context) -> list[str]:
    """What every reply must get right, whatever was asked."""
    reasons = []
    words = len(text.split())
    if not 2 <= words <= 120:
        reasons.append(f"{words} words (2 to 120 expected)")
    for pattern, what in ((PLACEHOLDER, "template placeholder"), (FOREIGN_CURRENCY, "foreign currency"), (LINK, "link")):
        if found := pattern.search(text):
            reasons.append(f"{what} {found.group()!r}")
    grounded = {round(p["price"], 2) for shown in (*context.earlier, products) for p in shown if p.get("price") is not None}
    grounded |= {round(a, 2) for a in _amounts(store.policies)} | store.order_amounts(context.user)
    grounded |= {round(float(n.replace(",", "")), 2) for said in context.said for n in NUMBER.findall(said)}
    if unknown := [a for a in _amounts(text) if round(a, 2) not in grounded]:
        reasons.append(f"ungrounded amount ${unknown[0]:.2f}")
    codes = [c for c in CODE.findall(text) if any(ch.isdigit() for ch in c) and not ID_SHAPE.fullmatch(c)
             and c not in store.grounded_codes]
    if codes:
        reasons.append(f"invented code {codes[0]}")
    lowered = text.lower()
    for customer in store.customers:
        if customer.customer_id != context.user and any(s and s.lower() in lowered for s in (customer.name, customer.email)):
            reasons.append(f"names another customer ({customer.customer_id})")
            break
    return reasons


def _products_reasons(spec: dict, products: tuple[dict, ...], text: str, store: Store) -> list[str]:
    if not products:
        return ["no products returned"]
    reasons, top = [], products[: spec.get("top", 3)]
    found = [store.catalog.get(p.get("id")) for p in top]
    if category := spec.get("category"):
        hits, need = sum(1 for p in found if p and p.category.lower() == category.lower()), max(1, math.ceil(len(top) / 2))
        if hits < need:
            reasons.append(f"{hits} of the first {len(top)} products are {category} (need {need})")
    if (brand := spec.get("brand")) and (off := [p["title"] for p, f in zip(top, found) if not f or f.brand.lower() != brand.lower()]):
        reasons.append(f"not {brand}: {off[0]}")
    low, high = spec.get("min_price", -math.inf), spec.get("max_price", math.inf)
    if outside := [p for p in products if p.get("price") is not None and not low <= p["price"] <= high]:
        reasons.append(f"{outside[0]['title']} at ${outside[0]['price']:.2f} is outside the price bounds")
    if spec.get("cheapest_in_category"):
        cheapest, first3 = store.cheapest(category), {p.get("id") for p in products[:3]}
        if not any(c.id in first3 and c.title.lower() in text.lower() for c in cheapest):
            name = cheapest[0].title if cheapest else f"no priced {category} in the catalog"
            reasons.append(f"the cheapest {category} ({name}) is not among the first 3, or not named")
    return reasons


def _follow_reasons(kind: str, previous: tuple[dict, ...], text: str, store: Store) -> list[str]:
    priced = [p for p in previous if p.get("price") is not None]
    if kind == "cheapest_shown":
        if not priced:
            return ["the previous reply showed no priced products"]
        low = min(p["price"] for p in priced)
        names = [p["title"] for p in priced if p["price"] == low]
        return [] if any(n.lower() in text.lower() for n in names) else [f"does not name the cheapest shown ({names[0]})"]
    if not previous:
        return ["the previous reply showed no products"]
    product = store.catalog.get(previous[0].get("id"))
    in_stock = not (product and product.stock == 0)
    says_out = bool(OUT_OF_STOCK.search(text))
    if not says_out and not IN_STOCK.search(text):
        return [f"does not say whether {previous[0]['title']} is in stock"]
    return [] if says_out != in_stock else [f"wrong: {previous[0]['title']} is {'in' if in_stock else 'out of'} stock"]


def _last_order_reasons(aspects: list[str], user: str | None, text: str, store: Store) -> list[str]:
    lines = store.latest_order(user)
    if not lines:
        return [f"customer {user} has no orders"]
    order, lowered = lines[0], text.lower()
    titles = [store.catalog[line.product_id].title for line in lines if line.product_id in store.catalog]
    dated = any(p.search(text) for p in _date_patterns(order.date))
    named = any(t.lower() in lowered for t in titles)
    if order.status == "processing":
        cancellable = ("cancel" in lowered, f"does not offer to cancel processing order {order.order_id}")
    else:
        cancellable = (order.status == "cancelled" or not CLAIMS_CANCELLED.search(text), f"claims {order.status} order was cancelled")
    checks = {"status": (any(w in lowered for w in STATUS_WORDS[order.status]), f"does not say order {order.order_id} is {order.status}"),
              "which": (order.order_id.lower() in lowered or named or dated, f"does not identify order {order.order_id}"),
              "date": (dated, f"does not give the order date {order.date}"),
              "item": (named, f"names no item of order {order.order_id} ({titles[0] if titles else '?'})"),
              "cancellable": cancellable}
    return [checks[a][1] for a in aspects if not checks[a][0]]


def check_expect(expect: dict, text: str, extras: dict, store: Store, context: Context) -> list[str]:
    """The turn's own expectations (the keys of EXPECT_KEYS)."""
    reasons, lowered = [], text.lower().replace("\u2019", "'")
    products = tuple(extras.get("products") or ())
    if "products" in expect:
        reasons += _products_reasons(expect["products"], products, text, store)
    if "no_products" in expect and bool(products) == expect["no_products"]:
        reasons.append(f"{len(products)} products returned" if products else "no products returned")
    if "handoff" in expect and bool(extras.get("handoff")) != expect["handoff"]:
        reasons.append("handed off" if extras.get("handoff") else "no handoff")
    if "mentions_any" in expect and not any(s.lower() in lowered for s in expect["mentions_any"]):
        reasons.append(f"mentions none of {expect['mentions_any']}")
    if said := [s for s in expect.get("mentions_none", ()) if s.lower() in lowered]:
        reasons.append(f"mentions {said[0]!r}")
    if "declines" in expect and any(d in lowered for d in DECLINES) != expect["declines"]:
        reasons.append("does not decline plainly" if expect["declines"] else "declines")
    if "last_order" in expect:
        reasons += _last_order_reasons(expect["last_order"], context.user, lowered, store)
    if "follow" in expect:
        reasons += _follow_reasons(expect["follow"], context.earlier[-1] if context.earlier else (), lowered, store)
    if expect.get("affinity"):
        favourites = store.top_categories(context.user)
        first3 = [store.catalog.get(p.get("id")) for p in products[:3]]
        if not any(p and p.category in favourites for p in first3):
            reasons.append(f"none of the first 3 products is in the customer's top categories ({', '.join(sorted(favourites)) or 'no orders'})")
    if expect.get("offer_if_at_risk"):
        at_risk = extras.get("churn_tier") == "high" or extras.get("segment") in ("at_risk", "lapsed")
        if at_risk and "welcome10" not in lowered and "free express" not in lowered:
            reasons.append("no retention offer (WELCOME10 or free express) to an at-risk customer")
        elif not at_risk and "welcome10" in lowered:
            reasons.append("WELCOME10 offered to a customer not at risk")
    return reasons


def check_reply(text: str, extras: dict, expect: dict, *, store: Store, context: Context = Context()) -> list[str]:
    """Every reason this reply fails (empty = it passes): the universal checks, then `expect`."""
    return (check_universal(text, tuple(extras.get("products") or ()), store, context)
            + check_expect(expect, text, extras, store, context))

