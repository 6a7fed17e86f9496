"""Scripted shoppers: traffic that drives the real assistant so the experiment loop can be seen working.

    result = simulate(runner, record, customers, ShopperModel(offer_effect=0.15), sessions=200, seed=7)

Each simulated session picks a demo customer, sends one or two messages written from the
customer's own tastes (a search in a favourite category, an order question, a greeting), lets the
assistant answer, then decides, with the probabilities of `ShopperModel`, whether to click a card,
add it to the cart, order, and rate the reply, and posts those events like a store page would.
A known effect can be injected: a session whose reply made the `effect_offer` retention gesture
orders with `offer_effect` more probability, which the experiment report should then find.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from assistant.types import CustomerView
from data.schema import Product

if TYPE_CHECKING:
    from assistant.understand import Understander

SERVICE_MESSAGES = ("where is my order?", "how long does delivery take?", "can I return something I bought?",
                    "what payment methods do you accept?")
SEARCH_TEMPLATES = ("I'm looking for {category}", "show me your best {category}", "any good {category} under ${price}?",
                    "I need new {category}, what do you recommend?")
GREETINGS = ("hi there", "hello!")
PRICE_STEPS = (25, 50, 100, 200, 500, 1000)


@dataclass(frozen=True)
class ShopperModel:
    """How a scripted shopper reacts; the defaults are plausible e-commerce chat rates."""

    click: float = 0.35  # a card is clicked when products are shown
    favourite_click: float = 0.6  # ... when one of them is in the shopper's favourite categories
    cart_after_click: float = 0.4
    order_after_cart: float = 0.5
    base_order: float = 0.05  # orders anyway (came for something else)
    rate: float = 0.3  # share of replies the shopper rates
    thumbs_up: float = 0.75
    offer_effect: float = 0.0  # injected: extra order probability when the reply made `effect_offer`
    effect_offer: str = "code"
    second_turn: float = 0.4  # sessions with a second message


@dataclass(frozen=True)
class TurnResult:
    session_id: str
    intent: str
    products: tuple[str, ...]
    offer: str | None
    reply_id: int | None = None


@dataclass
class SimulationResult:
    sessions: int = 0
    turns: int = 0
    events: int = 0
    rejected: int = 0
    offers: int = 0
    by_intent: dict[str, int] = field(default_factory=dict)


Runner = Callable[[str, str | None, str], TurnResult]  # (customer id, session id or None, message) -> result
Recorder = Callable[[list[dict]], tuple[int, list]]  # client events -> (accepted, rejected)


def script_messages(view: CustomerView, rng: random.Random, categories: list[str], second_turn: float) -> list[str]:
    """One or two messages a customer like this would send."""
    def search() -> str:
        liked = list(view.top_categories) or categories
        category = rng.choice(liked)
        high = view.price_band[1] if view.price_band else rng.choice((50, 100, 200))
        price = next((p for p in PRICE_STEPS if p >= high), PRICE_STEPS[-1])  # shoppers say round numbers
        return rng.choice(SEARCH_TEMPLATES).format(category=category, price=price)

    roll = rng.random()
    first = search() if roll < 0.7 else rng.choice(SERVICE_MESSAGES) if roll < 0.9 else rng.choice(GREETINGS)
    messages = [first]
    if rng.random() < second_turn:
        messages.append(search() if first in GREETINGS or rng.random() < 0.6 else rng.choice(SERVICE_MESSAGES))
    return messages


def simulate(run: Runner, record: Recorder, views: Mapping[str, CustomerView], catalog: Mapping[str, Product],
             shopper: ShopperModel, *, sessions: int, seed: int, progress: bool = False) -> SimulationResult:
    from tqdm import tqdm

    rng = random.Random(seed)
    customers = sorted(views)
    categories = sorted({p.category for p in catalog.values() if p.category})
    result = SimulationResult()
    for _ in tqdm(range(sessions), desc="simulated sessions", disable=not progress, unit="session"):
        user_id = rng.choice(customers)
        view = views[user_id]
        session_id, events, offered, carted = None, [], False, False
        for message in script_messages(view, rng, categories, shopper.second_turn):
            turn = run(user_id, session_id, message)
            session_id = turn.session_id
            result.turns += 1
            result.by_intent[turn.intent] = result.by_intent.get(turn.intent, 0) + 1
            offered |= turn.offer == shopper.effect_offer
            result.offers += turn.offer is not None
            if turn.products:
                liked = any(catalog[pid].category in view.top_categories for pid in turn.products if pid in catalog)
                if rng.random() < (shopper.favourite_click if liked else shopper.click):
                    product = rng.choice(turn.products)
                    events.append({"type": "click", "session_id": session_id, "user_id": user_id, "product_id": product})
                    if rng.random() < shopper.cart_after_click:
                        carted = True
                        events.append({"type": "add_to_cart", "session_id": session_id, "user_id": user_id,
                                       "product_id": product})
            if turn.reply_id is not None and rng.random() < shopper.rate:
                events.append({"type": "rating", "session_id": session_id, "user_id": user_id, "reply_id": turn.reply_id,
                               "value": 1 if rng.random() < shopper.thumbs_up else -1})
        p_order = (shopper.order_after_cart if carted else shopper.base_order) + (shopper.offer_effect if offered else 0.0)
        if rng.random() < min(p_order, 1.0):
            product = next((e["product_id"] for e in reversed(events) if e["type"] == "add_to_cart"), None)
            product = product or (view.picks[0].id if view.picks else rng.choice(sorted(catalog)))
            events.append({"type": "order", "session_id": session_id, "user_id": user_id, "product_id": product,
                           "channel": "store"})
        if events:
            accepted, rejected = record(events)
            result.events += accepted
            result.rejected += len(rejected)
        result.sessions += 1
    return result


class _CachedUnderstanding:
    """Understanding with its readings remembered per (message, state, previous message)."""

    def __init__(self, understander: Understander) -> None:
        self.understander, self.cache = understander, {}

    def understand(self, message: str, state, previous: str | None = None):
        key = (message, repr(state), previous)
        if key not in self.cache:
            self.cache[key] = self.understander.understand(message, state, previous)
        return self.cache[key]


class _CachedSearch:
    """Search results per (query, k, customer, refinement): profiles do not change while shoppers are simulated."""

    def __init__(self, retriever) -> None:
        self.retriever, self.cache = retriever, {}

    def __getattr__(self, name: str):
        return getattr(self.retriever, name)  # catalog, vocabulary, store, evidence: as the real retriever

    def search_constraints(self, constraints, k: int, *, view: CustomerView | None = None):
        key = (constraints, k, view.user_id if view else None)
        if key not in self.cache:
            self.cache[key] = self.retriever.search_constraints(constraints, k, view=view)
        return self.cache[key]

    def with_config(self, **changes):
        return _CachedSearch(self.retriever.with_config(**changes))


class PlanRunner:
    """Runs the assistant's decisions for a turn (understanding, products, orders, profile, experiment
    variants, the retention gesture) through `TurnService.plan` and records the turn in `log`, without
    writing the reply: scripted shoppers react to the products and the offer, never to the wording.

    Readings are cached per message and search results per (filters, customer): both
    stages are deterministic and simulated shoppers leave profiles unchanged, so repeated
    simulations (benchmarks/experiments_power.py, which swaps `log` and `deps.experiments` between
    runs) pay for each once."""

    def __init__(self, deps, log, *, store=None) -> None:
        import tempfile

        from assistant.history import ConversationStore
        from assistant.turn import build_service

        self.deps, self.log = deps, log
        cached = replace(deps, understander=_CachedUnderstanding(deps.understander), retriever=_CachedSearch(deps.retriever))
        store = store or ConversationStore(f"sqlite:///{tempfile.mkdtemp(prefix='shopassist-sim-')}/simulation.db")
        self.service = build_service(deps.settings, cached, store=store)

    def __call__(self, user_id: str, session_id: str | None, message: str) -> TurnResult:
        from assistant.analytics.events import TurnRecord
        from assistant.turn import SHOPPING_ROUTES

        session_id = session_id or uuid.uuid4().hex
        self.service.deps.experiments = self.deps.experiments  # follow the caller's current experiments
        understood, answer, view, treatment = self.service.plan(message, user_id=user_id, session_id=session_id, context={})
        products = tuple(h.product.id for h in answer.hits)
        self.log.record_turn(TurnRecord(
            session_id=session_id, user_id=user_id, intent=understood.intent.label, confidence=understood.intent.confidence,
            query=message, products=products, shopping=answer.kind in SHOPPING_ROUTES, offer=answer.offer,
            segment=view.segment, churn_tier=view.churn_tier, channel="simulation", experiments=dict(treatment.variants)))
        return TurnResult(session_id, understood.intent.label, products, answer.offer)
