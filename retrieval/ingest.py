"""Catalog ingestion: read any supported file, map its columns, upsert into Chroma.

    shopassist ingest catalog.csv                                   # id,title,description[,category,brand,price]
    shopassist ingest abt.csv --mapping title=name                  # explicit column mapping
    ingest_catalog(settings, progress=True) -> IngestReport

Columns are matched to our fields by name, then by common aliases (name -> title,
manufacturer -> brand, ...), then by an explicit mapping, which wins. A mapping to a column
that does not exist, or a catalog with no usable text column, is refused with the columns
that were found. Bad rows are reported by line and skipped; every good row lands.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from data.errors import CatalogError
from data.load import RowError, load_catalog, read_rows
from data.schema import Product
from retrieval.config import RetrievalSettings
from retrieval.store import LazyEmbedder, ProductStore, open_client

FIELDS = ("id", "title", "description", "category", "brand", "price", "rating", "stock", "tags")
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("product_id", "sku", "item_id", "uniq_id", "asin"),
    "title": ("name", "product_name", "product_title", "item_name"),
    "description": ("desc", "product_description", "details", "body"),
    "category": ("product_category", "category_name", "type", "department"),
    "brand": ("manufacturer", "maker", "vendor"),
    "price": ("list_price", "sale_price", "cost"),
    "stock": ("inventory", "quantity", "qty", "in_stock"),
}
SCAN_ROWS = 200  # rows read to learn the columns of schemaless files (JSON Lines)


@dataclass
class IngestReport:
    path: Path
    products: list[Product]
    errors: list[RowError]
    mapping: dict[str, str]  # our field -> file column, for every renamed field
    ignored_columns: list[str]
    synced: dict[str, int]  # added_or_updated / deleted / unchanged
    seconds: float
    store: ProductStore | None = field(default=None, repr=False)

    def summary(self) -> str:
        rate = len(self.products) / self.seconds if self.seconds else 0.0
        lines = [f"{len(self.products)} products from {self.path} in {self.seconds:.1f} s ({rate:.0f}/s): "
                 f"{self.synced['added_or_updated']} added or updated, {self.synced['deleted']} deleted, "
                 f"{self.synced['unchanged']} unchanged"]
        if self.mapping:
            lines.append("columns: " + ", ".join(f"{ours} <- {theirs}" for ours, theirs in self.mapping.items()))
        if self.ignored_columns:
            lines.append("ignored columns: " + ", ".join(self.ignored_columns))
        if self.errors:
            lines.append(f"skipped {len(self.errors)} bad rows:")
            lines += [f"  {e}" for e in self.errors[:20]] + ([f"  ... {len(self.errors) - 20} more"] if len(self.errors) > 20 else [])
        return "\n".join(lines)


def catalog_columns(path: Path) -> list[str]:
    """Column names of a catalog file (union over the first rows for JSON Lines)."""
    columns: dict[str, None] = {}
    try:
        for n, (_, row) in enumerate(read_rows(path)):
            columns.update(dict.fromkeys(k for k in row if k != "__error__"))
            if n >= SCAN_ROWS:
                break
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise CatalogError(f"cannot read {path}: {exc}", hint="check the path and the file format") from exc
    return list(columns)


def parse_mapping(pairs: str | Mapping[str, str] | None) -> dict[str, str]:
    """"title=name,brand=manufacturer" (or a dict) -> {"title": "name", "brand": "manufacturer"}."""
    if not pairs:
        return {}
    if isinstance(pairs, Mapping):
        return dict(pairs)
    mapping = {}
    for pair in pairs.split(","):
        ours, sep, theirs = pair.partition("=")
        if not sep or not ours.strip() or not theirs.strip():
            raise CatalogError(f"bad mapping entry {pair!r}", hint="write FIELD=COLUMN pairs, e.g. title=name,brand=manufacturer")
        mapping[ours.strip()] = theirs.strip()
    return mapping


def resolve_mapping(columns: list[str], explicit: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """(our field -> file column for renamed fields, file columns nobody reads)."""
    unknown = sorted(set(explicit) - set(FIELDS))
    if unknown:
        raise CatalogError(f"unknown field(s) in the mapping: {', '.join(unknown)}", hint=f"fields are: {', '.join(FIELDS)}")
    missing = {ours: theirs for ours, theirs in explicit.items() if theirs not in columns}
    if missing:
        raise CatalogError("mapped column(s) not in the catalog: " + ", ".join(f"{o}={t}" for o, t in missing.items()),
                           hint=f"the catalog has columns: {', '.join(columns)}")
    mapping = dict(explicit)
    lower = {c.lower(): c for c in columns}
    for ours in FIELDS:
        if ours in mapping or ours in columns:
            continue
        for alias in (ours, *ALIASES.get(ours, ())):
            if alias in lower and lower[alias] not in mapping.values():
                mapping[ours] = lower[alias]
                break
    used = set(mapping.values()) | {f for f in FIELDS if f in columns and f not in mapping}
    if "id" not in mapping and "id" not in columns:
        raise CatalogError("the catalog has no id column", hint=f"columns found: {', '.join(columns)}; map one with --mapping id=COLUMN")
    if not ({"title", "description"} & (set(mapping) | set(columns))):
        raise CatalogError("the catalog has no text column (title or description)",
                           hint=f"columns found: {', '.join(columns)}; map one with --mapping title=COLUMN")
    return mapping, [c for c in columns if c not in used]


def embedder_cache(index_dir: Path) -> Path:
    """Where the ONNX export of the embedder lives: next to the index (`<home>/index` -> `<home>/embedder`)."""
    return Path(index_dir).parent / "embedder"


def open_store(config: RetrievalSettings, index_dir: Path) -> ProductStore:
    """The configured Chroma collection: a server's, or an embedded one under `index_dir`."""
    try:
        embedder = LazyEmbedder(config.embedder_path, cache_dir=embedder_cache(index_dir))
        return ProductStore(open_client(config.chroma_server, index_dir), embedder, config)
    except ValueError as exc:  # the collection was built by another embedder
        raise CatalogError(str(exc), hint="delete the index folder or pick another collection") from exc


def ingest_catalog(config: RetrievalSettings, index_dir: Path, *, progress: bool = False,
                   store: ProductStore | None = None) -> IngestReport:
    """Load the configured catalog and make the Chroma collection equal to it."""
    started = time.perf_counter()
    path = Path(config.catalog)
    if not path.exists():
        raise CatalogError(f"catalog {path} does not exist", hint="pass the path of a .csv, .jsonl, .json or .parquet file")
    mapping, ignored = resolve_mapping(catalog_columns(path), parse_mapping(config.mapping))
    loaded = load_catalog(path, mapping=mapping)
    store = store or open_store(config, index_dir)
    synced = store.sync(loaded.records, progress=progress)
    return IngestReport(path, loaded.records, loaded.errors, mapping, ignored, synced,
                        time.perf_counter() - started, store)
