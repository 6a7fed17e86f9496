"""Questions about the products just shown, answered from the catalog's own words.

    answer_question(AskShown(about=("attribute",), refs=(1,), attributes=("microphone",)), cards, focus=None)
    # "Yes: the Sonora Summit 100 Over-ear Headphones has a built-in microphone for calls."

Which card: the positions asked about, else the card the last question was about, else the first (all of
them for best rated, cheapest, priciest; the first two for a comparison without positions). A feature is
affirmed only with the words of the product's description or tags that say it, and denied as "the
description doesn't mention it" otherwise: the assistant never guesses a feature, and never answers a
question about a shown product with a new search.
"""

from __future__ import annotations

import re

from assistant.commands import AskShown
from assistant.reply.answer import Answer
from assistant.reply.words import listing, money, priced, stock_words
from data.schema import Product
from retrieval.constraints import attribute_pattern, attribute_text
from retrieval.types import Hit

NOTHING_SHOWN = ("I haven't shown you any products in this chat yet. Tell me what you're looking for, and I'll find "
                 "some options.")
_SENTENCES = re.compile(r"(?<=[.!?])\s+")
DENIALS = ("doesn't mention", "does not mention", "isn't listed", "is not listed", "doesn't say", "does not say")


def _fact(p: Product) -> str:
    bits = [money(p.price) if p.price is not None else "price on request"]
    if p.rating is not None:
        bits.append(f"rated {p.rating}/5")
    return f"{p.title} ({', '.join(bits)}, {stock_words(p)})"


def _the(p: Product) -> str:
    return f"the {p.title}"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def targets(command: AskShown, cards: list[Product], focus: str | None) -> list[Product]:
    picked = [cards[r - 1] if r > 0 else cards[-1] for r in command.refs if -1 <= r <= len(cards) and r != 0]
    if picked:
        return list(dict.fromkeys(picked))
    if "compare" in command.about:
        return cards[:2]
    focused = [p for p in cards if p.id == focus]
    return focused or cards[:1]


def saying(product: Product, attribute: str) -> str | None:
    """The description sentence (or tag) that states the attribute, or None when the catalog does not say it."""
    pattern = attribute_pattern(attribute)
    for sentence in _SENTENCES.split(product.description):
        if pattern.match(attribute_text(sentence)):
            return sentence.strip()
    tag = next((t for t in product.tags if pattern.match(attribute_text(t))), None)
    if tag is None and pattern.match(attribute_text(product.title)):
        tag = product.title
    return tag


def _attribute(product: Product, attribute: str) -> tuple[str, bool]:
    said = saying(product, attribute)
    if said is None:
        return f"The description of {_the(product)} doesn't mention {attribute}.", False
    if said in product.tags or said == product.title:
        return f"Yes: {_the(product)} lists {said}.", True
    return f"Yes, {attribute} is listed for {_the(product)}: \"{said}\"", True


def _compare(products: list[Product]) -> str:
    parts = []
    for p in products[:3]:
        bits = [money(p.price) if p.price is not None else "no listed price"]
        if p.rating is not None:
            bits.append(f"rated {p.rating}/5")
        bits.append(stock_words(p))
        features = [t for t in p.tags[2:] if all(t not in q.tags for q in products if q is not p)][:2]
        line = f"{_the(p)} is {', '.join(bits)}" + (f", with {listing(features)}" if features else "")
        parts.append(line)
    cheaper = min((p for p in products if p.price is not None), key=lambda p: p.price, default=None)
    text = _cap("; ".join(parts)) + "."
    if cheaper is not None and len(products) > 1:
        text += f" The cheaper one is {_the(cheaper)}."
    return text


def answer_question(command: AskShown, cards: list[Product], focus: str | None) -> Answer:
    if not cards:
        return Answer("follow_up", NOTHING_SHOWN, facts=("No products were shown in this chat yet.",),
                      required=(("haven't shown",),), intent="product_search")
    chosen = targets(command, cards, focus)
    sentences, required, about_products, forbidden = [], [], [], []
    for about in command.about:
        if about in ("best_rated", "cheapest", "priciest"):
            priced_cards = [p for p in cards if p.price is not None] or cards
            if about == "best_rated":
                best = max(cards, key=lambda p: (p.rating or 0, p.stock != 0))
                line = f"The best rated of those is {priced(best)}" + (f", rated {best.rating}/5." if best.rating is not None else ".")
            elif about == "cheapest":
                best = min(priced_cards, key=lambda p: p.price or 0)
                line = f"The cheapest of those is {priced(best)}."
            else:
                best = max(priced_cards, key=lambda p: p.price or 0)
                line = f"The most expensive of those is {priced(best)}."
            if best.stock == 0:
                line += " It is out of stock at the moment."
            sentences.append(line)
            required.append((best.title,))
            about_products.append(best)
        elif about == "compare":
            sentences.append(_compare(chosen if len(chosen) > 1 else cards[:2]))
            required += [(p.title,) for p in (chosen if len(chosen) > 1 else cards[:2])[:2]]
            about_products += chosen
        elif about == "attribute":
            for p in chosen[:2]:
                for attribute in command.attributes or ("that feature",):
                    line, affirmed = _attribute(p, attribute)
                    sentences.append(line)
                    if affirmed:  # a draft must answer the question in words: yes, or "doesn't mention"
                        required.append(("yes",))
                        forbidden += list(DENIALS)
                    else:
                        required.append(DENIALS)
                        forbidden.append("yes")
                required.append((p.title,))
                about_products.append(p)
        elif about == "price":
            sentences += [f"{_cap(_the(p))} costs {money(p.price)}." if p.price is not None else
                          f"{_cap(_the(p))} has no listed price." for p in chosen[:2]]
            required.append((chosen[0].title,))
            about_products += chosen[:2]
        elif about == "stock":
            for p in chosen[:2]:
                sentences.append(f"Yes, {_the(p)} is in stock." if p.stock else f"{_cap(_the(p))} is {stock_words(p)}.")
            about_products += chosen[:2]
            required.append((chosen[0].title,))
            if chosen[0].stock:  # a draft must say yes in words, never the opposite
                required.append(("yes", "is in stock", "are in stock", "is available"))
                forbidden += ["out of stock", "sold out", "not in stock", "unavailable", "no,"]
            elif chosen[0].stock == 0:
                required.append(("out of stock", "sold out"))
                forbidden += ["yes", "is in stock", "is available"]
        else:  # details
            for p in chosen[:2]:
                first = " ".join(_SENTENCES.split(p.description.strip())[:2])
                bits = f"{money(p.price)}" if p.price is not None else "no listed price"
                rating = f", rated {p.rating}/5" if p.rating is not None else ""
                sentences.append(f"{_cap(_the(p))} costs {bits}{rating} and is {stock_words(p)}. {first}".strip())
            about_products += chosen[:2]
            required.append((chosen[0].title,))
    text = " ".join(dict.fromkeys(sentences))
    facts = tuple(dict.fromkeys(_fact(p) for p in about_products))
    focus_id = about_products[-1].id if about_products else None
    return Answer("follow_up", text, facts=facts, required=tuple(dict.fromkeys(required)), forbidden=tuple(forbidden),
                  hits=tuple(Hit(p, 1.0) for p in cards), amounts=frozenset(round(p.price, 2) for p in cards if p.price),
                  context={"focus": focus_id}, intent="product_search")
