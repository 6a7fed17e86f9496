"""Personalized prompts: the same question from two customers gets different, appropriate prompts
and rankings; no customer's data reaches another's prompt; contact details never do."""

from __future__ import annotations

import re

import pytest

from assistant.pipeline import Deps, answer
from assistant.profile import load_profile_book
from assistant.prompt import build_prompt, describe_customer
from assistant.settings import DEMO_DIR
from assistant.types import CustomerView, Intent, Turn
from data.load import load_catalog, load_customers, load_orders, load_policies
from tests.conftest import FakeGenerator, FixedIntent

POLICIES = load_policies(DEMO_DIR / "policies")
SEARCH = Intent("product_search", 0.9)


@pytest.fixture(scope="module")
def book():
    catalog = {p.id: p for p in load_catalog(DEMO_DIR / "catalog.jsonl").records}
    return load_profile_book(DEMO_DIR, catalog)


def first(book, predicate) -> CustomerView:
    return next(v for v in (book.view(c) for c in sorted(book.customers)) if predicate(v))


def system_text(turn, view, hits=()) -> str:
    return build_prompt(turn, SEARCH, list(hits), view, POLICIES).messages[0].content


def test_segment_policy_reaches_the_prompt(book):
    turn = Turn("Any recommendations for me?")
    vip = first(book, lambda v: v.segment == "loyal" and v.churn_tier == "low")
    risky = first(book, lambda v: v.segment == "at_risk" and v.churn_tier == "high")
    new = first(book, lambda v: v.segment == "new" and v.picks)
    vip_text, risky_text, new_text = (system_text(turn, v) for v in (vip, risky, new))
    assert "early access" in vip_text and "WELCOME10" not in vip_text.split("# Retention")[0]
    assert "retention gesture" in risky_text and "churn risk high" in risky_text
    assert "30-day return window" in new_text and "Popular picks for a first order:" in new_text
    assert all(p.title in new_text for p in new.picks)
    assert len({vip_text, risky_text, new_text}) == 3
    guest_text = system_text(turn, book.view(None))
    assert "guest" in guest_text and "retention gesture" not in guest_text


def test_high_risk_loyal_customer_still_gets_the_gesture():
    view = CustomerView(user_id="X", segment="loyal", churn_risk=0.9, churn_tier="high", top_categories=("shoes",))
    text = system_text(Turn("hi"), view)
    assert "retention gesture" in text and "store rules" in text


def test_out_of_scope_turn_gets_no_personal_policy(book):
    risky = first(book, lambda v: v.churn_tier == "high")
    prompt = build_prompt(Turn("what's the weather?"), Intent("out_of_scope", 0.9), [], risky, POLICIES)
    assert "WELCOME10" not in prompt.messages[0].content and not prompt.allowed_facts


def test_no_contact_details_or_other_customers_in_any_prompt(book):
    customers = load_customers(DEMO_DIR / "customers.csv").records
    orders = load_orders(DEMO_DIR / "orders.csv").records
    secrets = [s for c in customers for s in (c.name, c.email, c.city)]
    order_ids = re.compile(r"\bO\d{5}\b")
    for customer in customers:
        view = book.view(customer.customer_id)
        text = system_text(Turn("where is my order?"), view)
        assert not [s for s in secrets if s in text]
        assert not order_ids.search(text) and not re.search(r"\bC\d{4}\b", text)  # no ids, own or others'
    assert orders  # the demo store really has order lines that could have leaked


@pytest.fixture(scope="module")
def retriever(tmp_path_factory):
    import json

    from assistant.settings import Settings
    from retrieval.search import build_retriever
    from tests.conftest import TINY_CATALOG

    folder = tmp_path_factory.mktemp("personal")
    path = folder / "catalog.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in TINY_CATALOG))
    return build_retriever(Settings(home=folder / "home", store_dir=DEMO_DIR, retrieval={"catalog": path}))


def test_same_question_two_customers_different_prompts_and_rankings(book, retriever, settings):
    """Real retriever on the tiny catalog; the fake generator captures what the model would see."""
    def likes(category):
        return first(book, lambda v: v.top_categories[:1] == (category,) and v.churn_tier is not None)

    audio, outdoor = likes("headphones"), likes("jackets")
    generator = FakeGenerator()
    deps = Deps(settings=settings, intents=FixedIntent("product_search"), retriever=retriever, profiles=book,
                generator=generator, policies=POLICIES)
    question = "something for long flights and hiking"  # both a headphones and a jackets question
    replies = {v.user_id: answer(Turn(question, user_id=v.user_id), deps) for v in (audio, outdoor)}
    top = {user: [h.product.id for h in reply.hits] for user, reply in replies.items()}
    assert top[audio.user_id] != top[outdoor.user_id]

    def rank(user, category):  # position of the first product of `category` in that customer's list
        return next(i for i, h in enumerate(replies[user].hits) if h.product.category == category)

    assert rank(outdoor.user_id, "jackets") <= rank(audio.user_id, "jackets")
    assert rank(audio.user_id, "headphones") <= rank(outdoor.user_id, "headphones")
    boosted = [r for h in replies[outdoor.user_id].hits for r in h.reasons if "profile boost" in r]
    assert boosted and any("jackets" in r for r in boosted)
    first_prompt, second_prompt = (p.messages[0].content for p in generator.prompts)
    assert "likes headphones" in first_prompt and "likes jackets" in second_prompt
    assert "likes jackets" not in first_prompt.split("Products you may recommend")[0]
    assert first_prompt != second_prompt


def test_describe_customer_is_compact(book):
    view = first(book, lambda v: v.segment == "loyal")
    text = describe_customer(view)
    assert text.startswith("Customer segment: loyal (VIP)") and len(text) < 220
    assert str(view.clv_12m) not in text and view.user_id not in text


@pytest.mark.e2e
def test_real_model_answers_two_customers_differently(book, retriever, real_model_dir, tmp_path):
    """The same question from a VIP and from a high-risk customer, through the real model."""
    from assistant.generate import ChatGenerator
    from assistant.model import load_chat_model
    from assistant.settings import Settings

    settings = Settings(home=tmp_path, store_dir=DEMO_DIR, model={"path": real_model_dir, "max_new_tokens": 40})
    generator = ChatGenerator(load_chat_model(settings), settings.model)
    deps = Deps(settings=settings, intents=FixedIntent("product_search"), retriever=retriever, profiles=book,
                generator=generator, policies=POLICIES)
    vip = first(book, lambda v: v.segment == "loyal" and v.churn_tier == "low")
    risky = first(book, lambda v: v.segment in ("at_risk", "lapsed") and v.churn_tier == "high")
    question = "Can you recommend something for my next trip?"
    replies = {v.segment: answer(Turn(question, user_id=v.user_id), deps) for v in (vip, risky)}
    texts = {segment: reply.text for segment, reply in replies.items()}
    assert all(texts.values()) and len(set(texts.values())) == 2, texts
