"""Product search: the entry point the assistant calls (`build_retriever(settings).search(...)`)."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.errors import CatalogError
from assistant.settings import Settings
from assistant.types import CustomerView, Hit, Product
from data.load import load_catalog
from retrieval.store import ProductStore


@dataclass
class ProductSearch:
    store: ProductStore
    catalog: dict[str, Product]

    def search(self, query: str, k: int, *, view: CustomerView | None = None) -> list[Hit]:
        return self.store.dense_search(query, k)


def build_retriever(settings: Settings, *, progress: bool = False) -> ProductSearch:
    """Open the persistent index and bring it in line with the catalog (first run embeds all)."""
    from retrieval.embed import load_embedder
    from retrieval.store import StoreConfig, open_client

    loaded = load_catalog(settings.retrieval.catalog)
    if loaded.errors and progress:
        print(f"catalog {settings.retrieval.catalog}: skipped {len(loaded.errors)} bad rows, first: {loaded.errors[0]}")
    config = StoreConfig(collection=settings.retrieval.collection, batch_size=settings.retrieval.batch_size)
    try:
        store = ProductStore(open_client(settings.retrieval.chroma_server, settings.index_dir),
                             load_embedder(settings.retrieval.embedder_path), config)
    except ValueError as exc:  # the collection was built by another embedder
        raise CatalogError(str(exc), hint="delete the index folder or pick another collection") from exc
    store.sync(loaded.records, progress=progress)
    return ProductSearch(store=store, catalog={p.id: p for p in loaded.records})
