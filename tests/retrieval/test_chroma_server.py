"""A Chroma server (`chroma run`) as the product index: ingest, results, faults and recovery.

One throwaway server for the module (benchmarks/servers.py), the demo catalog, the real embedder.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from benchmarks.servers import available, chroma_server
from data import DEMO_DIR
from data.errors import StoreUnavailable
from retrieval.config import RetrievalSettings
from retrieval.ingest import ingest_catalog
from retrieval.search import ProductSearch, build_retriever
from retrieval.store import open_client

pytestmark = [pytest.mark.e2e,  # a server in its own process
              pytest.mark.skipif(available()["chroma"] is not None, reason=str(available()["chroma"]))]

DEMO_CATALOG = DEMO_DIR / "catalog.jsonl"
QUERIES = [
    "noise cancelling headphones for long flights",
    "headphones under $50",
    "Sonora headphones",
    "running shoes in stock",
    "waterproof jacket under $100",
    "a gift for someone who likes cooking",
    "cheapest camera",
    "espresso or coffee machine",
    "laptop between $500 and $1000",
    "something warm for winter walks",
    "Trailform jacket in stock",
    "yoga mat",
    "do you sell submarines",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with chroma_server(tmp_path_factory.mktemp("chroma")) as running:
        yield running


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    """Index folders side by side, so every store shares one ONNX export of the embedder (`<work>/embedder`)."""
    return tmp_path_factory.mktemp("work")


@pytest.fixture(scope="module")
def server_config(server) -> RetrievalSettings:
    return RetrievalSettings(catalog=DEMO_CATALOG, chroma_server=server.address, collection="demo-products")


@pytest.fixture(scope="module")
def server_search(server_config, work) -> ProductSearch:
    return build_retriever(server_config, work / "index-server")


def ranked(search: ProductSearch, query: str) -> list[tuple[str, float]]:
    return [(h.product.id, h.score) for h in search.search(query, 5)]


def test_ingest_into_the_server_is_incremental(server, server_config, work, tmp_path):
    config = server_config.changed(collection="demo-ingest")
    index_dir = work / "index-ingest"
    first = ingest_catalog(config, index_dir)
    assert first.synced == {"added_or_updated": 350, "deleted": 0, "unchanged": 0}
    on_server = open_client(server.address, None).get_collection("demo-ingest")  # another client sees it all
    assert first.store.count() == on_server.count() == len(first.products) == 350
    assert not index_dir.exists()  # nothing was indexed locally

    again = ingest_catalog(config, index_dir)
    assert again.synced == {"added_or_updated": 0, "deleted": 0, "unchanged": 350}
    assert again.store.embedder._model is None and not again.store.embedder._onnx_tried  # nothing embedded

    rows = [json.loads(line) for line in DEMO_CATALOG.read_text().splitlines()]
    changed_id, removed_id = rows[0]["id"], rows[-1]["id"]
    rows[0]["description"] = "A completely rewritten description: a ceramic teapot for green tea."
    edited = tmp_path / "edited.jsonl"
    edited.write_text("".join(json.dumps(r) + "\n" for r in rows[:-1]), encoding="utf-8")
    ids = [r["id"] for r in rows[:-1]]
    before, _ = again.store.vectors(ids)
    third = ingest_catalog(config.changed(catalog=edited), index_dir)
    assert third.synced == {"added_or_updated": 1, "deleted": 1, "unchanged": 348}
    after, present = third.store.vectors(ids)
    assert present.all() and third.store.count() == on_server.count() == 349
    assert [ids[i] for i in np.flatnonzero(np.any(before != after, axis=1))] == [changed_id]  # only it re-embedded
    got = on_server.get(ids=[changed_id, removed_id], include=["documents"])
    assert got["ids"] == [changed_id] and got["documents"] == [rows[0]["description"]]


def test_server_and_embedded_index_give_the_same_results(server_search, server_config, work):
    embedded = build_retriever(server_config.changed(chroma_server=None), work / "index-embedded")
    assert embedded.store.count() == server_search.store.count() == 350
    found = 0
    for query in QUERIES:
        remote, local = ranked(server_search, query), ranked(embedded, query)
        assert [pid for pid, _ in remote] == [pid for pid, _ in local], query
        assert np.allclose([s for _, s in remote], [s for _, s in local], atol=1e-6), query
        # The server sends distances as JSON, each the shortest decimal of its float32: the same order, 1e-8 apart.
        remote_evidence, local_evidence = server_search.evidence(query), embedded.evidence(query)
        assert remote_evidence.names == local_evidence.names, query
        assert remote_evidence.similarity == pytest.approx(local_evidence.similarity, abs=1e-6), query
        found += bool(remote)
    assert found >= len(QUERIES) - 2  # the comparison is not over empty pages


def test_a_stopped_server_is_store_unavailable_and_the_same_objects_recover(server, server_search, server_config, work):
    store = server_search.store
    products = list(server_search.catalog.values())
    before = {q: ranked(server_search, q) for q in QUERIES}
    server.stop()
    try:
        calls = {
            "dense search": lambda: store.dense_ids("rain jacket", 5),
            "vectors": lambda: store.vectors(server_search.ids),
            "count": store.count,
            "sync": lambda: store.sync(products),
            "search": lambda: server_search.search("something cosy to wear on a rainy day", 4),  # no filter: HNSW
            "evidence": lambda: server_search.evidence("do you sell tents"),
            "start-up": lambda: build_retriever(server_config, work / "index-down"),
        }
        for name, call in calls.items():
            with pytest.raises(StoreUnavailable) as info:
                call()
            error = info.value
            assert error.status_code == 503 and error.retry_after > 0, name
            assert f"Chroma server {server.address}" in error.message and "cannot be reached" in error.message, name
    finally:
        server.start()  # same folder, same port
    assert {q: ranked(server_search, q) for q in QUERIES} == before
    assert store.count() == 350
    assert store.sync(products) == {"added_or_updated": 0, "deleted": 0, "unchanged": 350}


def test_a_restart_between_turns_goes_unnoticed(server, server_search):
    before = ranked(server_search, "waterproof jacket under $100")
    assert before
    server.restart(down_s=0.5)  # the client's pooled connection is now to a dead process
    assert ranked(server_search, "waterproof jacket under $100") == before
    assert server_search.store.count() == 350
