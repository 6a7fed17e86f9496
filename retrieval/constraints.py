"""Shopper constraints read from plain words: price range, category, brand, stock.

    parse_constraints("Sony headphones between 50 and 150 dollars", vocabulary)
    -> Constraints(text="headphones", price_min=50, price_max=150, brand="Sony", category="headphones")

Rules, not a model: they are predictable, explainable, and cost microseconds. The phrases
that set a filter are cut from the text; category words stay in the text because they
still help ranking. `Constraints.describe()` says in words how the query was read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.types import Product

MAX_QUERY_CHARS = 1000  # beyond this the embedder cuts anyway (256 word pieces); keeps BM25 cheap

_NUM = r"\$?\s*(\d+(?:[.,]\d+)?)\s*(?:k\b)?"
_CUR = r"(?:\s*(?:dollars?|usd|bucks|€|eur(?:os?)?|\$))?"
_UNITS = r"lbs?|kg|g|mm|cm|m|in|inch(?:es)?|ft|feet|gb|tb|mb|mp|w|watts?|hours?|hrs?|h|mah|v|volts?|oz|ml|l|pcs|pieces|people|years?|days?|percent|x"
# Not followed by more digits or a unit: "under 10 lbs" and "over 40 inch" are not prices.
_END = rf"(?![\w.-])(?!\s*(?:{_UNITS})\b)(?!\s*[\"'%])"
_PRICE_RULES: tuple[tuple[str, str], ...] = (
    # between 50 and 150 dollars / from $50 to $150 / $50-$150
    (rf"\b(?:between|from)\s+{_NUM}{_CUR}\s+(?:and|to|-)\s+{_NUM}{_CUR}{_END}", "range"),
    (rf"\$\s*(\d+(?:\.\d+)?)\s*(?:-|to)\s*\$\s*(\d+(?:\.\d+)?){_END}", "range"),
    (rf"\b(?:under|below|less than|cheaper than|at most|max(?:imum)?|up to|no more than|within)\s+{_NUM}{_CUR}{_END}", "max"),
    (rf"\b(?:over|above|more than|at least|min(?:imum)?|starting at)\s+{_NUM}{_CUR}{_END}", "min"),
    (rf"\baround\s+{_NUM}{_CUR}{_END}", "around"),
)
_STOCK = re.compile(r"\b(?:(?:only\s+)?in[\s-]stock(?:\s+only)?|available\s+now|ships?\s+today)\b", re.I)
_FILLER = re.compile(r"\b(?:for|with|and|a|an|the|please|i want|i need|show me|find me|looking for)\s*$", re.I)


@dataclass(frozen=True)
class Constraints:
    """How a query was read: the filters it sets and the text left to match."""

    text: str
    price_min: float | None = None
    price_max: float | None = None
    category: str | None = None
    brand: str | None = None
    in_stock: bool = False
    notes: tuple[str, ...] = field(default=())  # anything the shopper should know (truncation, empty query)

    @property
    def has_filters(self) -> bool:
        return any(v is not None for v in (self.price_min, self.price_max, self.category, self.brand)) or self.in_stock

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["notes"] = list(self.notes)
        data["filters"] = self.describe()
        return data

    def describe(self) -> list[str]:
        """The filters in words, e.g. ["price under $100", "brand Sony", "in stock"]."""
        out = []
        if self.price_min is not None and self.price_max is not None:
            out.append(f"price ${self.price_min:g}-${self.price_max:g}")
        elif self.price_max is not None:
            out.append(f"price under ${self.price_max:g}")
        elif self.price_min is not None:
            out.append(f"price over ${self.price_min:g}")
        if self.category:
            out.append(f"category {self.category}")
        if self.brand:
            out.append(f"brand {self.brand}")
        if self.in_stock:
            out.append("in stock")
        return out

    def allows(self, product: Product) -> bool:
        """The same filters as `chroma_where`, for items held in memory (BM25 side, tests)."""
        if self.price_min is not None or self.price_max is not None:
            if product.price is None:
                return False
            if self.price_min is not None and product.price < self.price_min:
                return False
            if self.price_max is not None and product.price > self.price_max:
                return False
        if self.category and product.category.lower() != self.category.lower():
            return False
        if self.brand and product.brand.lower() != self.brand.lower():
            return False
        return not (self.in_stock and not (product.stock or 0) > 0)

    def chroma_where(self) -> dict[str, Any] | None:
        """Chroma metadata filter; None when the query sets no filter."""
        clauses: list[dict[str, Any]] = []
        if self.price_min is not None:
            clauses.append({"price": {"$gte": float(self.price_min)}})
        if self.price_max is not None:
            clauses.append({"price": {"$lte": float(self.price_max)}})
        if self.category:
            clauses.append({"category": {"$eq": self.category}})
        if self.brand:
            clauses.append({"brand": {"$eq": self.brand}})
        if self.in_stock:
            clauses.append({"stock": {"$gt": 0}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


@dataclass(frozen=True)
class Vocabulary:
    """The catalog's own category and brand names: only these can become filters."""

    categories: dict[str, str]  # lower-case surface form (also singular) -> catalog spelling
    brands: dict[str, str]

    @classmethod
    def from_products(cls, products: Iterable[Product]) -> Vocabulary:
        categories: dict[str, str] = {}
        brands: dict[str, str] = {}
        for p in products:
            if p.category:
                for form in _surface_forms(p.category):
                    categories.setdefault(form, p.category)
            if p.brand and len(p.brand) > 1:
                brands.setdefault(p.brand.lower(), p.brand)
        return cls(categories, brands)


def _surface_forms(name: str) -> set[str]:
    """'jackets' -> {'jackets', 'jacket'}; 'home & kitchen' -> also 'home and kitchen'."""
    low = name.lower().strip()
    forms = {low, low.replace("&", "and"), low.replace("-", " "), low.replace("_", " ")}
    for form in list(forms):
        if form.endswith("ies"):
            forms.add(form[:-3] + "y")
        elif form.endswith("es") and form[:-2].endswith(("sh", "ch", "x", "ss")):
            forms.add(form[:-2])
        elif form.endswith("s") and not form.endswith("ss"):
            forms.add(form[:-1])
    return {f for f in forms if len(f) > 2}


def _find_name(text: str, names: dict[str, str]) -> tuple[str, str] | None:
    """The longest catalog name that appears as whole words in `text` (surface form, canonical)."""
    low = text.lower()
    for form in sorted(names, key=len, reverse=True):
        if re.search(rf"(?<![\w-]){re.escape(form)}(?:e?s)?(?![\w-])", low):
            return form, names[form]
    return None


def _amount(raw: str, whole: str) -> float:
    value = float(raw.replace(",", "")) if raw.count(",") != 1 or len(raw.split(",")[1]) == 3 else float(raw.replace(",", "."))
    return value * 1000 if re.search(rf"{re.escape(raw)}\s*k\b", whole, re.I) else value


def parse_constraints(query: str, vocabulary: Vocabulary | None = None, *, max_chars: int = MAX_QUERY_CHARS) -> Constraints:
    """Read filters out of a free-text query; what is left is the text to match."""
    notes: list[str] = []
    text = " ".join((query or "").split())
    if not text:
        return Constraints(text="", notes=("empty query: type what you are looking for",))
    if len(text) > max_chars:
        notes.append(f"query cut to its first {max_chars} of {len(text)} characters")
        text = text[:max_chars]
    price_min = price_max = None
    for pattern, kind in _PRICE_RULES:
        match = re.search(pattern, text, re.I)
        if not match:
            continue
        values = [_amount(g, match.group(0)) for g in match.groups() if g is not None]
        if kind == "range":
            price_min, price_max = min(values), max(values)
        elif kind == "max":
            price_max = values[0]
        elif kind == "min":
            price_min = values[0]
        else:  # around X: +-20 %
            price_min, price_max = round(values[0] * 0.8, 2), round(values[0] * 1.2, 2)
        text = (text[: match.start()] + " " + text[match.end():]).strip()
        if kind != "range":  # "over 50 and under 150" sets both ends
            continue
        break
    in_stock = bool(_STOCK.search(text))
    text = _STOCK.sub(" ", text)
    category = brand = None
    if vocabulary:
        found = _find_name(text, vocabulary.brands)
        if found:
            brand = found[1]
            text = re.sub(rf"(?<![\w-]){re.escape(found[0])}(?![\w-])", " ", text, flags=re.I)
        found = _find_name(text, vocabulary.categories)
        if found:
            category = found[1]  # the word stays in the text: it still helps ranking
    text = _FILLER.sub("", " ".join(text.split()).strip(" ,.;:-")).strip(" ,.;:-")
    if price_min is not None and price_max is not None and price_min > price_max:
        price_min, price_max = price_max, price_min
    return Constraints(text=text, price_min=price_min, price_max=price_max, category=category, brand=brand,
                       in_stock=in_stock, notes=tuple(notes))
