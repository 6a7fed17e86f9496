"""Ingestion speed: first ingest of a catalog, then re-ingest of the unchanged file.

    .venv/bin/python -m benchmarks.retrieval_ingest [--catalog data/demo/catalog.jsonl]

Both runs go through `retrieval.ingest.ingest_catalog` into a fresh temporary Chroma store,
each in a fresh `ProductStore` as a new `shopassist ingest` process would; the embedder load
is included in the first run (the unchanged re-ingest never loads it). Prints one JSON line.

The first run in a fresh home also exports the embedder to ONNX (`<home>/embedder`, once per home,
like the chat model's conversion). `prepared_*` is a new process ingesting into a fresh index with
that export already there: what `shopassist ingest` costs from then on.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from assistant.settings import Settings
from data import DEMO_DIR


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", type=Path, default=DEMO_DIR / "catalog.jsonl")
    parser.add_argument("--embedder-cache", type=Path, help="reuse this embedder export (prints only the first ingest)")
    args = parser.parse_args(argv)

    from retrieval.ingest import ingest_catalog

    with tempfile.TemporaryDirectory(prefix="shopassist-ingest-") as home:
        settings = Settings(home=Path(home), retrieval={"catalog": args.catalog})
        if args.embedder_cache:
            (Path(home) / "embedder").symlink_to(args.embedder_cache.resolve(), target_is_directory=True)
        cpu = time.process_time()
        first = ingest_catalog(settings.retrieval, settings.index_dir, progress=True)
        cpu = time.process_time() - cpu  # CPU seconds this process used, all threads
        if args.embedder_cache:
            n = len(first.products)
            print(json.dumps({"products": n, "first_s": round(first.seconds, 2), "products_per_s": round(n / first.seconds, 1),
                              "cpu_s": round(cpu, 1), "products_per_cpu_s": round(n / cpu, 1)}))
            return
        again = ingest_catalog(settings.retrieval, settings.index_dir)
        prepared = json.loads(subprocess.run(
            [sys.executable, "-m", "benchmarks.retrieval_ingest", "--catalog", str(args.catalog),
             "--embedder-cache", str(Path(home) / "embedder")], check=True, capture_output=True, text=True,
        ).stdout.strip().splitlines()[-1])
    n = len(first.products)
    print(json.dumps({
        "catalog": str(args.catalog), "products": n, "first_s": round(first.seconds, 2),
        "products_per_s": round(n / first.seconds, 1), "reingest_s": round(again.seconds, 3),
        "speedup": round(first.seconds / again.seconds, 1), "reingest_unchanged": again.synced["unchanged"],
        # Other processes share the cores: CPU time per product says what an idle machine would do.
        "cpu_s": round(cpu, 1), "products_per_cpu_s": round(n / cpu, 1), "load_average_1m": round(os.getloadavg()[0], 1),
        "prepared_s": prepared["first_s"], "prepared_products_per_s": prepared["products_per_s"],
        "prepared_products_per_cpu_s": prepared["products_per_cpu_s"],
    }))


if __name__ == "__main__":
    main()
