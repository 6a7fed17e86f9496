"""Grounded reply turns: the serving draft prompt in, a reply composed from the same facts out."""

from __future__ import annotations

import random

from assistant.history import ConversationStore
from assistant.metrics import build_metrics
from assistant.reply.check import PLACEHOLDER
from assistant.reply.writer import SYSTEM
from assistant.turn import TurnService
from finetune.grounded import build_grounded, reword
from tests.conftest import make_deps


def test_turns_are_the_serving_prompt_and_a_grounded_target(settings, tmp_path):
    service = TurnService(make_deps(settings), ConversationStore(f"sqlite:///{tmp_path / 'c.db'}"), build_metrics())
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
