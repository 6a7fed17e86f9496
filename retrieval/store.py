"""The product index: item vectors and metadata in a persistent Chroma collection.

We always pass our own embeddings (Chroma's default embedding function would download a
model). The collection records which embedder and catalog built it; a mismatch on start
triggers a re-index instead of silently mixing vector spaces. With a Chroma server, every call to it goes
through `reachable`: a server that is down or restarting is a `StoreUnavailable` (503, retry), and the same
store answers again once it is back.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import threading
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from data.errors import StoreUnavailable
from data.schema import Product
from retrieval.config import RetrievalSettings

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

QUERY_CACHE = 1024  # query vectors remembered per store


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


@contextlib.contextmanager
def reachable(server: str | None) -> Iterator[None]:
    """A Chroma server that cannot be reached -> StoreUnavailable, not a raw httpx error.

    Its HttpClient raises httpx.ConnectError while the server is down (any httpx transport error, such as a
    connection cut mid-call, counts the same); on creation, a ValueError raised while handling one. Nothing
    needs resetting afterwards: httpx opens a new connection on the next call, and the collection keeps its id
    across server restarts. The embedded client never raises these, so there it changes nothing."""
    try:
        yield
    except Exception as exc:
        import httpx

        cause = exc if isinstance(exc, httpx.TransportError) else exc.__context__
        if not isinstance(cause, httpx.TransportError):
            raise
        why = str(cause) or type(cause).__name__
        raise StoreUnavailable(f"the product index (Chroma server {server}) cannot be reached: {why}",
                               hint=f"retry in a few seconds; if it persists, check the Chroma server at {server}") from exc


class ProductStore:
    def __init__(self, client: Any, embedder: SentenceTransformer, config: RetrievalSettings) -> None:
        self.config = config
        self.embedder = embedder
        with self._reachable():
            self.collection = client.get_or_create_collection(
                config.collection,
                embedding_function=None,
                metadata={"hnsw:space": "cosine", "embedder": config.embedder_id},
                configuration={"embedding_function": None},
            )
        stored = (self.collection.metadata or {}).get("embedder")
        if stored and stored != config.embedder_id:
            raise ValueError(f"collection {config.collection!r} was built with embedder {stored!r}, not {config.embedder_id!r}")
        # The last QUERY_CACHE query texts' vectors: the gate's catalog evidence, the search and a refinement often
        # embed the same words within one turn.
        self.query_vector = functools.lru_cache(maxsize=QUERY_CACHE)(self._query_vector)

    def _reachable(self) -> contextlib.AbstractContextManager[None]:
        return reachable(self.config.chroma_server)

    def count(self) -> int:
        with self._reachable():
            return self.collection.count()

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """(len(texts), dim) float32 unit vectors of product or query texts, cut at `embed_max_tokens`."""
        if hasattr(self.embedder, "vectors"):  # a LazyEmbedder: ONNX Runtime when it has a cache folder
            return self.embedder.vectors(list(texts), batch_size=self.config.batch_size, max_tokens=self.config.embed_max_tokens)
        self.embedder.max_seq_length = self.config.embed_max_tokens
        vectors = self.embedder.encode(
            list(texts), batch_size=self.config.batch_size, normalize_embeddings=True, show_progress_bar=progress
        )
        return np.asarray(vectors, dtype=np.float32)

    def fingerprints(self) -> dict[str, str]:
        with self._reachable():
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
            with self._reachable():
                self.collection.delete(ids=removed[start : start + step])
        with tqdm(total=len(changed), desc="embedding products", unit="item", disable=not progress or not changed) as bar:
            for start in range(0, len(changed), step):
                batch = changed[start : start + step]
                vectors = self.embed([p.text() for p in batch])
                with self._reachable():
                    self.collection.upsert(ids=[p.id for p in batch], embeddings=vectors,
                                           documents=[p.description for p in batch],
                                           metadatas=[product_metadata(p) for p in batch])
                bar.update(len(batch))
        return {"added_or_updated": len(changed), "deleted": len(removed), "unchanged": len(products) - len(changed)}

    def _query_vector(self, query: str) -> np.ndarray:
        """The query's unit vector (float32, read-only: it is shared by every caller of the cache)."""
        vector = np.array(self.embed([query])[0], dtype=np.float32)
        vector.flags.writeable = False
        return vector

    def dense_ids(self, query: str, n: int, where: dict[str, Any] | None = None) -> list[tuple[str, float]]:
        """(id, cosine similarity) of the n nearest items that pass `where`, best first."""
        if n < 1:
            return []
        vector = self.query_vector(query)
        with self._reachable():
            result = self.collection.query(query_embeddings=[vector], n_results=n, where=where or None,
                                           include=["distances"])
        return [(pid, 1.0 - float(d)) for pid, d in zip(result["ids"][0], result["distances"][0])]

    def vectors(self, ids: Sequence[str], *, page: int = 10_000) -> tuple[np.ndarray, np.ndarray]:
        """The stored vectors of `ids` as one float32 matrix (row i = ids[i]) and which rows the store holds.

        Read page by page from Chroma, which stays the store of record; the matrix lets a filtered search
        score exactly the products that pass the filters instead of asking Chroma for a `where` scan."""
        position = {pid: i for i, pid in enumerate(ids)}
        matrix: np.ndarray | None = None
        present = np.zeros(len(ids), dtype=bool)
        offset = 0
        while True:
            with self._reachable():
                got = self.collection.get(include=["embeddings"], limit=page, offset=offset)
            if not got["ids"]:
                break
            offset += len(got["ids"])
            vectors = np.asarray(got["embeddings"], dtype=np.float32)
            if matrix is None:
                matrix = np.zeros((len(ids), vectors.shape[1]), dtype=np.float32)
            rows = np.array([position.get(pid, -1) for pid in got["ids"]], dtype=np.int64)
            known = rows >= 0
            matrix[rows[known]] = vectors[known]
            present[rows[known]] = True
        if matrix is None:
            matrix = np.zeros((len(ids), 0), dtype=np.float32)
        return matrix, present


def open_client(server: str | None, path) -> Any:
    """Embedded persistent Chroma under `path`, or a Chroma server at "host:port"."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)  # no calls home from a closed network
    if server:
        host, _, port = server.rpartition(":")
        with reachable(server):
            return chromadb.HttpClient(host=host or "localhost", port=int(port), settings=chroma_settings)
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


class LazyEmbedder:
    """Loads the embedder on first use: re-syncing an unchanged catalog never pays for it.

    `encode` is the sentence-transformers model (torch), as the assistant's intent head and policy index use it.
    `vectors`, which product search and ingestion use, runs the same model on ONNX Runtime when `cache_dir` is
    given (exported there once); without one, or if the export is not possible, it is `encode`."""

    def __init__(self, path=None, cache_dir=None) -> None:
        self.path = path
        self.cache_dir = cache_dir
        self.max_seq_length: int | None = None
        self._model = None
        self._onnx = None
        self._onnx_tried = False
        self._lock = threading.Lock()

    def encode(self, *args, **kwargs):
        if self._model is None:
            from retrieval.embed import load_embedder

            with self._lock:
                if self._model is None:
                    self._model = load_embedder(self.path)
        if self.max_seq_length:
            self._model.max_seq_length = self.max_seq_length
        return self._model.encode(*args, **kwargs)

    def vectors(self, texts: Sequence[str], *, batch_size: int, max_tokens: int) -> np.ndarray:
        """(len(texts), dim) float32 unit vectors."""
        if not self._onnx_tried and self.cache_dir is not None:
            from retrieval.embed import load_onnx_embedder

            with self._lock:
                if not self._onnx_tried:
                    self._onnx = load_onnx_embedder(self.path, self.cache_dir)
                    self._onnx_tried = True
        if self._onnx is not None:
            return self._onnx.encode(texts, batch_size=batch_size, max_tokens=max_tokens)
        self.max_seq_length = max_tokens
        return np.asarray(self.encode(list(texts), batch_size=batch_size, normalize_embeddings=True), dtype=np.float32)
