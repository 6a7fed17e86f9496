"""The product index: item vectors and metadata in a persistent Chroma collection.

We always pass our own embeddings (Chroma's default embedding function would download a
model). The collection records which embedder and catalog built it; a mismatch on start
triggers a re-index instead of silently mixing vector spaces.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from data.schema import Product
from retrieval.config import RetrievalSettings

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer


def product_metadata(product: Product) -> dict[str, Any]:
    """Chroma metadata: scalars only; price as a float so range filters work."""
    meta: dict[str, Any] = {
        "title": product.title,
        "category": product.category,
        "brand": product.brand,
        "tags": json.dumps(list(product.tags)),
        "fingerprint": fingerprint(product),
    }
    for key in ("price", "rating"):
        value = getattr(product, key)
        if value is not None:
            meta[key] = float(value)
    if product.stock is not None:
        meta["stock"] = int(product.stock)
    return meta


def product_from_record(pid: str, document: str, meta: dict[str, Any]) -> Product:
    return Product(
        id=pid,
        title=meta.get("title", ""),
        description=document,
        category=meta.get("category", ""),
        brand=meta.get("brand", ""),
        price=meta.get("price"),
        rating=meta.get("rating"),
        stock=meta.get("stock"),
        tags=tuple(json.loads(meta.get("tags", "[]"))),
    )


def fingerprint(product: Product) -> str:
    """Changes whenever anything stored about the product changes."""
    raw = json.dumps([product.id, product.title, product.description, product.category, product.brand,
                      product.price, product.rating, product.stock, list(product.tags)])
    return hashlib.sha1(raw.encode()).hexdigest()[:16]


class ProductStore:
    def __init__(self, client: Any, embedder: SentenceTransformer, config: RetrievalSettings) -> None:
        self.config = config
        self.embedder = embedder
        self.collection = client.get_or_create_collection(
            config.collection,
            embedding_function=None,
            metadata={"hnsw:space": "cosine", "embedder": config.embedder_id},
            configuration={"embedding_function": None},
        )
        stored = (self.collection.metadata or {}).get("embedder")
        if stored and stored != config.embedder_id:
            raise ValueError(f"collection {config.collection!r} was built with embedder {stored!r}, not {config.embedder_id!r}")

    def count(self) -> int:
        return self.collection.count()

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> list[list[float]]:
        self.embedder.max_seq_length = self.config.embed_max_tokens  # a LazyEmbedder passes it on when it loads
        vectors = self.embedder.encode(
            list(texts), batch_size=self.config.batch_size, normalize_embeddings=True, show_progress_bar=progress
        )
        return vectors.tolist()

    def fingerprints(self) -> dict[str, str]:
        got = self.collection.get(include=["metadatas"])
        return {pid: (meta or {}).get("fingerprint", "") for pid, meta in zip(got["ids"], got["metadatas"])}

    def sync(self, products: Sequence[Product], *, progress: bool = False) -> dict[str, int]:
        """Make the collection equal the catalog: embed only new or changed items, delete removed ones."""
        from tqdm.auto import tqdm

        stored = self.fingerprints()
        changed = [p for p in products if stored.get(p.id) != fingerprint(p)]
        removed = sorted(set(stored) - {p.id for p in products})
        step = max(self.config.batch_size * 8, 1)
        for start in range(0, len(removed), step):
            self.collection.delete(ids=removed[start : start + step])
        with tqdm(total=len(changed), desc="embedding products", unit="item", disable=not progress or not changed) as bar:
            for start in range(0, len(changed), step):
                batch = changed[start : start + step]
                self.collection.upsert(
                    ids=[p.id for p in batch],
                    embeddings=self.embed([p.text() for p in batch]),
                    documents=[p.description for p in batch],
                    metadatas=[product_metadata(p) for p in batch],
                )
                bar.update(len(batch))
        return {"added_or_updated": len(changed), "deleted": len(removed), "unchanged": len(products) - len(changed)}

    def dense_ids(self, query: str, n: int, where: dict[str, Any] | None = None) -> list[tuple[str, float]]:
        """(id, cosine similarity) of the n nearest items that pass `where`, best first."""
        if n < 1:
            return []
        result = self.collection.query(query_embeddings=self.embed([query]), n_results=n, where=where or None,
                                       include=["distances"])
        return [(pid, 1.0 - float(d)) for pid, d in zip(result["ids"][0], result["distances"][0])]



def open_client(server: str | None, path) -> Any:
    """Embedded persistent Chroma under `path`, or a Chroma server at "host:port"."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)  # no calls home from a closed network
    if server:
        host, _, port = server.rpartition(":")
        return chromadb.HttpClient(host=host or "localhost", port=int(port), settings=chroma_settings)
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


class LazyEmbedder:
    """Loads the embedder on first use: re-syncing an unchanged catalog never pays for it."""

    def __init__(self, path=None) -> None:
        self.path = path
        self.max_seq_length: int | None = None
        self._model = None

    def encode(self, *args, **kwargs):
        if self._model is None:
            from retrieval.embed import load_embedder

            self._model = load_embedder(self.path)
        if self.max_seq_length:
            self._model.max_seq_length = self.max_seq_length
        return self._model.encode(*args, **kwargs)
