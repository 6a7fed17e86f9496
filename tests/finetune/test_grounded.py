"""Grounded reply turns: the serving draft prompt in, a reply composed from the same facts out."""

from __future__ import annotations

import random
import re

from assistant.history import ConversationStore
from assistant.metrics import build_metrics
from assistant.reply.check import PLACEHOLDER
from assistant.reply.writer import SYSTEM
from assistant.turn import TurnService
from finetune.grounded import (
    FOLLOW_ASKS,
    GUEST_ASKS,
    NEW_ADDRESSES,
    ORDER_ASKS,
    POLICY_ASKS,
    RECOMMEND_ASKS,
    SOCIAL,
    build_grounded,
    reword,
)
from tests.conftest import ScriptedReader, make_deps

SHOPPING = {"rain jacket": 'search type="rain jacket" cat=jackets', "coffee maker": 'search type="coffee maker" cat=kitchen',
            "headphones under $50": "search cat=headphones max=50"}
ORDER_READS = {"status": "order_status", "date": "order_status asks=date", "items": "order_status asks=items",
               "cancel": "order_change kind=cancel", "return": "order_change kind=return",
               "how_return": "order_change kind=return", "address": "order_change kind=address", "damaged": "order_issue",
               "return_status": "order_status asks=return_status"}
FOLLOW_READS = dict(zip(FOLLOW_ASKS, (
    "ask about=cheapest", "ask about=best_rated", "ask about=stock ref=2", "ask about=details ref=1", "ask about=price ref=3",
    "refine dir=cheaper", "ask about=priciest", "ask about=stock", "refine dir=cheaper", "ask about=details ref=-1",
    "ask about=stock", "ask about=compare ref=1 ref=2"), strict=True))
SOCIAL_READS = dict(zip(SOCIAL, (
    *["greet"] * 6, "bye", "thanks", "thanks", "bye", "thanks", "thanks", "bye", "greet", "greet",
    "handoff", "handoff", "handoff reason=money", "handoff reason=money", "clarify", "clarify"), strict=True))
GUEST_READS = dict(zip(GUEST_ASKS, ("order_status", "order_status", "order_change kind=cancel", "order_status asks=date",
                                    "order_status", "order_status", "order_change kind=return"), strict=True))
TOPICS = (("refund", "refunds"), ("return|exchange|store credit|damaged|makeup|label", "returns"),
          ("pay|card|charged", "payment_methods"), ("password|account|email|points|loyal", "account"),
          ("ship|deliver|express|track|canada|europe|overseas|address", "shipping"))


def policy_read(ask: str) -> str:
    return "policy topic=" + next(topic for words, topic in TOPICS if re.search(words, ask, re.I))


def grounded_reader() -> ScriptedReader:
    """What the builder's asks mean, as the real model reads them (its stray requests stay out of scope)."""
    lines = {**SHOPPING, **FOLLOW_READS, **SOCIAL_READS, **GUEST_READS, **{a: policy_read(a) for a in POLICY_ASKS},
             **{a: ORDER_READS[kind] for kind, asks in ORDER_ASKS.items() for a in asks},
             **dict.fromkeys(RECOMMEND_ASKS, "recommend"),
             **{a: f'order_change kind=address which=this address="{a}"' for a in NEW_ADDRESSES},
             "yes please": "confirm", "yes": "confirm", "no, leave it": "deny"}
    guest = r"(?:it's|order|my order number is) (O\d+),? (?:email |and my email is )?(\S+@\S+)"
    return ScriptedReader(lines, patterns=((guest, "order_status id={1} email={2}"),))


def test_turns_are_the_serving_prompt_and_a_grounded_target(settings, tmp_path):
    service = TurnService(make_deps(settings, reader=grounded_reader()), ConversationStore(f"sqlite:///{tmp_path / 'c.db'}"),
                          build_metrics())
    rows = {split: {"shopping": ["rain jacket", "coffee maker", "headphones under $50"],
                    "out_of_scope": ["what's the weather like", "tell me a joke"]} for split in ("train", "heldout")}
    built = build_grounded(service, random.Random(3), conversations=40, rows=rows)
    assert built["train"] and built["heldout"]
    records = built["train"] + built["heldout"]
    assert len({r["kind"] for r in records}) >= 5  # products, orders, policies, small talk, ...
    for record in records:
        system, user, target = record["messages"]
        assert system["content"].startswith(SYSTEM) and "Facts:" in system["content"] and user["role"] == "user"
        assert target["role"] == "assistant" and not PLACEHOLDER.search(target["content"])
        assert record["check"]["composed"] and record["check"]["facts"]
    orders = [r for r in records if r["kind"] == "order" and "O0" in r["check"]["composed"]]
    assert all(any(code in r["messages"][0]["content"] for code in r["check"]["codes"]) for r in orders)


def test_reword_keeps_every_fact():
    text = "I'd suggest the Trailform Storm Rain Jacket ($89.00). Another good option is the Northpeak Down Parka ($249.00)."
    for seed in range(6):
        again = reword(text, random.Random(seed))
        assert "Trailform Storm Rain Jacket ($89.00)" in again and "Northpeak Down Parka ($249.00)" in again
