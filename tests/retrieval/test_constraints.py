"""Reading filters out of shopper phrasing: a case table, plus the bad inputs listed for the retrieval work."""

from __future__ import annotations

import pytest

from data.schema import Product
from retrieval.constraints import MAX_QUERY_CHARS, Constraints, Vocabulary, head_phrase, parse_constraints

VOCAB = Vocabulary.from_products([
    Product("1", "Storm jacket", "", category="jackets", brand="Trailform"),
    Product("2", "Aura", "", category="headphones", brand="Sony"),
    Product("3", "Mug", "", category="home & kitchen", brand="Brewline"),
])

CASES = [
    # query, expected fields
    ("waterproof jacket under $100", dict(text="waterproof jacket", price_max=100, category="jackets")),
    ("Sony headphones between 50 and 150 dollars", dict(text="headphones", price_min=50, price_max=150, brands=("Sony",), category="headphones")),
    ("in stock only", dict(text="", in_stock=True)),
    ("rain jacket in-stock below 80 usd", dict(text="rain jacket", price_max=80, in_stock=True, category="jackets")),
    ("boots $50-$150", dict(text="boots", price_min=50, price_max=150)),
    ("shoes over 50 and under 150", dict(text="shoes", price_min=50, price_max=150)),
    ("kettle around 30 bucks", dict(text="kettle", price_min=24, price_max=36)),
    ("laptop under 1.5k", dict(text="laptop", price_max=1500)),
    ("home and kitchen mug", dict(category="home & kitchen")),
    # numbers with units are not prices
    ("backpack under 10 lbs", dict(text="backpack under 10 lbs", price_max=None)),
    ("tv over 40 inch", dict(text="tv over 40 inch", price_min=None)),
    ("under 2 hours charging earbuds", dict(price_max=None)),
    # brand names only count as whole words
    ("sonya dress", dict(brands=())),
    # the thing asked for names the category, not a word after "with"/"for"
    ("headphones for my jacket", dict(category="headphones")),
    ("a jacket with headphones pocket", dict(category="jackets")),
]


@pytest.mark.parametrize("query,expected", CASES, ids=[c[0] for c in CASES])
def test_parse_constraints(query, expected):
    parsed = parse_constraints(query, VOCAB)
    for key, value in expected.items():
        assert getattr(parsed, key) == value, (key, parsed)


def test_empty_query_is_reported_not_raised():
    parsed = parse_constraints("   ", VOCAB)
    assert parsed.text == "" and not parsed.has_filters
    assert parsed.notes and "empty query" in parsed.notes[0]


def test_huge_query_is_cut_and_said_so():
    parsed = parse_constraints("jacket " * 2000, VOCAB)  # 14,000 characters
    assert len(parsed.text) <= MAX_QUERY_CHARS
    assert "cut" in parsed.notes[0]


def test_filters_match_in_memory_and_chroma_forms():
    parsed = parse_constraints("Sony headphones between 50 and 150 dollars in stock", VOCAB)
    where = parsed.chroma_where()
    assert {"price": {"$gte": 50.0}} in where["$and"] and {"stock": {"$gt": 0}} in where["$and"]
    ok = Product("a", "x", "", category="headphones", brand="Sony", price=99, stock=2)
    assert parsed.allows(ok)
    assert not parsed.allows(Product("b", "x", "", category="headphones", brand="Sony", price=200, stock=2))
    assert not parsed.allows(Product("c", "x", "", category="headphones", brand="Sony", price=None, stock=2))
    assert parsed.describe() == ["price $50-$150", "category headphones", "brand Sony", "in stock"]
    assert parse_constraints("plain words", VOCAB).chroma_where() is None


def test_a_remark_after_a_comma_is_not_the_thing_asked_for():
    assert head_phrase("a cheap blender, nothing fancy") == ["blender"]
    assert parse_constraints("I'm after a blender", VOCAB).text == "a blender"


def test_a_refinement_that_only_points_back_keeps_the_earlier_words():
    earlier = Constraints(text="coffee makers", category="home & kitchen")
    narrowed = earlier.refine(parse_constraints("just the ones from Brewline", VOCAB))
    assert narrowed.text == "coffee makers" and narrowed.brands == ("Brewline",)
    assert earlier.refine(parse_constraints("espresso machines from Brewline", VOCAB)).text != "coffee makers"
