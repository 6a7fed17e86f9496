"""The product desk: searches, follow-ups on the products just shown, and picks for one customer.

    desk = ProductDesk(retriever, top_k=4)
    desk.search("trail running shoes under $100", view=view, context={})          # Answer with cards
    desk.follow_up("which one is cheapest?", context={"shown": [...], ...})       # about the last cards
    desk.recommend(view)                                                           # by the customer's own profile

The session remembers the last cards and the search behind them (`Answer.context`), so "any under
$40?", "only Trailform", "something cheaper" narrow that search, and "is the first one in stock?"
is answered from the catalog. Filters are never relaxed: nothing outside the asked price, brand,
category or stock is shown; when nothing is left, the reply says so.
"""

from __future__ import annotations

import re
from dataclasses import asdict, replace

from assistant.reply.answer import Answer
from assistant.reply.words import listing, money, priced, stock_words
from assistant.types import CustomerView
from assistant.understand import patterns
from data.schema import Product
from retrieval.constraints import Constraints, parse_constraints
from retrieval.types import Hit


def amounts_of(products) -> frozenset[float]:
    return frozenset(round(p.price, 2) for p in products if p.price is not None)


_QUESTION_WORDS = frozenset("who what when where why how which whose whom you your yours me my it that this suggest recommend "
                            "buy get find need want carry sell have got show like".split())


def _asked_noun(text: str) -> str:
    """The thing asked for as the shopper wrote it ("submarines"), or "" when it is no plain noun."""
    from retrieval.constraints import head_noun

    noun = head_noun(text)
    return noun if noun.isalpha() and 3 <= len(noun) <= 24 and noun not in _QUESTION_WORDS else ""


def filters_as_typed(c: Constraints, message: str) -> list[str]:
    """The filters in words, each amount as this message wrote it: "$80" only when the shopper typed "$80"
    now ("80 dollars" otherwise), so a reply never shows a dollar amount nobody said in this turn."""
    typed = {m.replace(",", "") for m in re.findall(r"\$\s?(\d[\d,]*(?:\.\d+)?)", message)}
    in_words = lambda m: m.group(0) if m.group(1) in typed else f"{m.group(1)} dollars"  # noqa: E731
    return [re.sub(r"\$(\d+(?:\.\d+)?)", in_words, f) for f in c.describe()]


def first_sentences(text: str, n: int = 2) -> str:
    return " ".join(re.split(r"(?<=[.!?])\s+", text.strip())[:n])


class ProductDesk:
    def __init__(self, retriever, *, top_k: int) -> None:
        self.retriever = retriever
        self.catalog: dict[str, Product] = retriever.catalog
        self.top_k = top_k

    # -- searching -----------------------------------------------------------------------------
    def search(self, message: str, *, view: CustomerView | None, context: dict, refine: bool = False,
               retriever=None) -> Answer:
        retriever = retriever or self.retriever
        base = Constraints(**context["constraints"]) if refine and context.get("constraints") else None
        result = retriever.search_with_interpretation(message, self.top_k, view=view, base=base)
        c = result.interpretation
        hits = tuple(result.hits)
        remembered = {k: v for k, v in asdict(c).items() if k != "notes"}
        if not hits:
            return self._nothing(c, message, remembered)
        asked = filters_as_typed(c, message)
        text, required = self._describe(hits, c, asked)
        facts = tuple(f"Product {i}: {self._fact(h.product)}" for i, h in enumerate(hits, 1))
        if asked:
            facts += ("The shopper asked for: " + ", ".join(asked) + ".",)
        return Answer("search", text, facts=facts, required=required, hits=hits, amounts=amounts_of(h.product for h in hits),
                      context={"shown": [h.product.id for h in hits], "constraints": remembered}, intent="product_search")

    def _fact(self, p: Product) -> str:
        bits = [money(p.price) if p.price is not None else "price on request"]
        if p.rating is not None:
            bits.append(f"rated {p.rating}/5")
        bits.append(stock_words(p))
        return f"{p.title} ({', '.join(bits)})"

    def _describe(self, hits: tuple[Hit, ...], c: Constraints, filters: list[str]) -> tuple[str, tuple[tuple[str, ...], ...]]:
        first = hits[0].product
        if c.sort == "price_asc":
            lead = f"The lowest-priced match is {priced(first)}"
        elif c.sort == "price_desc":
            lead = f"The highest-priced match is {priced(first)}"
        elif c.sort == "rating":
            lead = f"The best-rated match is {priced(first)}" + (f", rated {first.rating}/5" if first.rating is not None else "")
        else:
            lead = f"I'd suggest {priced(first)}"
        text = lead + (", but it is out of stock at the moment." if first.stock == 0 else ".")
        others = [h.product for h in hits[1:3]]
        if others:
            in_stock = [p for p in others if p.stock != 0] or others
            text += f" Another good option is {priced(in_stock[0])}."
        asked = [f for f in filters if not f.startswith("category")]
        if asked and len(hits) > 1:
            text += f" {'Both' if len(hits) == 2 else f'All {len(hits)}'} match {', '.join(asked)}."
        return text, ((first.title,),)

    def _nothing(self, c: Constraints, message: str, remembered: dict) -> Answer:
        """Nothing matches: say so plainly. The shopper's words are echoed only as the one noun they asked for
        ("we don't carry submarines"), never as a whole sentence (that would repeat anything typed at us)."""
        what = _asked_noun(c.text)
        filters = [f for f in filters_as_typed(c, message) if not f.startswith("category")]
        if filters and c.text and not self.retriever.search_with_interpretation(c.text, 1).hits:
            filters = []  # the store sells no such thing at any price: a wider price range would not help
        if filters:
            wider = [hint for hint, set_ in (("a wider price range", c.price_min is not None or c.price_max is not None),
                                            ("another brand", c.brand is not None), ("including items out of stock", c.in_stock)) if set_]
            text = f"Sorry, I couldn't find any {what or 'products'} with {', '.join(filters)} in our catalog."
            if wider:
                text += f" {' or '.join(wider).capitalize()} may find more."
        else:
            kinds = sorted({p.category for p in self.catalog.values() if p.category})
            lead = f"Sorry, we don't carry {what}." if what else "Sorry, I couldn't find that in our catalog."
            text = lead + " I can help you find " + (listing(kinds[:6]) + " and more." if kinds else "other products.")
        fact = f"No product in the catalog matches {what or 'the request'}" + (f" with {', '.join(filters)}" if filters else "") + "."
        return Answer("search", text, facts=(fact,), required=(("sorry",),),
                      context={"shown": [], "constraints": remembered}, intent="product_search")

    # -- follow-ups on the cards just shown ----------------------------------------------------------
    def follow_up(self, message: str, *, view: CustomerView | None, context: dict, retriever=None) -> Answer | None:
        shown = [self.catalog[pid] for pid in context.get("shown", []) if pid in self.catalog]
        if not shown:
            if patterns.POINTS_BACK.search(message):
                return Answer("follow_up", "I haven't shown you any products in this chat yet. Tell me what you're looking "
                              "for, and I'll find some options.", facts=("No products were shown in this chat yet.",),
                              required=(("haven't shown",),), intent="product_search")
            return None
        for kind, pattern in patterns.SUPERLATIVE:
            if re.search(pattern, message, re.I) and not patterns.REFINE.search(message.replace("cheaper one", "")):
                return self._pick(kind, shown)
        targets = self._targets(message, shown)
        if patterns.ASKS_STOCK.search(message) and targets is not None:
            return self._stock(targets, shown)
        if patterns.ASKS_PRICE.search(message) and targets is not None:
            return self._about(targets, shown, price_only=True)
        if patterns.ASKS_DETAILS.search(message) and targets is not None:
            return self._about(targets, shown)
        return self._refine(message, shown, view=view, context=context, retriever=retriever)

    def _targets(self, message: str, shown: list[Product]) -> list[Product] | None:
        """The shown products a message points at ("the second one", "it", "both"); None when it points at none."""
        match = patterns.ORDINAL.search(message)
        if match:
            index = patterns.ORDINALS[match.group(1).lower()]
            return [shown[index]] if -len(shown) <= index < len(shown) else None
        named = [p for p in shown if p.title.lower() in message.lower() or " ".join(p.title.split()[:3]).lower() in message.lower()]
        if named:
            return named
        if re.search(r"\b(?:both|them|they|these|those)\b", message, re.I):
            return shown[:2] if re.search(r"\bboth\b", message, re.I) else shown
        return shown[:1] if patterns.PRONOUN.search(message) else None

    def _answer(self, text: str, products: list[Product], shown: list[Product], required, intent="product_search") -> Answer:
        facts = tuple(f"{self._fact(p)}" for p in products)
        return Answer("follow_up", text, facts=facts, required=required, hits=tuple(Hit(p, 1.0) for p in shown),
                      amounts=amounts_of(shown), context={}, intent=intent)

    def _pick(self, kind: str, shown: list[Product]) -> Answer:
        priced_items = [p for p in shown if p.price is not None] or shown
        if kind == "cheapest":
            best = min(priced_items, key=lambda p: p.price or 0)
            text = f"The cheapest of those is {priced(best)}."
        elif kind == "priciest":
            best = max(priced_items, key=lambda p: p.price or 0)
            text = f"The most expensive of those is {priced(best)}."
        else:
            best = max(shown, key=lambda p: (p.rating or 0, p.stock != 0))
            text = f"The best rated of those is {priced(best)}" + (f", rated {best.rating}/5." if best.rating is not None else ".")
        if best.stock == 0:
            text += " It is out of stock at the moment."
        return self._answer(text, [best], shown, ((best.title,),))

    def _stock(self, targets: list[Product], shown: list[Product]) -> Answer:
        parts = []
        for p in targets:
            parts.append(f"{'Yes, ' if len(targets) == 1 and p.stock else ''}the {p.title} is {stock_words(p)}.")
        text = " ".join(parts)
        text = text[0].upper() + text[1:]
        if all(p.stock == 0 for p in targets):
            alternative = next((p for p in shown if p.stock and p not in targets), None)
            if alternative is not None:
                text += f" {priced(alternative)[0].upper() + priced(alternative)[1:]} is in stock."
        # "The first one in stock is the X" says "in stock" and answers nothing: a yes must be said as one
        in_stock = ("yes", "is in stock", "are in stock", "is available")
        required = tuple((p.title,) for p in targets[:1]) + ((("out of stock",) if targets[0].stock == 0 else in_stock),)
        return self._answer(text, targets, shown, required)

    def _about(self, targets: list[Product], shown: list[Product], *, price_only: bool = False) -> Answer:
        parts = []
        for p in targets[:2]:
            line = f"The {p.title} costs {money(p.price)}" if p.price is not None else f"The {p.title} has no listed price"
            if not price_only:
                line += (f", is rated {p.rating}/5" if p.rating is not None else "") + f" and is {stock_words(p)}. "
                line += first_sentences(p.description, 2)
            else:
                line += "."
            parts.append(line.strip())
        facts = [self._fact(p) + (" " + first_sentences(p.description, 2) if not price_only else "") for p in targets[:2]]
        answer = self._answer(" ".join(parts), targets[:2], shown, tuple((p.title,) for p in targets[:1]))
        return replace(answer, facts=tuple(facts))

    def _refine(self, message: str, shown: list[Product], *, view, context: dict, retriever) -> Answer | None:
        """"any under $40?", "only Trailform", "something cheaper": the last search, narrowed."""
        if not patterns.REFINE.search(message) and not parse_constraints(message, self.retriever.vocabulary).brand:
            return None
        wording, reference, direction = message, None, None
        priced_shown = [p for p in shown if p.price is not None]
        if priced_shown and not re.search(r"\d", message):
            if re.search(r"\b(?:cheaper|less expensive|lower price)\b", message, re.I):
                reference, direction = min(priced_shown, key=lambda p: p.price), "cheaper"
                wording = f"under {reference.price:.2f}"  # a price the shopper saw: replies may repeat it
            elif re.search(r"\b(?:more expensive|pricier|higher end|better quality)\b", message, re.I):
                reference, direction = max(priced_shown, key=lambda p: p.price), "pricier"
                wording = f"over {reference.price:.2f}"
        wording = re.sub(r"\b(?:only|just|any|anything|something|ones?|show me|what about|how about|more|else|other|options)\b",
                         " ", wording, flags=re.I)
        answer = self.search(wording, view=view, context=context, refine=True, retriever=retriever)
        if re.search(r"\b(?:more|else|others?)\b", message, re.I) and answer.hits:
            fresh = tuple(h for h in answer.hits if h.product.id not in {p.id for p in shown})
            answer = replace(answer, hits=fresh or answer.hits)
        if reference is not None:
            strictly = (lambda p: p.price < reference.price) if direction == "cheaper" else (lambda p: p.price > reference.price)
            answer = replace(answer, hits=tuple(h for h in answer.hits if h.product.price is not None and strictly(h.product)))
            answer = self._relative(answer, reference, direction, shown)
        return replace(answer, kind="follow_up")

    def _relative(self, answer: Answer, reference: Product, direction: str, shown: list[Product]) -> Answer:
        """"Something cheaper" is worded against the product it is cheaper than, never against a derived
        price the shopper did not see."""
        than = "Cheaper than" if direction == "cheaper" else "Pricier than"
        if not answer.hits:
            which = "lowest" if direction == "cheaper" else "highest"
            text = f"{priced(reference)[0].upper() + priced(reference)[1:]} is already the {which}-priced match I found."
            return replace(answer, text=text, facts=(self._fact(reference) + f": the {which}-priced match.",),
                           required=((reference.title,),), hits=tuple(Hit(p, 1.0) for p in shown),
                           amounts=amounts_of(shown), context={})
        first = answer.hits[0].product
        text = f"{than} {priced(reference)}, I'd suggest {priced(first)}."
        others = [h.product for h in answer.hits[1:2]]
        if others:
            text += f" Another option is {priced(others[0])}."
        return replace(answer, text=text, required=((first.title,),),
                       amounts=answer.amounts | amounts_of([reference]),
                       context={**answer.context, "shown": [h.product.id for h in answer.hits]},
                       facts=answer.facts[:len(answer.hits)] + (f"All are {direction} than {self._fact(reference)}.",))

    # -- picks for one customer -----------------------------------------------------------------------
    def recommend(self, view: CustomerView, *, owned: set[str] = frozenset()) -> Answer:
        """In-stock products in the customer's favourite categories (one per category first, best rated,
        inside their usual price band when possible); best sellers for guests and new shoppers."""
        picks = self._personal(view, owned) if view.top_categories else []
        if picks:
            lead = "Based on what you usually buy, you might like "
        else:
            picks = list(view.picks) or self._popular()
            lead = "Here are some of our most popular products right now: "
        picks = picks[: min(3, self.top_k)]
        text = lead + listing([priced(p) for p in picks]) + "."
        hits = tuple(Hit(p, 1.0, (f"you often buy {p.category}",) if view.top_categories else ("popular in the store",)) for p in picks)
        facts = tuple(f"Pick {i}: {self._fact(p)}" for i, p in enumerate(picks, 1))
        return Answer("recommend", text, facts=facts, required=((picks[0].title,),), hits=hits, amounts=amounts_of(picks),
                      context={"shown": [p.id for p in picks], "constraints": {}}, intent="product_search")

    def _personal(self, view: CustomerView, owned: set[str]) -> list[Product]:
        low, high = view.price_band or (0.0, float("inf"))
        by_category = []
        for category in view.top_categories:
            pool = [p for p in self.catalog.values() if p.category == category and (p.stock or 0) > 0 and p.id not in owned]
            pool.sort(key=lambda p: (not (p.price is not None and low <= p.price <= high),
                                     p.brand not in view.top_brands, -(p.rating or 0), p.id))
            by_category.append(pool)
        ordered = [pool[i] for i in range(2) for pool in by_category if i < len(pool)]
        return list(dict.fromkeys(ordered))

    def _popular(self) -> list[Product]:
        popularity = getattr(self.retriever, "popularity", {}) or {}
        ranked = sorted((p for p in self.catalog.values() if (p.stock or 0) > 0),
                        key=lambda p: (-popularity.get(p.id, 0.0), -(p.rating or 0), p.id))
        return ranked[:3]
