"""Understanding decides who reads a message and checks what they say: the safety path first, the fast head
when it is sure, the chat model otherwise, one retry, then a question to the shopper."""

from __future__ import annotations

import pytest

from assistant.commands import (
    AskShown,
    Clarify,
    Confirm,
    Handoff,
    PendingChange,
    Refine,
    SearchProducts,
    SessionState,
    Thanks,
)
from assistant.understand import Understander
from assistant.understand.head import Reading
from assistant.understand.validate import StoreNames

NAMES = StoreNames({"trail runners": "shoes", "rain jacket": "jackets"}, ("jackets", "shoes"), ("Stride", "Trailform"),
                   ("returns", "shipping"))
TITLES = {"S1": ("Stride Cloud Trail Runners", 110.0), "S2": ("Trailform Ridge Trail Runners", 95.0)}


class Head:
    def __init__(self, commands, confidence: float) -> None:
        self.commands, self.confidence, self.calls = commands, confidence, 0

    def read(self, state_text: str, message: str) -> Reading:
        self.calls += 1
        return Reading(list(self.commands), self.confidence)


class Writer:
    def __init__(self, *texts: str) -> None:
        self.texts, self.calls = list(texts), []

    def write(self, turn: str, *, sample: bool = False) -> str:
        self.calls.append((turn, sample))
        return self.texts.pop(0)


def test_a_request_for_a_person_hands_off_before_any_model():
    head = Head([SearchProducts(words="manager")], 1.0)
    understood = Understander(head, None, NAMES, TITLES).understand("let me talk to a manager now", SessionState())
    assert understood.commands == (Handoff("person"),) and understood.source == "safety" and head.calls == 0


def test_money_trouble_hands_off_too_but_a_gift_for_a_manager_is_a_search():
    understander = Understander(Head([SearchProducts(words="gift")], 1.0), None, NAMES, TITLES)
    assert understander.understand("you charged me twice for one order", SessionState()).commands == (Handoff("money"),)
    assert understander.understand("a gift for my manager", SessionState()).source == "head"


def test_a_sure_head_stands_and_the_chat_model_is_not_asked():
    writer = Writer("out_of_scope")
    understood = Understander(Head([SearchProducts(product_type="trail runners")], 0.95), writer, NAMES, TITLES, sure=0.9).understand(
        "trail runners", SessionState())
    assert understood.source == "head" and not writer.calls
    assert understood.commands[0].category == "shoes"  # a type names its category
    assert understood.intent.label == "product_search"


def test_an_unsure_head_asks_the_chat_model_which_reads_the_state_and_the_message():
    writer = Writer('search type="trail runners" cat=shoes not_brand=Stride max=100')
    state = SessionState(shown=("S1", "S2"))
    understood = Understander(Head([SearchProducts(words="x")], 0.4), writer, NAMES, TITLES, sure=0.9).understand(
        "trail runners, not Stride, under 100", state, previous="running stuff")
    assert understood.source == "model"
    assert understood.commands == (SearchProducts(product_type="trail runners", category="shoes", exclude_brands=("Stride",),
                                                  price_max=100.0),)
    turn, sampled = writer.calls[0]
    assert "1 Stride Cloud Trail Runners $110.00" in turn and "before: running stuff" in turn and not sampled


def test_a_reading_that_does_not_check_out_is_asked_again_then_the_shopper_is_asked():
    writer = Writer("not a command", "search")  # a syntax error, then a search for nothing
    understood = Understander(None, writer, NAMES, TITLES).understand("blorp", SessionState())
    assert understood.commands == (Clarify(),) and understood.fallback and understood.retried
    assert [sampled for _, sampled in writer.calls] == [False, True]


def test_the_retry_can_succeed():
    writer = Writer("search", "policy topic=returns")
    understood = Understander(None, writer, NAMES, TITLES).understand("how do returns work?", SessionState())
    assert understood.retried and not understood.fallback and understood.commands[0].topics == ("returns",)
    assert understood.commands[0].question == "how do returns work?"  # the policy room finds the sentence with it


def test_a_yes_with_nothing_waiting_is_a_thank_you_and_with_a_change_waiting_a_yes():
    understander = Understander(Head([Confirm()], 1.0), None, NAMES, TITLES)
    assert understander.understand("yes", SessionState()).commands == (Thanks(),)
    waiting = SessionState(pending=PendingChange("cancel", "O00114"), order_id="O00114")
    understood = understander.understand("yes", waiting)
    assert understood.commands == (Confirm(),) and understood.intent.label == "cancel_order"


@pytest.mark.parametrize(("said", "checked"), [
    (SearchProducts(brands=("Trailfrom",)), SearchProducts(brands=("Trailform",))),  # a typo snaps to the store's brand
    (SearchProducts(brands=("Nike",), category="shoes"), SearchProducts(words="Nike", category="shoes")),  # not carried: words
    (SearchProducts(product_type="submarine"), SearchProducts(words="submarine")),
    (SearchProducts(words="x", price_min=100.0, price_max=50.0), SearchProducts(words="x", price_min=50.0, price_max=100.0)),
    (AskShown(about=("price",), refs=(2, 7)), AskShown(about=("price",), refs=(2,))),  # only cards that were shown
])
def test_slots_are_checked_against_the_store(said, checked):
    state = SessionState(shown=("S1", "S2"))
    assert Understander(Head([said], 1.0), None, NAMES, TITLES).understand("m", state).commands == (checked,)


def test_a_refinement_with_nothing_behind_it_is_a_search():
    understood = Understander(Head([Refine(brands=("Stride",))], 1.0), None, NAMES, TITLES).understand(
        "only Stride", SessionState())
    assert understood.commands == (SearchProducts(brands=("Stride",)),)
