"""Which room answers a message: the rules that must never miss, follow-ups on shown cards, and the
fallback when no gate is shipped (the intent label, the store's names). Real retriever, tiny catalog."""

from __future__ import annotations

import pytest

from assistant.understand import Understander
from tests.conftest import FixedIntent, shared_retriever

SHOWN = {"shown": ["H1", "H2"], "constraints": {"text": "headphones", "category": "headphones"}}


@pytest.fixture
def understander(settings):
    return Understander(FixedIntent("out_of_scope"), None, shared_retriever(settings), order_exists=lambda oid: oid == "O00114")


@pytest.mark.parametrize(("text", "route"), [
    ("I need to speak to a person", "handoff"),
    ("connect me with an agent now", "handoff"),
    ("you're not helping, I want a manager", "handoff"),
    ("customer service please", "handoff"),
    ("a gift for my manager", "recommend"),  # a manager mentioned is no request for one
    ("I was charged twice for my order", "money"),
    ("my refund still hasn't arrived", "money"),
    ("I was billed for an order I cancelled", "money"),
    ("hello!", "greeting"),
    ("hi, long time no see", "greeting"),
    ("how's it going my friend", "greeting"),
    ("thank you, goodbye", "goodbye"),
    ("thanks for helping me out today", "goodbye"),
    ("who are you?", "about"),
    ("what can you do?", "about"),
    ("ok", "acknowledge"),
    ("no thanks", "acknowledge"),
    ("where's my order", "order"),
    ("what did I order last time?", "order"),
    ("cancel it", "order"),
    ("my jacket arrived broken", "order"),
    ("is O00114 on its way?", "order"),
    ("when will my jacket arrive?", "order"),  # their thing on its way is their order
    ("42 Elm Street, Springfield", "order"),
    ("do you sell submarines?", "search"),  # asking to buy is a search: the search says whether it is sold
    ("do you carry Sonora?", "search"),
    ("recommend something for me", "recommend"),
    ("what should I buy next?", "recommend"),
    ("what's new for me?", "recommend"),
    ("anything you'd pick for me?", "recommend"),
    ("I haven't shopped here in ages, anything worth a look?", "recommend"),
    ("a present for my dad", "recommend"),
    ("what's the weather in Paris?", "decline"),  # the intent label (fixed here) decides the rest
])
def test_rules_route_without_the_model(understander, text, route):
    assert understander.understand(text, {}).route == route


def test_a_greeting_before_a_request_keeps_the_request(understander):
    understood = understander.understand("hi, where is my order?", {})
    assert understood.route == "order" and understood.social == "greeting" and understood.text == "where is my order?"


@pytest.mark.parametrize(("text", "kind"), [
    ("where is my order", "status"), ("when was my last order delivered?", "date"), ("what was in my last order?", "items"),
    ("cancel my order please", "cancel"), ("how do I send back my last order?", "return"),
    ("what's the status of my return?", "return_status"), ("did you get my return?", "return_status"),
    ("please send my order to 42 Elm Street, Springfield", "address"), ("my order arrived damaged", "damaged"),
    ("I need to change where my order is delivered", "address"), ("what happened to my last order", "status"),
])
def test_order_requests_say_what_is_wanted(understander, text, kind):
    assert understander.understand(text, {}).order_kind == kind


@pytest.mark.parametrize(("text", "route"), [
    ("which one is cheapest?", "follow_up"),
    ("is the first one in stock?", "follow_up"),
    ("anything under $40?", "follow_up"),
    ("only Sonora ones", "follow_up"),
    ("something cheaper", "follow_up"),
    ("which of those costs the least?", "follow_up"),
    ("coffee maker", "search"),  # a new kind of thing is a new search
])
def test_follow_ups_refer_to_the_cards_shown(understander, text, route):
    assert understander.understand(text, SHOWN).route == route


def test_a_follow_up_with_nothing_shown_goes_to_the_desk_that_says_so(understander):
    assert understander.understand("which one is cheapest?", {}).route == "follow_up"


def test_without_a_gate_a_message_naming_the_store_s_things_is_a_search(settings):
    understander = Understander(FixedIntent("out_of_scope"), None, shared_retriever(settings), order_exists=lambda oid: False)
    assert understander.understand("rain jacket", {}).route == "search"


@pytest.fixture
def policy_aware(settings):
    """The store's policy text scores 0.99 for service questions and 0.62 for small talk that shares a word."""
    scores = {"do you offer free shipping?": 0.99, "do you accept bitcoin?": 0.63, "what time is it?": 0.62,
              "what's your return window?": 0.49}
    return Understander(FixedIntent("out_of_scope"), None, shared_retriever(settings), order_exists=lambda oid: False,
                        policy_score=lambda text: scores.get(text, 0.0))


@pytest.mark.parametrize(("text", "route"), [
    ("do you offer free shipping?", "policy"),  # "do you offer ..." has a shopping frame; the catalog has no shipping
    ("do you accept bitcoin?", "policy"),  # a question about the store that the payment sentence answers
    ("what time is it?", "decline"),  # shares a word with "ship before 2 pm": still small talk
])
def test_service_questions_go_to_the_policies_and_small_talk_does_not(policy_aware, text, route):
    assert policy_aware.understand(text, {}).route == route


def test_an_order_label_on_a_general_question_gets_the_policy(settings):
    understander = Understander(FixedIntent("track_refund"), None, shared_retriever(settings), order_exists=lambda oid: False,
                                policy_score=lambda text: 0.49)
    assert understander.understand("what's your return window?", {}).route == "policy"
    assert understander.understand("where is the refund for my jacket", {}).route in ("order", "money")


def test_something_of_theirs_arriving_is_their_order_only_when_the_store_sells_it(understander):
    assert understander.understand("when will my headphones arrive?", {}).route == "order"
    assert understander.understand("when is my flight going to arrive?", {}).route == "decline"
