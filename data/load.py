"""Loaders for the store's files: every bad row is reported by line, every good row kept.

    from data.load import load_catalog
    loaded = load_catalog("data/demo/catalog.jsonl")
    loaded.records, loaded.errors  # products, [RowError(line=12, reason="price is not a number")]
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from data.errors import CatalogError, ShopAssistError
from data.schema import Customer, OrderLine, Product, parse_customer, parse_order_line, parse_product

T = TypeVar("T")


@dataclass(frozen=True)
class RowError:
    line: int  # 1-based line in the file (CSV counts the header as line 1)
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class Loaded(Generic[T]):
    records: list[T] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # file line of each record


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, raw row) for CSV, JSON Lines, a JSON array, or Parquet."""
    suffix = path.suffix.lower()
    if suffix in {".csv", ".tsv"}:
        with path.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f, delimiter="\t" if suffix == ".tsv" else ",")
            for row in reader:
                if None in row:  # more fields than the header: an unquoted comma, usually
                    row = {"__error__": f"{len(row[None])} more field(s) than the header; quote values containing commas"}
                yield reader.line_num, row
    elif suffix in {".jsonl", ".ndjson"}:
        with path.open(encoding="utf-8") as f:
            for number, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    row = {"__error__": f"invalid JSON: {exc.msg}"}
                yield number, row if isinstance(row, dict) else {"__error__": "not a JSON object"}
    elif suffix == ".json":
        rows = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(rows, list):
            raise ValueError("a .json catalog must hold a list of objects")
        for number, row in enumerate(rows, start=1):
            yield number, row if isinstance(row, dict) else {"__error__": "not a JSON object"}
    elif suffix == ".parquet":
        import pandas as pd

        for number, row in enumerate(pd.read_parquet(path).to_dict("records"), start=1):
            yield number, row
    else:
        raise ValueError(f"unsupported file type {suffix!r}: use .csv, .jsonl, .json or .parquet")


def load_rows(
    path: str | Path,
    parse: Callable[[dict[str, Any]], T],
    *,
    mapping: Mapping[str, str] | None = None,
    error: type[ShopAssistError] = CatalogError,
) -> Loaded[T]:
    """Parse every row; `mapping` renames our field -> the file's column."""
    path = Path(path)
    loaded: Loaded[T] = Loaded()
    try:
        for line, row in read_rows(path):
            if "__error__" in row:
                loaded.errors.append(RowError(line, row["__error__"]))
                continue
            if mapping:
                row = {**row, **{ours: row.get(theirs) for ours, theirs in mapping.items()}}
            try:
                loaded.records.append(parse(row))
                loaded.lines.append(line)
            except ValueError as exc:
                loaded.errors.append(RowError(line, str(exc)))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise error(f"cannot read {path}: {exc}", hint="check the path and the file format") from exc
    return loaded


def load_catalog(path: str | Path, *, mapping: Mapping[str, str] | None = None) -> Loaded[Product]:
    loaded = load_rows(path, parse_product, mapping=mapping)
    first_line: dict[str, int] = {}
    unique: list[Product] = []
    lines: list[int] = []
    for product, line in zip(loaded.records, loaded.lines):
        if product.id in first_line:
            reason = f"duplicate id {product.id!r} (first seen on line {first_line[product.id]})"
            loaded.errors.append(RowError(line, reason))
            continue
        first_line[product.id] = line
        unique.append(product)
        lines.append(line)
    loaded.records, loaded.lines = unique, lines
    if not unique:
        raise CatalogError(
            f"no valid products in {path}",
            hint="each row needs an id and a title or description; "
            + "; ".join(map(str, loaded.errors[:3])),
        )
    return loaded


def load_customers(path: str | Path) -> Loaded[Customer]:
    return load_rows(path, parse_customer)


def load_orders(path: str | Path) -> Loaded[OrderLine]:
    return load_rows(path, parse_order_line)


def load_policies(folder: str | Path) -> dict[str, str]:
    """Policy name (file stem) -> Markdown text."""
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(Path(folder).glob("*.md"))}
