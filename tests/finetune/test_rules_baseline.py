"""The frozen rules baseline reads messages as the 28b1035 rules did (their quirks included), as commands."""

from __future__ import annotations

import pytest

import data
from assistant.commands import (AskShown, Bye, Confirm, Deny, Greet, Handoff, OrderChange, OrderIssue, OrderRef, OrderStatus,
                                OutOfScope, PendingChange, Recommend, Refine, SearchProducts, SessionState, Thanks)
from data.load import load_catalog
from finetune.rules_baseline import RulesRouter

NOTHING = SessionState()
SHOWN = SessionState(shown=("P0005", "P0008", "P0004", "P0018"),
                     last_search=SearchProducts(product_type="wireless earbuds", category="headphones"))
CANCEL_PENDING = SessionState(pending=PendingChange("cancel", "O01277"), order_id="O01277")


@pytest.fixture(scope="module")
def router() -> RulesRouter:
    catalog = {p.id: p for p in load_catalog(data.DEMO_DIR / "catalog.jsonl").records}
    return RulesRouter(catalog, orders_of=lambda user: ["O00001"] if user == "C0001" else [])


@pytest.mark.parametrize("message, state, expected", [
    ("trail running shoes under $100", NOTHING, SearchProducts(category="shoes", price_max=100.0)),
    ("hello, do you have tents?", NOTHING, SearchProducts(category="outdoor", product_type="tent")),  # the hello is dropped
    ("laptops under 900", SHOWN, SearchProducts(category="laptops", price_max=900.0)),  # another category: a new search
    ("cheapest laptops", SHOWN, AskShown(("cheapest",))),  # the old quirk: a superlative was about the cards, whatever else
    ("do you sell submarines?", NOTHING, SearchProducts()),  # the frame alone makes a search
    ("which one is cheapest?", SHOWN, AskShown(("cheapest",))),
    ("is the second one in stock?", SHOWN, AskShown(("stock",), (2,))),
    ("how much is the last one?", SHOWN, AskShown(("price",), (-1,))),
    ("anything cheaper?", SHOWN, Refine("cheaper")),
    ("only Sonora", SHOWN, Refine(brands=("Sonora",))),
    ("more options under 50", SHOWN, Refine("more", price_max=50.0)),
    ("recommend something for me", NOTHING, Recommend()),
    ("a gift for my dad", NOTHING, Recommend()),
    ("where's my order", NOTHING, OrderStatus()),
    ("where is my blender order?", NOTHING, OrderStatus(OrderRef(item="blender"))),
    ("what did I order last time?", NOTHING, OrderStatus(asks="items")),
    ("my blender arrived broken", NOTHING, OrderIssue(order=OrderRef(item="blender broken"))),  # leftover words, unchecked
    ("cancel it", CANCEL_PENDING, OrderChange("cancel", OrderRef(which="this"))),  # neither yes nor no: routed
    ("yes", CANCEL_PENDING, Confirm()),
    ("no, keep it", CANCEL_PENDING, Deny()),
    ("please don't cancel it", CANCEL_PENDING, Confirm()),  # the old bug: NO only at the start, YES took "please"
    ("I need to speak to a person", NOTHING, Handoff("person")),
    ("I was charged twice for one order", NOTHING, Handoff("money")),
    ("hi", NOTHING, Greet()),
    ("thanks so much!", NOTHING, Thanks()),
    ("thanks, bye", NOTHING, Bye()),
    ("ok", NOTHING, Thanks()),
    ("what can you do?", NOTHING, OutOfScope()),
    ("what's the capital of Peru?", NOTHING, OutOfScope()),
    ("how long does shipping take?", NOTHING, OutOfScope()),  # a policy question: the model decided those
])
def test_messages_map_as_the_old_rules_did(router, message, state, expected):
    assert router.commands(message, state) == [expected]


def test_an_address_answers_a_pending_address_question(router):
    state = SessionState(pending=PendingChange("address", "O01277"), order_id="O01277")
    assert router.commands("42 Elm Street, Springfield", state) == [
        OrderChange("address", OrderRef(which="this"), "42 Elm Street, Springfield")]
    assert router.commands("no", state) == [Thanks()]  # an address question took no "no": an acknowledgement


def test_a_named_order_id_counts_when_the_shopper_has_it(router):
    assert router.commands("news on O00001?", NOTHING, user_id="C0001") == [OrderStatus(OrderRef(order_id="O00001"))]
    assert router.commands("news on O00001?", NOTHING, user_id="C0002") == [OutOfScope()]
    assert router.commands("news on O00001?", NOTHING) == [OrderStatus(OrderRef(order_id="O00001"))]  # a guest's id is taken
