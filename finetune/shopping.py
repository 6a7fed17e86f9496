"""Shopping queries made from a product catalog: how shoppers ask for the things a store sells.

    queries = catalog_queries(products, random.Random(13), per_product=3)
    # [{"text": "do you sell windbreakers?", "intent": "product_search", "source": "catalog"}, ...]

Real search logs are scarce (WANDS has 480 queries), but every catalog says what it sells: each
product's type ("windbreaker", "turntable"), brand, colour, use and price. Wrapped in the ways
people ask ("do you have ...", "... under $60", "cheapest ...", a typo), they teach the intent
detector that asking for, describing or comparing such things is a product search. A catalog the
detector never saw (Abt-Buy) gives the held-out check.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

from data.schema import Product
from retrieval.constraints import product_type

ASKS = (
    "{t}", "{ts}", "{b} {t}", "{c} {t}", "{t} for {u}", "{t} under ${p}", "cheap {t}", "best {t}", "good {t} for {u}",
    "do you sell {ts}?", "do you have any {ts}", "do you carry {b}?", "do you have {b} {ts}?", "i'm looking for a {t}",
    "I need a {t} for {u}", "looking for a {c} {t} around ${p}", "show me {ts}", "recommend a {t}", "what {ts} do you have?",
    "any {t} in stock?", "which {t} is best for {u}?", "compare your {ts}", "{t} between ${lo} and ${p}",
    "a gift for my dad, maybe a {t}", "something for {u}", "how much is the {title}?", "is the {title} any good?",
    "{title}", "{t} less than {p} dollars", "what's your cheapest {t}?", "a {t} that is not too expensive",
    "need new {ts}", "got any {c} {ts}?", "{b} {t} in {c}", "i want to buy a {t}", "can you find me a {t}",
    "what would you suggest for {u}?", "{t} or {t2}", "top rated {t}", "is there a {t} on sale", "my {t} broke, need a new one",
    "shopping for a {t}", "where can I find {ts} on your site", "a {t} please", "{t} with good reviews",
)
USES = ("everyday use", "home", "travel", "work", "a gift", "my office", "the kids")  # when a catalog has no tags


def plural(noun: str) -> str:
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun if noun.endswith("s") else noun + "es"
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


def _typo(text: str, rng: random.Random) -> str:
    """One letter dropped or doubled in one longer word ("runing shoes")."""
    words = text.split()
    long = [i for i, w in enumerate(words) if len(w) > 4 and w.isalpha()]
    if not long:
        return text
    i = rng.choice(long)
    j = rng.randrange(1, len(words[i]) - 1)
    words[i] = words[i][:j] + words[i][j + 1:] if rng.random() < 0.6 else words[i][:j] + words[i][j] + words[i][j:]
    return " ".join(words)


def catalog_queries(products: Iterable[Product], rng: random.Random, *, per_product: int = 2,
                    source: str = "catalog", typo_rate: float = 0.08) -> list[dict]:
    """Product-search rows {text, intent, source}: `per_product` asks about each product."""
    products = list(products)
    types = [product_type(p) for p in products]
    rows = []
    for product, kind in zip(products, types):
        extra = [t.lower() for t in product.tags[2:]]
        colour, uses = (extra[0], extra[1:] or extra) if extra else ("", USES)
        brand = product.brand or product.title.split()[0]
        for _ in range(per_product):
            price = int((product.price or 50) * rng.uniform(1.05, 1.6)) + 1
            text = rng.choice(ASKS).format(
                t=kind, ts=plural(kind), t2=rng.choice(types), b=brand, c=colour, u=rng.choice(uses),
                p=price, lo=max(1, price // 3), title=product.title.split(" - ")[0])
            text = " ".join(text.split())
            if rng.random() < typo_rate:
                text = _typo(text, rng)
            if rng.random() < 0.3:
                text = text.capitalize()
            rows.append({"text": text, "intent": "product_search", "source": source})
    return rows
