"""Ingestion speed: first ingest of a catalog, then re-ingest of the unchanged file.

    .venv/bin/python -m benchmarks.retrieval_ingest [--catalog data/demo/catalog.jsonl]

Both runs go through `retrieval.ingest.ingest_catalog` into a fresh temporary Chroma store,
each in a fresh `ProductStore` as a new `shopassist ingest` process would; the embedder load
is included in the first run (the unchanged re-ingest never loads it). Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from assistant.settings import Settings
from data import DEMO_DIR


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", type=Path, default=DEMO_DIR / "catalog.jsonl")
    args = parser.parse_args(argv)

    from retrieval.ingest import ingest_catalog

    with tempfile.TemporaryDirectory(prefix="shopassist-ingest-") as home:
        settings = Settings(home=Path(home), retrieval={"catalog": args.catalog})
        cpu = time.process_time()
        first = ingest_catalog(settings.retrieval, settings.index_dir, progress=True)
        cpu = time.process_time() - cpu  # CPU seconds this process used, all threads
        again = ingest_catalog(settings.retrieval, settings.index_dir)
    n = len(first.products)
    print(json.dumps({
        "catalog": str(args.catalog), "products": n, "first_s": round(first.seconds, 2),
        "products_per_s": round(n / first.seconds, 1), "reingest_s": round(again.seconds, 3),
        "speedup": round(first.seconds / again.seconds, 1), "reingest_unchanged": again.synced["unchanged"],
        # Other processes share the cores: CPU time per product says what an idle machine would do.
        "cpu_s": round(cpu, 1), "products_per_cpu_s": round(n / cpu, 1), "load_average_1m": round(os.getloadavg()[0], 1),
    }))


if __name__ == "__main__":
    main()
