"""Retrieval evaluation: BM25, dense and hybrid on one query set, in one run; and the fusion grid.

    shopassist evaluate retrieval --catalog ../shared/datasets/abt_buy/abt.csv --queries QUERIES.csv
    shopassist evaluate fusion --catalog ../shared/datasets/abt_buy/abt.csv --queries QUERIES.csv
    .venv/bin/python -m benchmarks.retrieval_abt_buy     # builds QUERIES.csv from Abt-Buy, then runs this

QUERIES.csv has columns `query,relevant_id`. The catalog is ingested into a temporary store
(nothing touches the user's index); the last line printed is one JSON object with recall@1,
recall@10, MRR@10 and latency percentiles for the shipped method (hybrid) and per method.

The fusion grid asks each method for its ranked candidates once per query, then fuses them in
numpy for every (rrf_k, dense_weight, bm25_weight) point, reproducing `ProductSearch.search`
exactly (same candidates, same normalise-and-round, same tie order). The queries are split in two
halves by a seeded hash: the pick is made on one half, preferring a flat optimum, and checked
against the current defaults on the other half with a paired bootstrap.
"""

from __future__ import annotations

import csv
import hashlib
import json
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from data.errors import BadInput
from retrieval.config import RetrievalSettings

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


def _eval_retriever(config: RetrievalSettings, catalog: str | Path, index_dir: Path, *, progress: bool):
    """The catalog in an evaluation collection under `index_dir`, both methods on, no personal or popularity nudge."""
    from retrieval.search import build_retriever

    # Personal and popularity nudges off: this measures matching words to products.
    evaluation = config.changed(catalog=Path(catalog), collection="evaluation", use_dense=True, use_bm25=True,
                                profile_weight=0.0, popularity_weight=0.0)
    return build_retriever(evaluation, index_dir, progress=progress)


def evaluate_retrieval(retrieval: RetrievalSettings, catalog: str | Path, queries_path: str | Path, *,
                       plot: Path | None = None, config: EvalConfig = EvalConfig(),
                       progress: bool = False) -> dict[str, Any]:
    """Ingest `catalog` into a temporary store and score each method on the queries."""
    queries = load_queries(queries_path)
    with tempfile.TemporaryDirectory(prefix="shopassist-eval-") as home:
        started = time.perf_counter()
        base = _eval_retriever(retrieval, catalog, Path(home) / "index", progress=progress)
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


# -- fusion grid ------------------------------------------------------------------------------

@dataclass(frozen=True)
class FusionGridConfig:
    rrf_k: tuple[int, ...] = (1, 2, 3, 5, 10, 20, 60)  # RRF damping constants tried
    dense_weight: tuple[float, ...] = (0.5, 1.0, 1.5, 2.0)  # weights of the dense list tried
    bm25_weight: tuple[float, ...] = (0.5, 1.0, 1.5, 2.0, 3.0, 4.0)  # weights of the keyword list tried
    k: int = 10  # cut-off for recall@k and MRR@k (MRR@k is what the pick maximises)
    seed: int = 9  # seeds the hash that splits the queries into a choose half and a confirm half
    bootstrap: int = 2000  # paired bootstrap resamples of the confirm half

    def __post_init__(self) -> None:
        if not (self.rrf_k and self.dense_weight and self.bm25_weight):
            raise ValueError("every grid axis needs at least one value")
        if min(self.rrf_k) < 1 or min(self.dense_weight + self.bm25_weight) < 0:
            raise ValueError("rrf_k values must be >= 1 and weights >= 0")
        if max(self.dense_weight) == 0 and max(self.bm25_weight) == 0:
            raise ValueError("the weights cannot all be 0")
        if self.k < 1 or self.bootstrap < 1:
            raise ValueError("k and bootstrap must be >= 1")

    def points(self) -> np.ndarray:
        """(rrf_k x dense_weight x bm25_weight, 3) grid points, bm25_weight varying fastest."""
        axes = np.meshgrid(self.rrf_k, self.dense_weight, self.bm25_weight, indexing="ij")
        return np.stack([a.ravel() for a in axes], axis=1).astype(float)


def candidate_lists(retriever, query: str) -> dict[str, list[str]]:
    """Each method's ranked candidate ids for one query, exactly as `ProductSearch.search` gathers them
    before fusion (same constraints, filters, candidate count and similarity floor)."""
    from retrieval.constraints import parse_constraints

    c = parse_constraints(query, retriever.vocabulary)
    if not c.text and not c.has_filters:
        return {}
    mask = retriever.filter_mask(c)
    matching = int(mask.sum()) if mask is not None else len(retriever.ids)
    if matching == 0:
        return {}
    if not c.text:  # filters only: best sellers, fused alone with weight 1
        return {"popular": retriever._popular(mask, retriever.config.candidates)}
    dense = retriever.dense_ids(c.text, min(retriever.config.candidates, matching), mask, matching)
    lists = {"dense": [pid for pid, sim in dense if sim >= retriever.config.min_similarity and pid in retriever.position]}
    keyword = retriever.keyword.search(c.text, retriever.config.candidates, mask=mask)
    lists["bm25"] = [retriever.ids[h.index] for h in keyword]
    return lists


def fused_ranks(lists: dict[str, list[str]], relevant: str, points: np.ndarray) -> np.ndarray:
    """(grid points,) rank of `relevant` after RRF at each (rrf_k, dense_weight, bm25_weight); 0 = absent.

    Mirrors `reciprocal_rank_fusion` + `ProductSearch._rerank`: scores divided by the best, rounded
    to 4 decimals, stable-sorted, so ties keep first-seen order (dense list first).
    """
    order = list(dict.fromkeys(pid for ids in lists.values() for pid in ids))  # (items,) first-seen order
    if relevant not in order:
        return np.zeros(len(points), dtype=int)
    position = {pid: i for i, pid in enumerate(order)}
    k = points[:, :1]  # (grid, 1)
    weight = {"dense": points[:, 1:2], "bm25": points[:, 2:3]}
    scores = np.zeros((len(points), len(order)))  # (grid, items)
    for name, ids in lists.items():
        ranks = np.arange(1, len(ids) + 1, dtype=float)
        cols = [position[pid] for pid in ids]
        scores[:, cols] += weight.get(name, np.ones_like(k)) / (k + ranks)
    top = scores.max(axis=1, keepdims=True)
    scores = np.round(scores / np.where(top > 0, top, 1.0), 4)
    at = position[relevant]
    mine = scores[:, at : at + 1]
    return 1 + (scores > mine).sum(axis=1) + (scores[:, :at] == mine).sum(axis=1)


def rank_metrics(ranks: np.ndarray, k: int) -> dict[str, float]:
    """recall@1, recall@k, MRR@k from ranks (queries,) with 0 = not retrieved."""
    found = (ranks >= 1) & (ranks <= k)
    rr = np.where(found, 1.0 / np.maximum(ranks, 1), 0.0)
    return {"n": int(len(ranks)), "recall_at_1": round(float((ranks == 1).mean()), 4),
            f"recall_at_{k}": round(float(found.mean()), 4), f"mrr_at_{k}": round(float(rr.mean()), 4)}


def _reciprocal(ranks: np.ndarray, k: int) -> np.ndarray:
    return np.where((ranks >= 1) & (ranks <= k), 1.0 / np.maximum(ranks, 1), 0.0)


def split_halves(queries: list[tuple[str, str]], seed: int) -> np.ndarray:
    """(queries,) bool, True = choose half: a seeded hash of the query, stable across runs and machines."""
    digest = lambda q, rid: hashlib.sha256(f"{seed}|{q}|{rid}".encode()).digest()[0]
    return np.array([digest(q, rid) % 2 == 0 for q, rid in queries])


def flat_objective(values: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Mean of each grid point and its neighbours (one step along each axis, clipped at the edges):
    a point wins only if the ground around it is high too, which travels better to new data."""
    grid = values.reshape(shape)
    padded = np.pad(grid, 1, mode="constant", constant_values=np.nan)
    windows = np.lib.stride_tricks.sliding_window_view(padded, (3,) * grid.ndim)
    return np.nanmean(windows.reshape(*shape, -1), axis=-1).ravel()


def choose_fusion(ranks: np.ndarray, default_ranks: np.ndarray, choose: np.ndarray, config: FusionGridConfig,
                  points: np.ndarray, default: np.ndarray) -> dict[str, Any]:
    """Pick on the choose half (flat-optimum MRR@k), then test pick vs default on the confirm half."""
    shape = (len(config.rrf_k), len(config.dense_weight), len(config.bm25_weight))
    mrr = _reciprocal(ranks[choose], config.k).mean(axis=0)  # (grid,)
    smooth = flat_objective(mrr, shape)
    moved = ~np.all(np.isclose(points, default), axis=1)  # ties go to the current default
    # Flattest high ground first, then the highest point on it, then no change.
    best = int(np.lexsort((moved, -np.round(mrr, 6), -np.round(smooth, 6)))[0])
    confirm = ~choose
    gain = _reciprocal(ranks[confirm, best], config.k) - _reciprocal(default_ranks[confirm], config.k)  # (confirm,)
    rng = np.random.default_rng(config.seed)
    boot = gain[rng.integers(0, len(gain), size=(config.bootstrap, len(gain)))].mean(axis=1) if len(gain) else np.zeros(1)
    low, high = np.percentile(boot, [2.5, 97.5])
    choose_gain = float((_reciprocal(ranks[choose, best], config.k) - _reciprocal(default_ranks[choose], config.k)).mean())
    holds = bool(low > 0 and choose_gain > 0)
    return {"index": best, "mrr_choose": mrr, "smooth_choose": smooth, "holds": holds,
            "confirm_gain": round(float(gain.mean()) if len(gain) else 0.0, 4),
            "confirm_gain_ci95": [round(float(low), 4), round(float(high), 4)], "choose_gain": round(choose_gain, 4)}


def evaluate_fusion(retrieval: RetrievalSettings, catalog: str | Path, queries_path: str | Path, *,
                    plot: Path | None = None, config: FusionGridConfig = FusionGridConfig(),
                    index_home: Path | None = None, progress: bool = False) -> dict[str, Any]:
    """Grid over rrf_k x dense_weight x bm25_weight on cached candidate lists; choose on one half,
    confirm on the other. `index_home` keeps the evaluation index between runs (default: temporary)."""
    from tqdm.auto import tqdm

    queries = load_queries(queries_path)
    with tempfile.TemporaryDirectory(prefix="shopassist-fusion-") as temp:
        base = _eval_retriever(retrieval, catalog, (index_home or Path(temp)) / "index", progress=progress)
        lists = [candidate_lists(base, q) for q, _ in tqdm(queries, desc="candidates", disable=not progress, unit="q")]
    points = config.points()
    default = np.array([[retrieval.rrf_k, retrieval.dense_weight, retrieval.bm25_weight]], dtype=float)
    ranks = np.stack([fused_ranks(ls, rid, points) for ls, (_, rid) in zip(lists, queries)])  # (queries, grid)
    default_ranks = np.array([fused_ranks(ls, rid, default)[0] for ls, (_, rid) in zip(lists, queries)])
    single = {name: np.array([ls.get(name, []).index(rid) + 1 if rid in ls.get(name, []) else 0
                              for ls, (_, rid) in zip(lists, queries)]) for name in ("bm25", "dense")}
    choose = split_halves(queries, config.seed)
    pick = choose_fusion(ranks, default_ranks, choose, config, points, default[0])
    best = pick["index"]
    as_params = lambda p: {"rrf_k": int(p[0]), "dense_weight": float(p[1]), "bm25_weight": float(p[2])}
    halves = {}
    for name, rows in (("choose_half", choose), ("confirm_half", ~choose)):
        halves[name] = {"best": rank_metrics(ranks[rows, best], config.k),
                        "current_default": rank_metrics(default_ranks[rows], config.k),
                        **{m: rank_metrics(single[m][rows], config.k) for m in single}}
    halves["confirm_half"].update(gain_mrr=pick["confirm_gain"], gain_mrr_ci95=pick["confirm_gain_ci95"])
    halves["choose_half"]["gain_mrr"] = pick["choose_gain"]
    same = np.allclose(points[best], default[0])
    decision = ("keep: the pick is the current default" if same else
                "change: the pick beats the default on both halves, bootstrap CI above 0 on the confirm half" if pick["holds"]
                else "keep: the pick's gain over the default does not hold on the confirm half")
    result = {"best": {**as_params(points[best]), f"mrr_at_{config.k}_choose": round(float(pick["mrr_choose"][best]), 4),
                       "neighbourhood_mrr_choose": round(float(pick["smooth_choose"][best]), 4)},
              **halves, "current_default": as_params(default[0]), "decision": decision, "grid": int(len(points)),
              "seed": config.seed, "candidates": base.config.candidates, "catalog_size": len(base.catalog),
              "all_halves": {"best": rank_metrics(ranks[:, best], config.k),
                             "current_default": rank_metrics(default_ranks, config.k)}}
    if plot:
        confirm_mrr = _reciprocal(ranks[~choose], config.k).mean(axis=0)
        save_fusion_plot(config, pick["mrr_choose"], confirm_mrr, points[best], default[0], plot)
        result["plot"] = str(plot)
    return result


def save_fusion_plot(config: FusionGridConfig, choose_mrr: np.ndarray, confirm_mrr: np.ndarray, best: np.ndarray,
                     default: np.ndarray, path: Path) -> None:
    """Heatmaps of MRR@k, rrf_k x bm25_weight, one column per dense_weight; rows = choose / confirm half."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shape = (len(config.rrf_k), len(config.dense_weight), len(config.bm25_weight))
    values = np.concatenate([choose_mrr, confirm_mrr])
    vmin, vmax = float(np.percentile(values, 5)), float(values.max())
    cols = len(config.dense_weight)
    fig, axes = plt.subplots(2, cols, figsize=(2.4 * cols + 1.2, 6.6), dpi=120, squeeze=False, layout="constrained")
    for row, (label, mrr) in enumerate((("choose half", choose_mrr), ("confirm half", confirm_mrr))):
        grid = mrr.reshape(shape)
        for j, dense in enumerate(config.dense_weight):
            ax = axes[row][j]
            image = ax.imshow(grid[:, j, :], vmin=vmin, vmax=vmax, cmap="viridis", aspect="auto")
            for (i, b), v in np.ndenumerate(grid[:, j, :]):
                ax.text(b, i, f"{v:.3f}"[1:], ha="center", va="center", fontsize=5, color="w" if v < (vmin + vmax) / 2 else "k")
            for mark, point, colour in (("*", best, "red"), ("o", default, "white")):
                if point[1] == dense and point[0] in config.rrf_k and point[2] in config.bm25_weight:
                    ax.scatter(config.bm25_weight.index(point[2]), config.rrf_k.index(int(point[0])), marker=mark,
                               s=90, facecolors="none" if mark == "o" else colour, edgecolors=colour, linewidths=1.2)
            ax.set_xticks(range(len(config.bm25_weight)), [f"{w:g}" for w in config.bm25_weight], fontsize=6)
            ax.set_yticks(range(len(config.rrf_k)), [str(v) for v in config.rrf_k], fontsize=6)
            ax.set_title(f"{label}, dense weight {dense:g}", fontsize=7)
            ax.set_xlabel("bm25_weight", fontsize=6)
            if j == 0:
                ax.set_ylabel("rrf_k", fontsize=6)
    fig.colorbar(image, ax=axes, shrink=0.5, label=f"MRR@{config.k}")
    fig.suptitle("RRF fusion grid (red star = pick on the choose half, white circle = current default)", fontsize=8)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
