"""The grounding guard drops ungrounded products, prices and codes, and never returns nothing."""

import pytest

from assistant.grounding import GroundingGuard
from assistant.types import Hit, Product
from tests.conftest import TINY_CATALOG

CATALOG = {row["id"]: Product(**{**row, "tags": tuple(row["tags"])}) for row in TINY_CATALOG}
POLICIES = {"shipping": "Standard shipping is free on orders over $50; express costs $12.99.",
            "retention_offers": "Offer a 10 % welcome-back code (WELCOME10)."}
HITS = [Hit(CATALOG["J1"], 0.9), Hit(CATALOG["H1"], 0.8)]


@pytest.fixture
def guard():
    return GroundingGuard(CATALOG, POLICIES)


@pytest.mark.parametrize("text, kinds", [
    ("The Trailform Storm Rain Jacket costs $89.00.", []),
    ("Try the Northpeak Down Parka for $249.", ["product", "price"]),
    ("The Trailform Storm Rain Jacket is $79.99 today.", ["price"]),
    ("Express shipping costs $12.99.", []),
    ("Use code WELCOME10 for 10 % off.", []),
    ("Use code SAVE50 at checkout.", ["code"]),
])
def test_violations(guard, text, kinds):
    assert sorted(v.kind for v in guard.violations(text, HITS)) == sorted(kinds)


def test_repair_keeps_grounded_sentences(guard):
    draft = "The Sonora Aura Noise-Cancelling Headphones are $129.00. The Wavely Sport Earbuds are $19.99!"
    assert guard.repair(draft, HITS) == "The Sonora Aura Noise-Cancelling Headphones are $129.00."


def test_stream_falls_back_to_retrieved_facts(guard):
    pieces = ["Buy the Brewline ", "Pour Coffee Maker for $9.99", "."]
    reply = "".join(guard.stream(pieces, HITS))
    assert reply.startswith("Here is what I found") and "$89.00" in reply and "Brewline" not in reply
    assert guard.violations(reply, HITS) == []


def test_stream_without_hits_gives_safe_reply(guard):
    assert "human agent" in "".join(guard.stream(["It is $5.00."], []))
