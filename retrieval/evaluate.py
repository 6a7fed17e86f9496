"""Retrieval evaluation: BM25, dense and hybrid on one query set, in one run.

    shopassist evaluate retrieval --catalog ../shared/datasets/abt_buy/abt.csv --queries QUERIES.csv
    .venv/bin/python -m benchmarks.retrieval_abt_buy     # builds QUERIES.csv from Abt-Buy, then runs this

QUERIES.csv has columns `query,relevant_id`. The catalog is ingested into a temporary store
(nothing touches the user's index); the last line printed is one JSON object with recall@1,
recall@10, MRR@10 and latency percentiles for the shipped method (hybrid) and per method.
"""

from __future__ import annotations

import csv
import json
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import BadInput
from assistant.settings import Settings

METHODS = {"bm25": {"use_dense": False}, "dense": {"use_bm25": False}, "hybrid": {}}


@dataclass(frozen=True)
class EvalConfig:
    k: int = 10  # cut-off for recall@k and MRR@k
    methods: tuple[str, ...] = ("bm25", "dense", "hybrid")

    def __post_init__(self) -> None:
        unknown = set(self.methods) - set(METHODS)
        if unknown or not self.methods:
            raise ValueError(f"methods must be among {sorted(METHODS)}, got {sorted(unknown) or 'none'}")
        if self.k < 1:
            raise ValueError("k must be >= 1")


def load_queries(path: str | Path) -> list[tuple[str, str]]:
    """(query, relevant_id) rows; rows with an empty query or id are refused with their line."""
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            if not reader.fieldnames or not {"query", "relevant_id"} <= set(reader.fieldnames):
                raise BadInput(f"{path} needs columns query,relevant_id", hint=f"found: {reader.fieldnames}")
            rows = [(r["query"].strip(), str(r["relevant_id"]).strip()) for r in reader]
    except OSError as exc:
        raise BadInput(f"cannot read queries {path}: {exc}", hint="build one with: python -m benchmarks.retrieval_abt_buy") from exc
    bad = [i + 2 for i, (q, rid) in enumerate(rows) if not q or not rid]
    if bad:
        raise BadInput(f"{path}: empty query or relevant_id on line(s) {bad[:10]}", hint="fill or drop those rows")
    if not rows:
        raise BadInput(f"{path} has no queries")
    return rows


def build_abt_buy_queries(dataset_dir: str | Path, out: str | Path) -> int:
    """Abt-Buy dev queries: a Buy product's name -> the matched Abt id (matches_dev.csv)."""
    dataset_dir, out = Path(dataset_dir), Path(out)
    with (dataset_dir / "buy.csv").open(newline="", encoding="utf-8", errors="replace") as f:
        buy_names = {row["id"].strip(): row["name"].strip() for row in csv.DictReader(f)}
    with (dataset_dir / "matches_dev.csv").open(newline="", encoding="utf-8") as f:
        pairs = [(row["idAbt"].strip(), row["idBuy"].strip()) for row in csv.DictReader(f)]
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["query", "relevant_id"])
        rows = [(buy_names[b], a) for a, b in pairs if buy_names.get(b)]
        writer.writerows(rows)
    return len(rows)


def score_ranking(ranked: list[str], relevant: str, k: int) -> tuple[float, float, float]:
    """(hit@1, hit@k, reciprocal rank within k) for one query with one relevant item."""
    top = ranked[:k]
    rank = top.index(relevant) + 1 if relevant in top else 0
    return float(rank == 1), float(rank > 0), (1.0 / rank if rank else 0.0)


def percentile(values: list[float], q: float) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def evaluate_method(retriever, queries: list[tuple[str, str]], k: int, *, desc: str, progress: bool) -> dict[str, Any]:
    from tqdm.auto import tqdm

    hits1 = hitsk = rr = 0.0
    latencies = []
    retriever.search(queries[0][0], k)  # warm-up, excluded: first call pays for lazy loads
    for query, relevant in tqdm(queries, desc=desc, disable=not progress, unit="q"):
        started = time.perf_counter()
        ranked = [h.product.id for h in retriever.search(query, k)]
        latencies.append((time.perf_counter() - started) * 1000)
        a, b, c = score_ranking(ranked, relevant, k)
        hits1, hitsk, rr = hits1 + a, hitsk + b, rr + c
    n = len(queries)
    return {"n": n, "recall_at_1": round(hits1 / n, 4), f"recall_at_{k}": round(hitsk / n, 4),
            f"mrr_at_{k}": round(rr / n, 4), "latency_ms_p50": round(percentile(latencies, 50), 2),
            "latency_ms_p95": round(percentile(latencies, 95), 2)}


def evaluate_retrieval(settings: Settings, catalog: str | Path, queries_path: str | Path, *,
                       plot: Path | None = None, config: EvalConfig = EvalConfig(),
                       progress: bool = False) -> dict[str, Any]:
    """Ingest `catalog` into a temporary store and score each method on the queries."""
    from retrieval.search import build_retriever

    queries = load_queries(queries_path)
    with tempfile.TemporaryDirectory(prefix="shopassist-eval-") as home:
        temp = settings.model_copy(update={"home": Path(home), "retrieval": settings.retrieval.model_copy(
            update={"catalog": Path(catalog), "collection": "evaluation"})})
        started = time.perf_counter()
        # Personal and popularity nudges off: this measures matching words to products.
        base = build_retriever(temp, progress=progress, profile_weight=0.0, popularity_weight=0.0)
        ingest_s = time.perf_counter() - started
        missing = sum(1 for _, rid in queries if rid not in base.catalog)
        methods = {name: evaluate_method(base.with_config(**{"use_dense": True, "use_bm25": True, **METHODS[name]}),
                                         queries, config.k, desc=name, progress=progress)
                   for name in config.methods}
    main = methods.get("hybrid") or next(iter(methods.values()))
    result = {**main, "methods": methods, "catalog_size": len(base.catalog),
              "relevant_missing_from_catalog": missing, "ingest_s": round(ingest_s, 1)}
    if plot:
        save_plot(methods, plot, k=config.k)
        result["plot"] = str(plot)
    return result


def save_plot(methods: dict[str, dict[str, Any]], path: Path, *, k: int = 10) -> None:
    """Grouped bars: recall@1, recall@k, MRR@k per method."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metrics = ["recall_at_1", f"recall_at_{k}", f"mrr_at_{k}"]
    fig, ax = plt.subplots(figsize=(6, 3.2), dpi=120)
    width = 0.8 / len(methods)
    for i, (name, values) in enumerate(methods.items()):
        xs = [m + i * width for m in range(len(metrics))]
        bars = ax.bar(xs, [values[m] for m in metrics], width, label=f"{name} (p95 {values['latency_ms_p95']:.0f} ms)")
        ax.bar_label(bars, fmt="%.3f", fontsize=6)
    ax.set_xticks([m + width * (len(methods) - 1) / 2 for m in range(len(metrics))], metrics)
    ax.set_ylim(0, 1.05)
    ax.set_title(f"Retrieval, {next(iter(methods.values()))['n']} queries")
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


def dumps(result: dict[str, Any]) -> str:
    return json.dumps(result, sort_keys=False)
