"""Query latency and memory of hybrid search at 10k and 100k products (synthetic, seeded catalogs).

    .venv/bin/python -m benchmarks.retrieval_scale --size 10000                      # real embeddings
    .venv/bin/python -m benchmarks.retrieval_scale --size 100000 --vectors synthetic  # clustered random vectors

`--vectors real` embeds every product with the shipped embedder (the real ingest path).
`--vectors synthetic` writes clustered random unit vectors (one centre per category plus
noise) straight into Chroma, because embedding 100k texts on 2 shared CPU cores takes too
long; queries are still embedded with the real model, so query latency is the real cost
(encoding + HNSW + BM25 + fusion), only the relevance is meaningless. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

CATEGORIES = ["headphones", "jackets", "shoes", "kitchen", "laptops", "cameras", "watches", "backpacks",
              "lamps", "chairs", "speakers", "phones", "tents", "toys", "books", "bikes"]
BRANDS = ["Sonora", "Northpeak", "Stride", "Brewline", "Voltix", "Lumen", "Trailform", "Wavely", "Orbit",
          "Kestrel", "Nimbus", "Acorn", "Vero", "Helix", "Pico", "Zephyr"]
ADJECTIVES = ["waterproof", "wireless", "compact", "lightweight", "premium", "classic", "ergonomic", "portable",
              "durable", "smart", "vintage", "foldable", "quiet", "fast", "warm", "slim", "large", "kids"]
COLOURS = ["black", "white", "red", "blue", "green", "grey", "silver", "navy", "olive", "beige"]
QUERIES = ["wireless headphones", "waterproof jacket under $100", "running shoes", "coffee maker", "compact camera",
           "Sonora speakers between 50 and 150 dollars", "kids toys in stock", "ergonomic chair", "portable lamp",
           "lightweight tent under 200", "smart watch", "durable backpack for hiking", "fast laptop over 500"]


def synthetic_products(n: int, seed: int = 0):
    from data.schema import Product

    rng = random.Random(seed)
    for i in range(n):
        category, brand = rng.choice(CATEGORIES), rng.choice(BRANDS)
        words = rng.sample(ADJECTIVES, 2)
        model = f"{brand[:2].upper()}-{rng.randint(100, 9999)}"
        title = f"{brand} {words[0]} {rng.choice(COLOURS)} {category.rstrip('s')} {model}"
        yield Product(id=f"P{i:06d}", title=title, description=f"{words[1]} {category.rstrip('s')} by {brand}",
                      category=category, brand=brand, price=round(rng.uniform(5, 900), 2),
                      stock=rng.choice([0, 0, 3, 10, 25]), rating=round(rng.uniform(2.5, 5), 1))


def clustered_vectors(products, dim: int = 384, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = {c: rng.normal(size=dim) for c in CATEGORIES}
    vectors = np.stack([centres[p.category] + 0.8 * rng.normal(size=dim) for p in products]).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)  # (n, dim), unit length


def rss_mib() -> float:
    """Resident memory now (Linux /proc), without a psutil dependency."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--vectors", choices=["real", "synthetic"], default="real")
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args(argv)

    from tqdm.auto import tqdm

    from retrieval.config import RetrievalSettings
    from retrieval.search import ProductSearch
    from retrieval.store import LazyEmbedder, ProductStore, open_client, product_metadata

    products = list(synthetic_products(args.size))
    home = Path(tempfile.mkdtemp(prefix="shopassist-scale-"))
    # The embedder as `shopassist` opens it: ONNX Runtime, exported into the (temporary) home on first use.
    store = ProductStore(open_client(None, home / "index"), LazyEmbedder(cache_dir=home / "embedder"),
                         RetrievalSettings(batch_size=256))
    started = time.perf_counter()
    if args.vectors == "real":
        store.sync(products, progress=True)
    else:
        vectors = clustered_vectors(products)
        step = 4096
        for start in tqdm(range(0, len(products), step), desc="inserting vectors"):
            batch = products[start : start + step]
            store.collection.upsert(ids=[p.id for p in batch], embeddings=vectors[start : start + step],
                                    documents=[p.description for p in batch],
                                    metadatas=[product_metadata(p) for p in batch])
    build_s = time.perf_counter() - started
    t0 = time.perf_counter()
    search = ProductSearch(store, {p.id: p for p in products}, RetrievalSettings(popularity_weight=0.0))
    bm25_s = time.perf_counter() - t0
    queries = [QUERIES[i % len(QUERIES)] + ("" if i < len(QUERIES) else f" {random.Random(i).choice(COLOURS)}")
               for i in range(args.queries + 1)]
    latencies, cpu = [], []
    for query in tqdm(queries, desc="queries"):
        t, c = time.perf_counter(), time.process_time()
        search.search(query, 10)
        latencies.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)  # CPU this process used, all threads: robust to other load
    latencies, cpu = latencies[1:], cpu[1:]  # the first query pays for loading (and exporting) the embedder
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    cpu_cuts = statistics.quantiles(cpu, n=100, method="inclusive")
    print(json.dumps({
        "size": args.size, "vectors": args.vectors, "queries": len(latencies),
        "latency_ms_p50": round(cuts[49], 2), "latency_ms_p95": round(cuts[94], 2),
        "index_build_s": round(build_s, 1), "bm25_build_s": round(bm25_s, 1),
        "rss_mib": round(rss_mib(), 0), "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 0),
        "cpu_ms_p50": round(cpu_cuts[49], 2), "cpu_ms_p95": round(cpu_cuts[94], 2),
        "load_average_1m": round(os.getloadavg()[0], 1), "cpu_cores": os.cpu_count(),
    }))


if __name__ == "__main__":
    sys.exit(main())
