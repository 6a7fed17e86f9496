"""Hybrid search on the tiny catalog with real Chroma and the real embedder."""

from __future__ import annotations

import json

import pytest

from assistant.deps import product_search
from assistant.types import CustomerView
from retrieval.config import RetrievalSettings
from retrieval.hybrid import reciprocal_rank_fusion
from retrieval.ingest import ingest_catalog
from retrieval.search import ProductSearch
from retrieval.store import ProductStore, open_client


@pytest.fixture
def retriever(settings, embedder) -> ProductSearch:
    store = ProductStore(open_client(None, settings.index_dir), embedder, settings.retrieval)
    report = ingest_catalog(settings.retrieval, settings.index_dir, store=store)
    return ProductSearch(store, {p.id: p for p in report.products}, settings.retrieval.changed(popularity_weight=0.0))


def ids(hits):
    return [h.product.id for h in hits]


def test_rrf_rewards_agreement():
    fused = reciprocal_rank_fusion({"dense": ["a", "b", "c"], "bm25": ["b", "a", "d"]}, {}, k=60)
    assert max(fused, key=fused.get) in {"a", "b"} and fused["a"] == fused["b"] > fused["c"] > 0
    weighted = reciprocal_rank_fusion({"dense": ["a"], "bm25": ["b"]}, {"bm25": 2.0}, k=60)
    assert weighted["b"] == 2 * weighted["a"]


@pytest.mark.parametrize("method", [dict(), dict(use_dense=False), dict(use_bm25=False)])
def test_each_method_finds_the_obvious_item(retriever, method):
    hits = retriever.with_config(**method).search("coffee maker for the morning", 3)
    assert ids(hits)[0] == "K1"
    assert all(h.reasons for h in hits)


def test_both_methods_off_is_refused():
    with pytest.raises(ValueError):
        RetrievalSettings(use_dense=False, use_bm25=False)


def test_constraints_filter_and_are_reported(retriever):
    result = retriever.search_with_interpretation("waterproof jacket under $100", 4)
    assert ids(result.hits) == ["J1"]  # the parka costs 249
    assert result.interpretation.price_max == 100 and result.interpretation.category == "jackets"
    reasons = " ".join(result.hits[0].reasons)
    assert "similarity" in reasons and "'waterproof'" in reasons and "price under $100" in reasons
    json.dumps(result.as_dict())  # the API and UI can show it as is


def test_in_stock_and_brand_filters(retriever):
    hits = retriever.search("Wavely earbuds in stock", 4)
    assert hits == []  # the only Wavely item has stock 0
    result = retriever.search_with_interpretation("Wavely earbuds in stock", 4)
    assert any("no product matches" in n for n in result.interpretation.notes)
    only_stock = retriever.search("wireless headphones in stock only", 4)
    assert "H2" not in ids(only_stock) and "H1" in ids(only_stock)


@pytest.mark.parametrize("query,note", [
    ("", "empty query"),
    ("   ", "empty query"),
    ("headphones under $0", "no product matches price under $0"),
    ("qwxzv plokmn", "no product matches the words"),
])
def test_bad_queries_give_empty_results_with_a_reason(retriever, query, note):
    result = retriever.search_with_interpretation(query, 4)
    assert result.hits == []
    assert any(note in n for n in result.interpretation.notes), result.interpretation.notes


def test_ten_thousand_character_query_does_not_crash(retriever):
    result = retriever.search_with_interpretation("rain jacket " + "x" * 10_000, 4)
    assert any("cut" in n for n in result.interpretation.notes)
    assert ids(result.hits)[0] == "J1"


def test_profile_boost_reranks_and_weight_zero_disables(retriever):
    fan = CustomerView(user_id="C1", segment="loyal", top_categories=("shoes",), top_brands=("Stride",), price_band=(80.0, 130.0))
    plain = ids(retriever.search("lightweight gear", 6))
    boosted = retriever.with_config(profile_weight=1.0).search("lightweight gear", 6, view=fan)
    assert ids(boosted)[0] == "S1"
    assert any("profile boost" in r for r in boosted[0].reasons)
    off = retriever.with_config(profile_weight=0.0).search("lightweight gear", 6, view=fan)
    assert ids(off) == plain


def test_guest_gets_popularity_aware_results(retriever):
    popular = ProductSearch(retriever.store, retriever.catalog, RetrievalSettings(popularity_weight=1.0),
                            popularity={"H2": 1.0, "J2": 0.2}, keyword=retriever.keyword)
    hits = popular.search("wireless headphones", 2)
    assert ids(hits)[0] == "H2" and any("popular" in r for r in hits[0].reasons)
    only_filters = popular.search("in stock only", 3)
    assert ids(only_filters)[0] == "J2"  # H2 is out of stock; J2 is the best seller left


def test_build_retriever_keeps_the_interface(settings):
    retriever = product_search(settings)
    assert retriever.store.count() == len(retriever.catalog) == 6
    hits = retriever.search("noise cancelling headphones for flights", 2, view=None)
    assert ids(hits)[0] == "H1"
    assert hasattr(retriever.search_with_interpretation("x", 1), "interpretation")
