"""When a turn goes to a human agent."""

from __future__ import annotations

import pytest

from assistant.handoff import anger, handoff_reason, is_failed_turn
from assistant.settings import ServeSettings
from assistant.types import Intent
from data.schema import Product
from retrieval.types import Hit

HIT = Hit(Product("J1", "Jacket", "warm"), 1.0)


@pytest.mark.parametrize(("label", "message", "failed", "before", "expected"), [
    ("contact_human_agent", "can I talk to a person", False, 0, "customer asked for a human agent"),
    ("complaint", "This is unacceptable, my order is late", False, 0, "angry complaint"),
    ("complaint", "my order is a bit late", False, 0, None),
    ("track_order", "WHERE IS MY ORDER, THIS IS A SCAM!!", False, 0, "angry complaint"),
    ("out_of_scope", "what is the weather", True, 0, None),
    ("out_of_scope", "what is the weather", True, 1, "2 failed turns in a row"),
    ("product_search", "rain jacket", False, 1, None),
])
def test_handoff_reason(label, message, failed, before, expected):
    assert handoff_reason(Intent(label, 0.9), message, failed=failed, failures_before=before, after_failures=2) == expected


def test_failed_turns():
    assert is_failed_turn(Intent("out_of_scope", 0.9), [])
    assert is_failed_turn(Intent("product_search", 0.2, abstained=True), [HIT])
    assert is_failed_turn(Intent("product_search", 0.9), [])
    assert not is_failed_turn(Intent("product_search", 0.9), [HIT])
    assert not is_failed_turn(Intent("track_order", 0.9), [])


def test_anger_signals_and_config():
    assert anger("thanks, all good") == 0
    assert anger("THIS IS RIDICULOUS!!") == 3
    with pytest.raises(ValueError):
        ServeSettings(handoff_after_failures=0)
    assert handoff_reason(Intent("out_of_scope", 0.9), "?", failed=True, failures_before=0,
                          after_failures=1) == "1 failed turns in a row"
