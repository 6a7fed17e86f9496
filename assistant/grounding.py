"""Grounding guard: a reply may name only the products and prices retrieved for this turn and
discount codes that exist in the store's policies.

    guard = GroundingGuard(catalog, policies)
    for piece in guard.stream(generator.stream(prompt), hits): ...

The guard works sentence by sentence while the reply streams: a sentence that names a product
not retrieved this turn, a price that is neither a retrieved product's price nor a figure in
the policies, or an unknown discount code is dropped before the user sees it. If nothing
survives, a safe reply built only from the retrieved facts is sent instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from assistant.types import Hit, Product

PRICE = re.compile(r"\$\s?(\d[\d,]*(?:\.\d{1,2})?)")
CODE = re.compile(r"\b[A-Z]{3,}\d{1,3}\b")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
NO_FACTS_REPLY = "I'm not sure about that. I can connect you with a human agent who can help."


@dataclass(frozen=True)
class Violation:
    kind: str  # "product", "price" or "code"
    text: str


def _amount(raw: str) -> float:
    return round(float(raw.replace(",", "")), 2)


def product_names(product: Product) -> list[str]:
    """Ways a reply can name a product: its title and its brand-plus-model prefix."""
    words = product.title.split()
    names = [product.title.lower()]
    if len(words) >= 4:
        names.append(" ".join(words[:3]).lower())
    return names


class GroundingGuard:
    def __init__(self, catalog: dict[str, Product], policies: dict[str, str]) -> None:
        self.catalog = catalog
        policy_text = "\n".join(policies.values())
        self.policy_prices = {_amount(m) for m in PRICE.findall(policy_text)}
        self.policy_codes = set(CODE.findall(policy_text))
        self._names = {pid: product_names(p) for pid, p in catalog.items()}

    def violations(self, text: str, hits: Iterable[Hit]) -> list[Violation]:
        hits = list(hits)
        allowed_ids = {h.product.id for h in hits}
        allowed_names = {n for h in hits for n in product_names(h.product)}
        allowed_prices = self.policy_prices | {round(h.product.price, 2) for h in hits if h.product.price is not None}
        lowered = text.lower()
        found = []
        for pid, names in self._names.items():
            if pid in allowed_ids:
                continue
            for name in names:
                if name in lowered and not any(name in ok for ok in allowed_names):
                    found.append(Violation("product", self.catalog[pid].title))
                    break
        found += [Violation("price", f"${raw}") for raw in PRICE.findall(text) if _amount(raw) not in allowed_prices]
        found += [Violation("code", code) for code in CODE.findall(text) if code not in self.policy_codes]
        return found

    def safe_reply(self, hits: Iterable[Hit]) -> str:
        """A reply made only of retrieved facts."""
        hits = list(hits)[:2]
        if not hits:
            return NO_FACTS_REPLY
        named = " and the ".join(f"{h.product.title}" + (f" at ${h.product.price:.2f}" if h.product.price is not None else "") for h in hits)
        return f"Here is what I found for you: the {named}."

    def repair(self, text: str, hits: Iterable[Hit]) -> str:
        """The draft without its ungrounded sentences, or the safe reply if none are left."""
        hits = list(hits)
        kept = [s for s in SENTENCE_END.split(text.strip()) if s and not self.violations(s, hits)]
        return " ".join(kept) if kept else self.safe_reply(hits)

    def stream(self, pieces: Iterable[str], hits: Iterable[Hit]) -> Iterator[str]:
        """Forward grounded sentences as soon as each one ends; drop the rest."""
        hits = list(hits)
        buffer, sent_any = "", False
        for piece in pieces:
            buffer += piece
            parts = SENTENCE_END.split(buffer)
            for sentence in parts[:-1]:
                if sentence.strip() and not self.violations(sentence, hits):
                    yield ("" if not sent_any else " ") + sentence.strip()
                    sent_any = True
            buffer = parts[-1]
        if buffer.strip() and not self.violations(buffer, hits):
            yield ("" if not sent_any else " ") + buffer.strip()
            sent_any = True
        if not sent_any:
            yield self.safe_reply(hits)
