"""Product search: the entry point the assistant calls.

    retriever = build_retriever(settings)           # syncs Chroma with the catalog, builds BM25
    retriever.search("waterproof jacket under $100", 4, view=customer_view)  # -> list[Hit]
    retriever.search_with_interpretation(query, 4)  # -> SearchResult(hits, interpretation)

One query: read constraints from the words -> filter -> dense (Chroma) and keyword (BM25)
candidates -> reciprocal rank fusion -> profile or popularity nudge -> hits with reasons.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from itertools import zip_longest
from pathlib import Path
from typing import Any

import numpy as np

from data.schema import Product
from retrieval.bm25 import KeywordIndex
from retrieval.config import RetrievalSettings
from retrieval.constraints import (
    GIFT,
    Constraints,
    Vocabulary,
    attribute_pattern,
    attribute_text,
    head_phrase,
    parse_constraints,
    product_type,
)
from retrieval.hybrid import has_history, popularity_from_orders, profile_affinity, reciprocal_rank_fusion
from retrieval.store import ProductStore
from retrieval.types import Hit, Taste

OUT_OF_STOCK_PENALTY = 0.15  # of the 0..1 fused score: an out-of-stock product drops below close in-stock ones
# A filtered dense search scores the products that pass exactly, in memory, when they are at most this share of
# the catalog (a category, a brand, a price band: a few thousand rows of 100k, about a millisecond); broader
# filters ("in stock") ask Chroma's HNSW for a few times the candidates and keep those that pass.
EXACT_SHARE = 0.1


@dataclass(frozen=True)
class CatalogEvidence:
    similarity: float  # cosine similarity of the nearest product
    names: bool  # the text names a category, brand or product type of the store


def sort_hits(hits: list[Hit], sort: str) -> list[Hit]:
    """The shopper's own order ("cheapest", "best rated") over the relevant hits; unpriced items last. Equal
    prices: the better rated first (then in stock)."""
    if sort == "rating":
        return sorted(hits, key=lambda h: -(h.product.rating or 0.0))
    missing = float("inf")
    sign = 1 if sort == "price_asc" else -1
    return sorted(hits, key=lambda h: (sign * h.product.price if h.product.price is not None else missing,
                                       -(h.product.rating or 0.0), not h.product.stock))


def same_category_first(hits: list[Hit], window: int = 5) -> list[Hit]:
    """Keep a result page on one kind of thing: when the best hits agree on a category, its products go first.

    "windbreaker between $50 and $150" has one windbreaker in range; the next best matches are
    sweaters by their words, but a shopper wants the other jackets."""
    if not hits:
        return hits
    weight: dict[str, float] = {}
    for h in hits[:window]:
        weight[h.product.category] = weight.get(h.product.category, 0.0) + h.score
    best = max(weight, key=weight.get)
    if not best or best != hits[0].product.category:
        return hits
    return [h for h in hits if h.product.category == best] + [h for h in hits if h.product.category != best]


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit]
    interpretation: Constraints  # how the query was read; `.as_dict()` for JSON
    method: str = "hybrid"
    matching: int = 0  # products that pass the filters

    def as_dict(self) -> dict[str, Any]:
        return {"method": self.method, "matching": self.matching, "interpretation": self.interpretation.as_dict(),
                "hits": [asdict(h) for h in self.hits]}


@dataclass
class ProductSearch:
    store: ProductStore
    catalog: dict[str, Product]
    config: RetrievalSettings = field(default_factory=RetrievalSettings)
    popularity: dict[str, float] = field(default_factory=dict)
    keyword: KeywordIndex | None = None
    # The store's vectors in catalog order and which products have one (`ProductStore.vectors`); loaded on start.
    vectors: tuple[np.ndarray, np.ndarray] | None = None

    def __post_init__(self) -> None:
        self.ids = list(self.catalog)
        self.position = {pid: i for i, pid in enumerate(self.ids)}
        products = list(self.catalog.values())
        self.vocabulary = Vocabulary.from_products(products)
        # Column arrays for in-memory filtering, aligned with self.ids.
        self.prices = np.array([np.nan if p.price is None else p.price for p in products], dtype=float)
        # Categories and brands as small integer codes: comparing 100k codes costs microseconds, 100k strings milliseconds.
        self.category_names, self.categories = _codes([p.category.lower() for p in products])
        self.brand_names, self.brands = _codes([p.brand.lower() for p in products])
        self.kind_names, self.kinds = _codes([product_type(p).lower() for p in products])
        self.stock = np.array([p.stock or 0 for p in products], dtype=int)
        self.texts = [attribute_text(" ".join((p.title, p.description, *p.tags))) for p in products]
        self._attribute_masks: dict[str, np.ndarray] = {}
        self.pop = np.array([self.popularity.get(pid, 0.0) for pid in self.ids], dtype=float)
        if self.keyword is None and self.config.use_bm25:
            self.keyword = KeywordIndex([p.text() for p in products])
        if self.vectors is None and self.config.use_dense:
            self.vectors = self.store.vectors(self.ids)

    def with_config(self, **changes: Any) -> ProductSearch:
        """The same indexes searched another way (e.g. use_dense=False for a BM25 baseline)."""
        twin = ProductSearch(self.store, self.catalog, self.config.changed(**changes), self.popularity,
                             self.keyword or (KeywordIndex([p.text() for p in self.catalog.values()])),
                             self.vectors)
        return twin

    def search(self, query: str, k: int, *, view: Taste | None = None) -> list[Hit]:
        return self.search_with_interpretation(query, k, view=view).hits

    def evidence(self, text: str) -> CatalogEvidence:
        """How well a message matches what this store sells: the nearest product's cosine, and whether
        it names one of the store's categories, brands or product types."""
        nearest = self.store.dense_ids(text, 1) if self.config.use_dense and self.ids else []
        return CatalogEvidence(similarity=nearest[0][1] if nearest else 0.0, names=self.vocabulary.names_something(text))

    def search_with_interpretation(self, query: str, k: int, *, view: Taste | None = None,
                                   base: Constraints | None = None) -> SearchResult:
        """Search by the shopper's words; `base` is the search being refined ("any under $40?" after "running shoes")."""
        constraints = parse_constraints(query, self.vocabulary)
        if base is not None:
            constraints = base.refine(constraints)
        alternatives = [a for a in re.split(r"\s+or\s+|\s*/\s*", constraints.text) if a.strip()]
        if len(alternatives) in (2, 3) and base is None:  # "espresso or coffee machine": each one, interleaved
            results = [self.search_constraints(replace(constraints, category=None).refine(parse_constraints(a, self.vocabulary)),
                                               k, view=view) for a in alternatives]
            merged = list({h.product.id: h for pair in zip_longest(*(r.hits for r in results)) for h in pair if h}.values())
            if merged:
                return SearchResult(merged[:k], constraints, results[0].method, sum(r.matching for r in results))
        result = self.search_constraints(constraints, k, view=view)
        liked = bool(GIFT.search(query))  # "a gift for my mom who loves skincare": what they love is an interest
        if not result.hits and not constraints.category and (category := self.activity_category(constraints.text, interest=liked)):
            # "a gift for someone who likes cooking": the activity names the category its products share
            return self.search_constraints(replace(constraints, text=category, category=category), k, view=view)
        return result

    def activity_category(self, text: str, *, nearest: int = 5, floor: float = 0.3, interest: bool = False) -> str | None:
        """The category an activity ("cooking", "skiing", "working out") points at: the one its `nearest`
        products all share, the best of them at least `floor` similar. Only for an -ing word, which names
        a pastime, not a thing the store might lack ("coat rack" is near the coats and still not sold), or for
        what a gift's receiver is said to love (`interest`)."""
        phrase = head_phrase(text)
        if not phrase or not (interest or phrase[-1].endswith("ing")) or not self.config.use_dense or not self.ids:
            return None
        near = self.store.dense_ids(text, nearest)
        categories = {self.catalog[pid].category for pid, _ in near if pid in self.catalog}
        return categories.pop() if len(categories) == 1 and near[0][1] >= floor else None

    def search_constraints(self, constraints: Constraints, k: int, *, view: Taste | None = None) -> SearchResult:
        method = self.config.method
        if not constraints.text and not constraints.has_filters:
            return SearchResult([], constraints, method)
        mask = self.filter_mask(constraints)
        matching = int(mask.sum()) if mask is not None else len(self.ids)
        if matching == 0 or k < 1:
            reason = f"no product matches {', '.join(constraints.describe())}" if matching == 0 else "k < 1"
            return SearchResult([], replace(constraints, notes=constraints.notes + (reason,)), method, matching)
        reasons: dict[str, list[str]] = {}
        rankings: dict[str, list[str]] = {}
        if constraints.text and self.config.use_dense:
            n = min(self.config.candidates, matching)
            dense = self.dense_ids(constraints.text, n, mask, matching)
            dense = [(pid, sim) for pid, sim in dense if sim >= self.config.min_similarity and pid in self.position]
            rankings["dense"] = [pid for pid, _ in dense]
            similarity_of = dict(dense)
            for pid, similarity in dense:
                reasons.setdefault(pid, []).append(f"meaning matches the query (similarity {similarity:.2f})")
        if constraints.text and self.config.use_bm25 and self.keyword is not None:
            keyword_hits = self.keyword.search(constraints.text, self.config.candidates, mask=mask)
            rankings["bm25"] = [self.ids[h.index] for h in keyword_hits]
            for h in keyword_hits:
                reasons.setdefault(self.ids[h.index], []).append(
                    f"keywords {', '.join(repr(t) for t in h.terms)} (BM25 {h.score:.1f})")
        if not constraints.text:  # only filters ("in stock only"): best sellers that pass them
            rankings = {"popular": self._popular(mask, self.config.candidates)}
        elif not any(rankings.values()):
            if not (constraints.kind or constraints.category):
                note = f"no product matches the words {constraints.text[:80]!r}"
                return SearchResult([], replace(constraints, notes=constraints.notes + (note,)), method, matching)
            # The type or category names the thing and the words only describe it ("a toy for a toddler"): when no
            # product says those words, the best sellers of that kind, rather than nothing.
            rankings = {"popular": self._popular(mask, self.config.candidates)}
        fused = reciprocal_rank_fusion(rankings, {"dense": self.config.dense_weight, "bm25": self.config.bm25_weight},
                                       self.config.rrf_k)
        if constraints.text and not (constraints.kind or constraints.category):
            # "yoga mat under $15" shows no resistance bands, though both are fitness. A named type is a filter (the
            # mask); with a category, the category is the thing and the words describe it.
            fused = self._what_was_asked(fused, constraints.text, locals().get("similarity_of", {}))
            if not fused:
                note = f"nothing in the catalog is a {constraints.text[:80]!r}"
                return SearchResult([], replace(constraints, notes=constraints.notes + (note,)), method, matching)
        if constraints.sort and not self.vocabulary.strip_names(constraints.text):
            # "cheapest camera": every camera is relevant, so the order decides among all that pass the filters
            fused = {self.ids[i]: fused.get(self.ids[i], 0.0) + 1e-9 for i in np.flatnonzero(mask if mask is not None else np.ones(len(self.ids), bool))}
        hits = self._rerank(fused, reasons, constraints, view)
        if constraints.sort:
            hits = sort_hits(hits, constraints.sort)
        elif not constraints.category:
            hits = same_category_first(hits)
        return SearchResult(hits[:k], constraints, method, matching)

    def _what_was_asked(self, fused: dict[str, float], text: str, similarity_of: dict[str, float]) -> dict[str, float]:
        """The candidates that are the thing asked for: close in meaning (cosine at least `match_similarity`),
        or naming every word of the query's head phrase in their title or tags ("patio sets" needs both
        words: a sheet set is no patio set). None left: the store does not sell it."""
        phrase = head_phrase(text)
        if not phrase or phrase[-1] in self.vocabulary.categories or phrase[-1] in self.vocabulary.brands:
            return fused  # "laptops", "Sonora": the filter already holds exactly that
        patterns = [re.compile(rf"\b{re.escape(w[:-1] if w.endswith('s') and len(w) > 3 else w)}", re.I) for w in phrase]

        def relevant(pid: str) -> bool:
            if similarity_of.get(pid, 0.0) >= self.config.match_similarity:
                return True
            product = self.catalog.get(pid)
            named = " ".join((product.title, *product.tags)) if product else ""
            return all(p.search(named) for p in patterns)

        return {pid: score for pid, score in fused.items() if relevant(pid)}

    def dense_ids(self, text: str, n: int, mask: np.ndarray | None = None, matching: int | None = None) -> list[tuple[str, float]]:
        """(id, cosine similarity) of the n nearest products that pass `mask`, best first.

        No filter: Chroma's HNSW index. A narrow filter: exact cosine over the passing products' vectors in
        memory. A broad one: HNSW asked for more candidates than needed, the passing ones kept; exact if too
        few pass. The same products as Chroma's `where` filter gives (tests/retrieval/test_fast_paths.py), without its scan."""
        if mask is None:
            return self.store.dense_ids(text, n)
        matrix, present = self.vectors if self.vectors is not None else self.store.vectors(self.ids)
        matching = int(mask.sum()) if matching is None else matching
        stored = int(present.sum())
        if n < 1 or matching == 0 or stored == 0:
            return []
        share = matching / len(self.ids)
        if share > EXACT_SHARE:
            fetch = min(stored, int(n / share * 2) + 10)
            near = [(pid, sim) for pid, sim in self.store.dense_ids(text, fetch)
                    if (i := self.position.get(pid)) is not None and mask[i]]
            if len(near) >= n or fetch >= stored:
                return near[:n]
        rows = np.flatnonzero(mask & present)
        similarity = matrix[rows] @ self.store.query_vector(text)
        if n < rows.size:
            best = np.argpartition(-similarity, n - 1)[:n]
            rows, similarity = rows[best], similarity[best]
        order = np.lexsort((rows, -similarity))
        return [(self.ids[rows[i]], float(similarity[i])) for i in order]

    def filter_mask(self, c: Constraints) -> np.ndarray | None:
        """Boolean mask over self.ids of the items that pass the filters; None = no filter."""
        if not c.has_filters:
            return None
        mask = np.ones(len(self.ids), dtype=bool)
        if c.price_min is not None:
            mask &= self.prices >= c.price_min  # NaN (no price) compares False: unpriced items drop out
        if c.price_max is not None:
            mask &= self.prices <= c.price_max
        if c.category:
            mask &= self.categories == self.category_names.get(c.category.lower(), -1)
        if c.kind:  # the store's own product type, named by the shopper: exactly that kind of thing
            mask &= self.kinds == self.kind_names.get(c.kind.lower(), -1)
        if c.brands:
            mask &= np.isin(self.brands, [self.brand_names.get(b.lower(), -1) for b in c.brands])
        if c.exclude_brands:
            mask &= ~np.isin(self.brands, [self.brand_names.get(b.lower(), -1) for b in c.exclude_brands])
        for attribute in c.attributes:
            mask &= self.attribute_mask(attribute)
        if c.exclude_ids:
            mask[[self.position[i] for i in c.exclude_ids if i in self.position]] = False
        if c.in_stock:
            mask &= self.stock > 0
        return mask

    def attribute_mask(self, attribute: str) -> np.ndarray:
        """The products whose title, description or tags hold the attribute (computed once per attribute)."""
        known = self._attribute_masks.get(attribute)
        if known is None:
            pattern = attribute_pattern(attribute)
            known = np.fromiter((bool(pattern.match(t)) for t in self.texts), dtype=bool, count=len(self.texts))
            self._attribute_masks[attribute] = known
        return known

    def _popular(self, mask: np.ndarray | None, n: int) -> list[str]:
        pop = self.pop if mask is None else np.where(mask, self.pop, -1.0)
        order = np.argsort(-pop, kind="stable")[:n]
        return [self.ids[i] for i in order if pop[i] >= 0]

    def _rerank(self, fused: dict[str, float], reasons: dict[str, list[str]], constraints: Constraints,
                view: Taste | None) -> list[Hit]:
        if not fused:
            return []
        top = max(fused.values())
        personal = self.config.profile_weight > 0 and has_history(view)
        filters = constraints.describe()
        hits = []
        for pid, score in fused.items():
            product = self.catalog.get(pid)
            if product is None:  # index and catalog out of step: never show a product we cannot describe
                continue
            why = list(reasons.get(pid, []))
            final = score / top  # 0..1, best fused item = 1
            if personal:
                affinity, because = profile_affinity(product, view)
                if affinity:
                    final += self.config.profile_weight * affinity
                    why.append(f"profile boost +{self.config.profile_weight * affinity:.2f}: " + "; ".join(because))
            elif self.config.popularity_weight > 0:
                pop = self.popularity.get(pid, 0.0)
                if pop:
                    final += self.config.popularity_weight * pop
                    why.append(f"popular in the store (popularity {pop:.2f})")
            if product.stock == 0:  # shown, but after what can ship today
                final -= OUT_OF_STOCK_PENALTY
                why.append("out of stock")
            if filters:
                why.append("passes filters: " + ", ".join(filters))
            if not reasons.get(pid):
                why.insert(0, "no words to match: ranked by store popularity among the products that pass your filters")
            hits.append(Hit(product, round(final, 4), tuple(why)))
        hits.sort(key=lambda h: -h.score)
        return hits


def _codes(values: list[str]) -> tuple[dict[str, int], np.ndarray]:
    """(value -> code, one code per item) for equality filters."""
    names: dict[str, int] = {}
    codes = np.fromiter((names.setdefault(v, len(names)) for v in values), dtype=np.int32, count=len(values))
    return names, codes


def load_popularity(orders_csv: Path | None) -> dict[str, float]:
    """Store popularity from the store's orders; an absent or unreadable file means no prior."""
    from data.errors import ShopAssistError
    from data.load import load_orders

    if orders_csv is None or not orders_csv.exists():
        return {}
    try:
        return popularity_from_orders(load_orders(orders_csv).records)
    except ShopAssistError:
        return {}


def build_retriever(config: RetrievalSettings, index_dir: Path, *, orders_csv: Path | None = None,
                    progress: bool | Callable[[str], None] = False) -> ProductSearch:
    """Open the persistent index, bring it in line with the catalog (first run embeds all), build BM25."""
    from retrieval.ingest import ingest_catalog

    report = ingest_catalog(config, index_dir, progress=bool(progress))
    if report.errors and progress:
        say = progress if callable(progress) else print
        say(f"catalog {report.path}: skipped {len(report.errors)} bad rows, first: {report.errors[0]}")
    return ProductSearch(store=report.store, catalog={p.id: p for p in report.products}, config=config,
                         popularity=load_popularity(orders_csv))
