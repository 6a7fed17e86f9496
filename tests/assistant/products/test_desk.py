"""The product desk on the tiny catalog: searches that honour every constraint, plain answers when
nothing matches, changes to the last search and questions about the cards just shown, picks from the
customer's own profile. The desk takes commands (what understanding read), never the shopper's text."""

from __future__ import annotations

import re

import pytest

from assistant.commands import AskShown, Refine, SearchProducts, SessionState
from assistant.products import ProductDesk
from assistant.products.questions import answer_question
from assistant.types import CustomerView
from tests.conftest import shared_retriever


@pytest.fixture
def desk(settings) -> ProductDesk:
    return ProductDesk(shared_retriever(settings), top_k=4)


def cards(desk, *ids: str):
    return [desk.catalog[i] for i in ids]


def dollars(text: str) -> set[str]:
    return set(re.findall(r"\$[\d.,]*\d", text))


def test_a_search_names_the_best_match_with_its_price_and_remembers_what_it_showed(desk):
    answer = desk.search(SearchProducts(words="rain jacket", category="jackets", attributes=("waterproof",)), view=None)
    assert answer.hits[0].product.id == "J1" and "Trailform Storm Rain Jacket ($89.00)" in answer.text
    assert answer.context["shown"][0] == "J1" and answer.context["last_search"]["category"] == "jackets"
    assert SessionState.from_dict(answer.context).last_search.words == "rain jacket"  # the next turn can refine it


def test_price_brand_and_stock_constraints_are_never_relaxed(desk):
    answer = desk.search(SearchProducts(category="headphones", price_max=50.0), view=None)
    assert answer.hits and all(h.product.price <= 50 for h in answer.hits)
    none = desk.search(SearchProducts(category="headphones", brands=("Sonora",), price_max=50.0), view=None)
    assert none.hits == () and "couldn't find" in none.text and "under $50.00" in none.text and "Sonora" in none.text
    in_stock = desk.search(SearchProducts(category="headphones", in_stock=True), view=None)
    assert in_stock.hits and all(h.product.stock for h in in_stock.hits)  # H2 has none left


def test_a_budget_is_stated_as_the_shoppers_limit_and_no_other_amount_appears(desk):
    answer = desk.search(SearchProducts(category="headphones", price_max=150.0), view=None)
    assert {h.product.id for h in answer.hits} == {"H1", "H2"} and "under $150.00" in answer.text
    seen = {f"${h.product.price:.2f}" for h in answer.hits} | {"$150.00"}
    assert dollars(answer.text) <= seen and all(dollars(fact) <= seen for fact in answer.facts)
    assert answer.amounts == {129.0, 39.0, 150.0}  # what a draft may say: the prices shown and the budget asked for


def test_a_thing_the_store_never_sells_is_not_blamed_on_the_price(desk):
    answer = desk.search(SearchProducts(words="submarines", price_max=5000.0), view=None)
    assert answer.hits == () and answer.text.startswith("Sorry, we don't carry submarines.")
    assert "budget" not in answer.text and "$5" not in answer.text


def test_nothing_sold_says_so_and_offers_what_the_store_does_sell(desk):
    answer = desk.search(SearchProducts(words="submarines"), view=None)
    assert answer.hits == () and answer.text.startswith("Sorry, we don't carry submarines.")
    assert "headphones, jackets, kitchen and shoes" in answer.text and answer.context["shown"] == []


def test_cheapest_and_first_in_stock_are_answered_from_the_shown_cards(desk):
    shown = cards(desk, "H1", "H2")
    cheapest = answer_question(AskShown(about=("cheapest",)), shown, focus=None)
    assert "Wavely Sport Earbuds" in cheapest.text and "out of stock" in cheapest.text
    first = answer_question(AskShown(about=("stock",), refs=(1,)), shown, focus=None)
    assert first.text.startswith("Yes, the Sonora Aura Noise-Cancelling Headphones is in stock")
    second = answer_question(AskShown(about=("stock",), refs=(2,)), shown, focus=None)
    assert "Wavely Sport Earbuds is out of stock" in second.text and not second.text.startswith("Yes")
    it = answer_question(AskShown(about=("stock",)), shown, focus=cheapest.context["focus"])  # "is it in stock?"
    assert "Wavely Sport Earbuds is out of stock" in it.text


def test_something_cheaper_is_worded_against_a_price_the_shopper_saw(desk):
    parka = SessionState(shown=("J2",), last_search=SearchProducts(words="jacket", category="jackets"))
    answer = desk.refine(Refine(direction="cheaper"), state=parka, view=None)
    assert [h.product.id for h in answer.hits] == ["J1"]
    assert "Cheaper than the Northpeak Down Parka ($249.00)" in answer.text
    assert dollars(answer.text) <= {"$89.00", "$249.00"}  # no derived price like $248.99
    # what the tuned model drafts from must not carry it either: its draft is sent when its amounts check out
    assert all(dollars(fact) <= {"$89.00", "$249.00"} for fact in answer.facts), answer.facts
    assert answer.amounts <= {89.0, 249.0}, answer.amounts
    earbuds = SessionState(shown=("H2",), last_search=SearchProducts(words="earbuds", category="headphones"))
    nothing = desk.refine(Refine(direction="cheaper"), state=earbuds, view=None)
    assert "already the lowest-priced match" in nothing.text


def test_nothing_cheaper_of_that_kind_shows_the_cheaper_ones_of_its_category_and_says_so(desk):
    parka = SessionState(shown=("J2",), last_search=SearchProducts(product_type="down parka", category="jackets"))
    answer = desk.refine(Refine(direction="cheaper"), state=parka, view=None)
    assert [h.product.id for h in answer.hits] == ["J1"]  # never the parka again, never dearer
    assert answer.text.startswith("No down parka is cheaper than the Northpeak Down Parka ($249.00); in jackets")


def test_a_refinement_narrows_the_last_search(desk):
    state = SessionState(shown=("H1", "H2"), last_search=SearchProducts(category="headphones"))
    answer = desk.refine(Refine(price_max=100.0), state=state, view=None)
    assert [h.product.id for h in answer.hits] == ["H2"] and answer.context["last_search"]["price_max"] == 100
    assert answer.context["last_search"]["category"] == "headphones"


def test_a_follow_up_with_nothing_shown_says_so(desk):
    answer = answer_question(AskShown(about=("cheapest",)), [], focus=None)
    assert "haven't shown you any products" in answer.text and answer.hits == ()


def test_recommendations_come_from_the_customers_favourite_categories(desk):
    view = CustomerView(user_id="C1", segment="active", top_categories=("kitchen",), price_band=(20.0, 80.0))
    answer = desk.recommend(view)
    assert answer.hits[0].product.id == "K1" and "Based on what you usually buy" in answer.text
    guest = desk.recommend(CustomerView(user_id=None, segment="guest"))
    assert guest.hits and all((h.product.stock or 0) > 0 for h in guest.hits)
