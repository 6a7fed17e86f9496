"""Fusion and re-ranking: reciprocal rank fusion of the dense and keyword lists, then an
optional nudge from the shopper's profile (or from store popularity for guests).

RRF (Cormack et al., 2009) adds w / (k + rank) per list: it needs no score calibration
between cosine similarities and BM25 scores, which live on unrelated scales.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from data.schema import Product
from retrieval.types import Taste


def reciprocal_rank_fusion(rankings: Mapping[str, Sequence[str]], weights: Mapping[str, float], k: int) -> dict[str, float]:
    """id -> sum over lists of weight / (k + rank), rank starting at 1."""
    fused: dict[str, float] = {}
    for name, ids in rankings.items():
        weight = weights.get(name, 1.0)
        for rank, pid in enumerate(ids, start=1):
            fused[pid] = fused.get(pid, 0.0) + weight / (k + rank)
    return fused


def popularity_from_orders(lines: Iterable) -> dict[str, float]:
    """product id -> popularity in [0, 1]: log of units sold, scaled by the best seller."""
    units: Counter[str] = Counter()
    for line in lines:
        if getattr(line, "status", "") not in ("cancelled", "returned"):
            units[line.product_id] += line.quantity
    if not units:
        return {}
    top = math.log1p(max(units.values()))
    return {pid: math.log1p(n) / top for pid, n in units.items()}


def has_history(view: Taste | None) -> bool:
    return view is not None and bool(view.top_categories or view.top_brands or view.price_band)


def profile_affinity(product: Product, view: Taste) -> tuple[float, list[str]]:
    """0..1 from the shopper's top categories (0.5), brands (0.3) and price band (0.2), with reasons."""
    score, reasons = 0.0, []
    if product.category and product.category in view.top_categories:
        score += 0.5
        reasons.append(f"you often buy {product.category}")
    if product.brand and product.brand in view.top_brands:
        score += 0.3
        reasons.append(f"you like {product.brand}")
    if view.price_band and product.price is not None:
        low, high = view.price_band
        if low <= product.price <= high:
            score += 0.2
            reasons.append(f"in your usual price range (${low:g}-${high:g})")
    return score, reasons
