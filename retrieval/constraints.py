"""Shopper constraints read from plain words: price range, category, brand, stock, order.

    parse_constraints("Sony headphones between 50 and 150 dollars", vocabulary)
    -> Constraints(text="headphones", price_min=50, price_max=150, brands=("Sony",), category="headphones")
    parse_constraints("cheapest windbreaker", vocabulary)   # a product type names its category
    -> Constraints(text="windbreaker", category="jackets", sort="price_asc")

Rules, not a model: they are predictable, explainable, and cost microseconds. The phrases
that set a filter are cut from the text; category words stay in the text because they
still help ranking. `Constraints.describe()` says in words how the query was read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from data.schema import Product

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
_SORTS: tuple[tuple[str, str], ...] = (
    (r"\b(?:cheapest|least expensive|lowest[- ]priced?|lowest price|most affordable|cheaper|cheap|budget|affordable|"
     r"inexpensive|low[- ]cost)\b", "price_asc"),
    (r"\b(?:most expensive|priciest|highest[- ]priced?|premium|top[- ]of[- ]the[- ]line)\b", "price_desc"),
    (r"\b(?:best[- ]rated|top[- ]rated|highest[- ]rated|best reviewed|most popular)\b", "rating"),
)
_NOT_SUBJECT = frozenset("a an the your our my any some of for me you do have sell what's what is are which one ones "
                         "show find get need want please product products item items".split())
# "a gift for my wife, she likes cooking": who it is for is no product word; what they like is.
_PEOPLE = (r"(?:wife|husband|partner|girlfriend|boyfriend|dad|father|mom|mum|mother|parents|son|daughter|kids?|children|"
           r"brother|sister|friend|boss|colleague|coworker|grandma|grandpa|grandmother|grandfather|aunt|uncle|niece|nephew|"
           r"teacher|baby|teen|teenager|family|manager|neighbou?r|host|coach|mentor|roommate|fianc[eé]e?)")
GIFT = re.compile(r"\b(?:a |some )?(?:gifts?|presents?)(?: ideas?)?(?: for)?(?: (?:my|our|a|an|the) " + _PEOPLE + r"| him| her| them)?"
                  r"(?:,? (?:who|she|he|they) (?:likes?|loves?|enjoys?|is into|are into|really likes?))?\b", re.I)
_STOCK = re.compile(r"\b(?:(?:only\s+)?in[\s-]stock(?:\s+only)?|available\s+now|ships?\s+today)\b", re.I)
_FILLER = re.compile(r"\b(?:for|with|and|a|an|the|please|i want|i need|show me|find me|looking for)\s*$", re.I)
# How a request starts ("do you have ...", "I'm looking for ..."): not words to match in a product.
_LEAD = re.compile(r"^(?:(?:hi|hello|hey)[,!.]?\s+)?(?:do you (?:have|sell|carry|stock)|have you got|got any|can you find me|"
                   r"i(?:'m| am) looking for|i(?:'m| am) after|looking for|i(?:'d| would) like|i need|i want|show me|find me|what(?:'s| is) your|"
                   r"what are your|any)\b\s*", re.I)


@dataclass(frozen=True)
class Constraints:
    """How a query was read: the filters it sets and the text left to match."""

    text: str
    price_min: float | None = None
    price_max: float | None = None
    category: str | None = None
    brands: tuple[str, ...] = ()  # any of these
    in_stock: bool = False
    sort: str | None = None  # "price_asc", "price_desc" or "rating": the shopper asked for an order, not relevance
    notes: tuple[str, ...] = field(default=())  # anything the shopper should know (truncation, empty query)
    exclude_brands: tuple[str, ...] = ()
    attributes: tuple[str, ...] = ()  # words the title, description or tags must hold ("navy", "noise cancelling")
    exclude_ids: tuple[str, ...] = ()  # products already shown ("any more options?")
    kind: str | None = None  # the product type asked for, when the store's type names it ("trail runners")

    @property
    def has_filters(self) -> bool:
        return any(v is not None for v in (self.price_min, self.price_max, self.category, self.kind)) or self.in_stock or bool(
            self.brands or self.exclude_brands or self.attributes or self.exclude_ids)

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
        if self.brands:
            out.append("brand " + " or ".join(self.brands))
        if self.exclude_brands:
            out.append("not " + " or ".join(self.exclude_brands))
        out += list(self.attributes)
        if self.in_stock:
            out.append("in stock")
        return out

    def refine(self, newer: Constraints) -> Constraints:
        """A follow-up ("any under $40?", "only Trailform") narrows this search: what it says wins, the rest stays."""
        pick = lambda new, old: old if new is None else new  # noqa: E731
        said = [w for w in re.findall(r"[a-z0-9']+", newer.text.lower()) if w not in _POINTER_WORDS]
        return Constraints(text=newer.text if said else self.text, price_min=pick(newer.price_min, self.price_min),
                           price_max=pick(newer.price_max, self.price_max), category=newer.category or self.category,
                           brands=newer.brands or self.brands, in_stock=newer.in_stock or self.in_stock,
                           sort=newer.sort or self.sort, notes=newer.notes)

    def allows(self, product: Product) -> bool:
        """The filters for one product held in memory (`ProductSearch.filter_mask` is the vectorised form)."""
        if self.price_min is not None or self.price_max is not None:
            if product.price is None:
                return False
            if self.price_min is not None and product.price < self.price_min:
                return False
            if self.price_max is not None and product.price > self.price_max:
                return False
        if self.category and product.category.lower() != self.category.lower():
            return False
        if self.kind and product_type(product).lower() != self.kind.lower():
            return False
        if self.brands and product.brand.lower() not in {b.lower() for b in self.brands}:
            return False
        if product.brand.lower() in {b.lower() for b in self.exclude_brands} or product.id in self.exclude_ids:
            return False
        text = " ".join((product.title, product.description, *product.tags))
        if not all(holds(text, a) for a in self.attributes):
            return False
        return not (self.in_stock and not (product.stock or 0) > 0)

    def chroma_where(self) -> dict[str, Any] | None:
        """Chroma metadata filter; None when the query sets no filter. Search filters in memory instead (`ProductSearch.filter_mask`)."""
        clauses: list[dict[str, Any]] = []
        if self.price_min is not None:
            clauses.append({"price": {"$gte": float(self.price_min)}})
        if self.price_max is not None:
            clauses.append({"price": {"$lte": float(self.price_max)}})
        if self.category:
            clauses.append({"category": {"$eq": self.category}})
        if self.brands:
            clauses.append({"brand": {"$in": list(self.brands)}})
        if self.exclude_brands:
            clauses.append({"brand": {"$nin": list(self.exclude_brands)}})
        if self.in_stock:
            clauses.append({"stock": {"$gt": 0}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def attribute_pattern(attribute: str) -> re.Pattern:
    """Every word of an attribute at the start of a word, its ending free ("noise cancelling" finds "noise
    cancellation", "rechargeable" finds "rechargeable battery", "non-stick" finds "non stick")."""
    stems = [w if len(w) <= 5 else w[: max(5, len(w) - 3)] for w in re.findall(r"[a-z0-9]+", attribute.lower())]
    return re.compile("".join(rf"(?=.*\b{re.escape(s)})" for s in stems), re.I | re.S)


def attribute_text(text: str) -> str:
    """A product's words as attributes are matched against: also without hyphens ("non-stick" is "nonstick")."""
    return f"{text} {text.replace('-', '')}"


def holds(text: str, attribute: str) -> bool:
    return bool(attribute_pattern(attribute).match(attribute_text(text)))


@dataclass(frozen=True)
class Vocabulary:
    """The catalog's own category and brand names: only these can become filters."""

    categories: dict[str, str]  # lower-case surface form (also singular) -> catalog spelling
    brands: dict[str, str]
    types: dict[str, str] = field(default_factory=dict)  # product type ("windbreaker", "skillet") -> its one category

    @classmethod
    def from_products(cls, products: Iterable[Product]) -> Vocabulary:
        categories: dict[str, str] = {}
        brands: dict[str, str] = {}
        type_categories: dict[str, set[str]] = {}
        for p in products:
            if p.category:
                for form in _surface_forms(p.category):
                    categories.setdefault(form, p.category)
                kind = product_type(p)
                words = kind.split()
                for form in _surface_forms(kind) | (_surface_forms(words[-1]) if len(words) > 1 and len(words[-1]) > 3 else set()):
                    type_categories.setdefault(form, set()).add(p.category)
            if p.brand and len(p.brand) > 1:
                brands.setdefault(p.brand.lower(), p.brand)
        # A type names a category only when every product of that type is in one category.
        types = {form: next(iter(cats)) for form, cats in type_categories.items() if len(cats) == 1 and form not in categories}
        return cls(categories, brands, types)

    def strip_names(self, text: str) -> str:
        """The text without the store's category, brand and type names, and without filler words."""
        low = text.lower()
        for names in (self.types, self.categories, self.brands):
            for form in sorted(names, key=len, reverse=True):
                low = re.sub(rf"(?<![\w-]){re.escape(form)}(?:e?s)?(?![\w-])", " ", low)
        return " ".join(w for w in re.findall(r"[a-z0-9']+", low) if w not in _NOT_SUBJECT)

    def names_something(self, text: str) -> bool:
        """The text names a category, brand or product type this store sells."""
        return any(_find_name(text, names) for names in (self.categories, self.brands, self.types))


_MODEL_WORD = re.compile(r"\d|^[A-Z0-9-]{4,}$")
_TRAILER = re.compile(r"\s+(?:in|with|for)\s+.*$", re.I)  # "Bookshelf Speakers In White" -> "Bookshelf Speakers"


def product_type(product: Product) -> str:
    """What the product is, in a shopper's words: its most specific tag, else its title without brand and model."""
    tags = [t for t in product.tags if t.lower() != product.category.lower()]
    if tags:
        return tags[0].lower()
    title = _TRAILER.sub("", product.title.split(" - ")[0])
    words = [w for w in title.split() if w.lower() != product.brand.lower() and not _MODEL_WORD.search(w)]
    if product.brand == "" and len(words) >= 2:
        words = words[1:]  # no brand field: the first word usually is the brand
    while words and words[0].lower() in ("and", "or", "with", "&"):
        words = words[1:]
    return " ".join(words[-2:]).lower() or product.category.lower() or title.lower()


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


_SUBJECT_END = re.compile(r"\b(?:for|with|without|under|below|over|in|to|that|which|from|by|like|on|at|near)\b", re.I)


# Words of a refinement that point back at the earlier search ("just the ones from Brewline") and name nothing new.
_POINTER_WORDS = frozenset("just only the ones one those these them they from by of made show me any some please what "
                           "about and with brand in do you have are there is it".split())
_VAGUE = frozenset("something anything stuff things thing gear ideas idea".split())
_MODIFIER_NOT = frozenset("good best nice cheap new great warm cool small big large little top quality decent budget "
                          "affordable premium cheapest lightweight light".split())


def head_phrase(text: str) -> list[str]:
    """The words naming the thing asked for: the last word before the first preposition and the word
    before it when that one narrows the kind ("barstool patio sets" -> ["patio", "sets"], "electric guitar
    for my son" -> ["electric", "guitar"], "good tent" -> ["tent"]); [] when only filler words are left."""
    first, _, _ = text.partition(",")  # "a cheap blender, nothing fancy": the remark after the comma is no product
    if re.search(r"[a-z]", first, re.I):
        text = first
    subject, *rest = _SUBJECT_END.split(text, maxsplit=1)
    words = [w for w in re.findall(r"[a-z0-9][a-z0-9'-]*", subject.lower()) if w not in _NOT_SUBJECT]
    if (not words or words[-1] in _VAGUE) and rest:  # "something for working out": what it is for names it
        words = [w for w in re.findall(r"[a-z0-9][a-z0-9'-]*", rest[0].lower()) if w not in _NOT_SUBJECT]
        while words and words[-1] in ("out", "up", "off", "around", "about"):
            words = words[:-1]
    if not words or words[-1] in _VAGUE:
        return []
    if len(words) >= 2 and words[-2].isalpha() and words[-2] not in _MODIFIER_NOT:
        return words[-2:]
    return words[-1:]


def head_noun(text: str) -> str:
    """The one word naming the thing asked for ("electric guitar for my son" -> "guitar"), or ""."""
    phrase = head_phrase(text)
    return phrase[-1] if phrase else ""


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
    text = GIFT.sub(" ", text)
    sort = None
    for pattern, kind in _SORTS:
        match = re.search(pattern, text, re.I)
        if match:
            sort = kind
            text = (text[: match.start()] + " " + text[match.end():]).strip()
            break
    category = brand = None
    if vocabulary:
        found = _find_name(text, vocabulary.brands)
        if found:
            brand = found[1]
            text = re.sub(rf"(?<![\w-]){re.escape(found[0])}(?![\w-])", " ", text, flags=re.I)
        # The thing asked for names the category: "a phone with a good camera" is a phone, not a camera.
        subject = _SUBJECT_END.split(text, maxsplit=1)[0]
        found = (_find_name(subject, vocabulary.categories) or _find_name(subject, vocabulary.types)
                 or _find_name(text, vocabulary.categories) or _find_name(text, vocabulary.types))
        if found:
            category = found[1]  # the word stays in the text: it still helps ranking
    text = _FILLER.sub("", " ".join(text.split()).strip(" ,.;:-?!")).strip(" ,.;:-?!")
    text = _LEAD.sub("", text).strip(" ,.;:-?!")  # "do you carry Purely?" is the brand filter alone
    if price_min is not None and price_max is not None and price_min > price_max:
        price_min, price_max = price_max, price_min
    return Constraints(text=text, price_min=price_min, price_max=price_max, category=category, brands=(brand,) if brand else (),
                       in_stock=in_stock, sort=sort, notes=tuple(notes))
