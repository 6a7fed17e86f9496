"""The fast paths of product search give the same results as the slow, obvious ones.

BM25 from the query's posting lists vs `bm25s`' full score array; a filtered dense search in memory vs
Chroma's `where` filter; integer-coded filters vs string comparison; the ONNX embedder vs sentence-transformers.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from data.schema import Product
from retrieval.bm25 import KeywordIndex
from retrieval.config import RetrievalSettings
from retrieval.constraints import Constraints
from retrieval.search import ProductSearch
from retrieval.store import LazyEmbedder, ProductStore, open_client, product_metadata

WORDS = "red blue green jacket shoe tent lamp chair rain warm light fast kdl-40v4100 wi-fi usb-c pro max mini".split()


def random_texts(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choices(WORDS, k=rng.randint(0, 6))) for _ in range(n)]


def brute_force(index: KeywordIndex, query: str, k: int, mask=None) -> list[tuple[int, float]]:
    from retrieval.bm25 import tokenize

    terms = [t for t in dict.fromkeys(tokenize(query)) if t in index.vocab]
    if not terms:
        return []
    scores = index.model.get_scores(terms)
    if mask is not None:
        scores = np.where(mask, scores, 0.0)
    order = sorted((i for i in range(index.size) if scores[i] > 0), key=lambda i: (-scores[i], i))[:k]
    return [(i, float(scores[i])) for i in order]


@pytest.mark.parametrize("seed", range(5))
def test_bm25_top_k_equals_scoring_the_whole_catalog(seed):
    texts = random_texts(400, seed)
    index = KeywordIndex(texts)
    rng = np.random.default_rng(seed)
    mask = rng.random(len(texts)) < 0.5
    for query in ("red jacket", "kdl40v4100 pro", "wi-fi lamp", "warm", "blue shoe usb-c max", "nothing here"):
        for m in (None, mask):
            got = [(h.index, h.score) for h in index.search(query, 7, mask=m)]
            want = brute_force(index, query, 7, m)
            assert [i for i, _ in got] == [i for i, _ in want], query
            assert np.allclose([s for _, s in got], [s for _, s in want])


def test_bm25_ties_keep_catalog_order_and_terms_are_reported():
    index = KeywordIndex(["red shoe", "red hat", "red shoe", "blue"])
    hits = index.search("red shoe", 3)
    assert [h.index for h in hits] == [0, 2, 1]
    assert hits[0].terms == ("red", "shoe") and hits[2].terms == ("red",)


def catalog(n: int, seed: int = 0) -> list[Product]:
    rng = random.Random(seed)
    return [Product(id=f"P{i}", title=f"item {i}", description="", category=rng.choice(["a", "b", "c", "d"]),
                    brand=rng.choice(["X", "Y"]), price=None if i % 17 == 0 else round(rng.uniform(1, 100), 2),
                    stock=rng.choice([0, 1, 5])) for i in range(n)]


class Vectors:
    """A stand-in embedder: fixed random unit vectors per text (no model needed)."""

    def __init__(self, dim: int = 16) -> None:
        self.dim = dim

    def encode(self, texts, **_):
        out = []
        for t in texts:
            v = np.random.default_rng(abs(hash(t)) % 2**32).normal(size=self.dim)
            out.append(v / np.linalg.norm(v))
        return np.array(out, dtype=np.float32)


@pytest.fixture
def vector_search(tmp_path) -> ProductSearch:
    products = catalog(600)
    embedder = Vectors()
    store = ProductStore(open_client(None, tmp_path / "index"), embedder, RetrievalSettings())
    store.collection.upsert(ids=[p.id for p in products], embeddings=embedder.encode([p.id for p in products]),
                            metadatas=[product_metadata(p) for p in products], documents=["" for _ in products])
    return ProductSearch(store, {p.id: p for p in products}, RetrievalSettings(popularity_weight=0.0))


@pytest.mark.parametrize("constraints", [
    Constraints(text="q", category="a"),                      # a quarter: exact, in memory
    Constraints(text="q", category="b", brands=("Y",), price_max=50.0),
    Constraints(text="q", in_stock=True),                     # two thirds: HNSW with more candidates
    Constraints(text="q", price_min=10.0),
    Constraints(text="q", category="nope"),
])
def test_filtered_dense_search_equals_chromas_where_filter(vector_search, constraints):
    mask = vector_search.filter_mask(constraints)
    assert mask.tolist() == [constraints.allows(p) for p in vector_search.catalog.values()]
    matching = int(mask.sum())
    for query in ("first query", "second", "third one"):
        got = vector_search.dense_ids(query, 10, mask, matching)
        want = vector_search.store.dense_ids(query, 10, constraints.chroma_where()) if matching else []
        assert [pid for pid, _ in got] == [pid for pid, _ in want]
        assert np.allclose([s for _, s in got], [s for _, s in want], atol=1e-5)
        exact = np.flatnonzero(mask)
        sims = vector_search.vectors[0][exact] @ vector_search.store.query_vector(query)
        assert [pid for pid, _ in got] == [vector_search.ids[i] for i in exact[np.argsort(-sims, kind="stable")][:10]]


def test_products_without_a_vector_are_never_dense_hits(vector_search):
    extra = Product(id="NEW", title="new", description="", category="a", brand="X", price=5.0, stock=1)
    search = ProductSearch(vector_search.store, {**vector_search.catalog, "NEW": extra}, vector_search.config)
    mask = search.filter_mask(Constraints(text="q", category="a"))
    assert mask[search.position["NEW"]]
    assert "NEW" not in [pid for pid, _ in search.dense_ids("q", 600, mask)]


def test_query_vectors_are_cached_and_read_only(vector_search):
    store = vector_search.store
    first = store.query_vector("same words")
    assert store.query_vector("same words") is first and not first.flags.writeable


def test_onnx_embedder_gives_the_sentence_transformers_vectors(tmp_path, embedder):
    texts = ["waterproof jacket", "Sony KDL-40V4100 40\" LCD TV " * 20, "a", "running shoes for road marathons"]
    lazy = LazyEmbedder(cache_dir=tmp_path / "embedder")
    fast = lazy.vectors(texts, batch_size=2, max_tokens=128)
    assert lazy._onnx is not None, "the ONNX export failed"
    embedder.max_seq_length = 128
    slow = embedder.encode(texts, normalize_embeddings=True)
    assert fast.shape == slow.shape and np.abs(fast - slow).max() < 1e-4
    again = LazyEmbedder(cache_dir=tmp_path / "embedder")  # the export is reused, not redone
    assert np.allclose(again.vectors(texts[:1], batch_size=8, max_tokens=128), fast[:1], atol=1e-6)
    assert len(list((tmp_path / "embedder").glob("*.onnx"))) == 1
