"""The product desk: searches, changes to the last search, and picks for one customer, from commands.

    desk = ProductDesk(retriever, top_k=4)
    desk.search(SearchProducts(product_type="trail runners", category="shoes", price_max=100.0), view=view)
    desk.refine(Refine(direction="cheaper"), state=state, view=view)    # the last search, cheaper than its cards
    desk.recommend(view)                                                # by the customer's own profile

The session remembers the cards and the search behind them (`Answer.context`: `shown`, `last_search`), so a
refinement changes that search: a new budget replaces the old one, brands and attributes add up, "cheaper"
means cheaper than every card shown, "more" means none of them again. Filters are never relaxed silently:
when nothing passes them, the reply says so. Questions about the cards are `questions.py`.
"""

from __future__ import annotations

from dataclasses import asdict, replace

from assistant.commands import Refine, SearchProducts, SessionState
from assistant.reply.answer import Answer
from assistant.reply.words import listing, money, priced, stock_words
from assistant.types import CustomerView
from data.schema import Product
from retrieval.constraints import Constraints
from retrieval.types import Hit

AROUND = (0.7, 1.1)  # "about $50": from 70 % to 110 % of the amount (a little cheaper is welcome, dearer less so)


def amounts_of(products) -> frozenset[float]:
    return frozenset(round(p.price, 2) for p in products if p.price is not None)


def constraints_of(command: SearchProducts, *, exclude_ids: tuple[str, ...] = ()) -> Constraints:
    low, high = command.price_min, command.price_max
    if command.price_around is not None:
        low = low if low is not None else round(command.price_around * AROUND[0], 2)
        high = high if high is not None else round(command.price_around * AROUND[1], 2)
    return Constraints(text=command.text, price_min=low, price_max=high, category=command.category, brands=command.brands,
                       exclude_brands=command.exclude_brands, attributes=command.attributes, in_stock=command.in_stock,
                       sort=None if command.sort == "relevance" else command.sort, exclude_ids=exclude_ids,
                       kind=command.product_type)


def asked_for(command: SearchProducts) -> list[str]:
    """The filters in the shopper's own terms ("under $100", "not Stride", "navy"), for the reply."""
    out = []
    if command.price_around is not None:
        out.append(f"around {money(command.price_around)}")
    elif command.price_min is not None and command.price_max is not None:
        out.append(f"between {money(command.price_min)} and {money(command.price_max)}")
    elif command.price_max is not None:
        out.append(f"under {money(command.price_max)}")
    elif command.price_min is not None:
        out.append(f"over {money(command.price_min)}")
    if command.brands:
        out.append("from " + " or ".join(command.brands))
    if command.exclude_brands:
        out.append("not from " + " or ".join(command.exclude_brands))
    out += [f"with {a}" for a in command.attributes]
    if command.in_stock:
        out.append("in stock")
    return out


def what(command: SearchProducts) -> str:
    """What was asked for, in a few words: "trail runners", "headphones", "products"."""
    return command.product_type or command.words or command.category or "products"


class ProductDesk:
    def __init__(self, retriever, *, top_k: int) -> None:
        self.retriever = retriever
        self.catalog: dict[str, Product] = retriever.catalog
        self.top_k = top_k

    # -- searching -----------------------------------------------------------------------------
    def search(self, command: SearchProducts, *, view: CustomerView | None, retriever=None,
               exclude_ids: tuple[str, ...] = (), bound: dict | None = None) -> Answer:
        """`bound`: a price limit the shopper did not say ("cheaper than the cards": under the cheapest card); it
        filters, but the reply and the remembered search keep to what the shopper asked."""
        retriever = retriever or self.retriever
        constraints = replace(constraints_of(command, exclude_ids=exclude_ids), **(bound or {}))
        result = retriever.search_constraints(constraints, self.top_k, view=view)
        hits, note = tuple(result.hits), ""
        if not hits and command.attributes:  # none has the attribute: the nearest, said plainly
            wider = replace(constraints, attributes=())
            hits = tuple(retriever.search_constraints(wider, self.top_k, view=view).hits)
            if hits:
                note = f"I found no {what(command)} with {listing(list(command.attributes))}; these are the closest. "
        if not hits:
            return self._nothing(command, retriever)
        remembered = {"shown": [h.product.id for h in hits], "last_search": asdict(command), "focus": None}
        text = note + self._describe(hits, command)
        facts = tuple(f"Product {i}: {self.fact(h.product)}" for i, h in enumerate(hits, 1))
        if asked_for(command):
            facts += ("The shopper asked for: " + ", ".join(asked_for(command)) + ".",)
        return Answer("search", text, facts=facts, required=((hits[0].product.title,),), hits=hits,
                      amounts=amounts_of(h.product for h in hits) | _typed(command), context=remembered,
                      intent="product_search")

    @staticmethod
    def fact(p: Product) -> str:
        bits = [money(p.price) if p.price is not None else "price on request"]
        if p.rating is not None:
            bits.append(f"rated {p.rating}/5")
        bits.append(stock_words(p))
        return f"{p.title} ({', '.join(bits)})"

    def _describe(self, hits: tuple[Hit, ...], command: SearchProducts) -> str:
        first = hits[0].product
        lead = {"price_asc": "The lowest-priced match is", "price_desc": "The highest-priced match is",
                "rating": "The best-rated match is"}.get(command.sort, "I'd suggest")
        text = f"{lead} {priced(first)}"
        if command.sort == "rating" and first.rating is not None:
            text += f", rated {first.rating}/5"
        text += ", but it is out of stock at the moment." if first.stock == 0 else "."
        others = [h.product for h in hits[1:3]]
        if others:
            in_stock = [p for p in others if p.stock != 0] or others
            text += f" Another good option is {priced(in_stock[0])}."
        asked = asked_for(command)
        if asked and len(hits) > 1:
            text += f" {'Both' if len(hits) == 2 else f'All {len(hits)}'} are {', '.join(asked)}."
        return text

    def _nothing(self, command: SearchProducts, retriever) -> Answer:
        """Nothing passes: say which filter leaves nothing, or that the store does not sell the thing."""
        thing = what(command)
        bare = SearchProducts(words=command.words, category=command.category, product_type=command.product_type)
        carried = bare.text and retriever.search_constraints(constraints_of(bare), 1).hits
        asked = asked_for(command)
        if carried and asked:
            text = f"Sorry, I couldn't find any {thing} {', '.join(asked)} in our catalog. Changing the budget or the brand may find more."
        elif carried:
            text = f"Sorry, I couldn't find {thing} like that in our catalog."
        else:
            kinds = sorted({p.category for p in self.catalog.values() if p.category})
            text = (f"Sorry, we don't carry {thing}. I can help you find " + (listing(kinds[:6]) + " and more." if kinds
                                                                               else "other products."))
        return Answer("search", text, facts=(f"No product in the catalog matches {thing}.",), required=(("sorry",),),
                      context={"shown": [], "last_search": asdict(command)}, intent="product_search",
                      amounts=_typed(command))

    # -- changing the last search -------------------------------------------------------------------
    def refine(self, command: Refine, *, state: SessionState, view: CustomerView | None, retriever=None) -> Answer:
        shown = [self.catalog[i] for i in state.shown if i in self.catalog]
        base = state.last_search or SearchProducts(category=_common_category(shown))
        search, exclude, bound = merged(base, command, shown)
        answer = self.search(search, view=view, retriever=retriever, exclude_ids=exclude, bound=bound)
        priced_shown = [p for p in shown if p.price is not None]
        if command.direction not in ("cheaper", "pricier") or not priced_shown:
            return replace(answer, kind="follow_up", amounts=answer.amounts | amounts_of(shown))
        edge = (min if command.direction == "cheaper" else max)(priced_shown, key=lambda p: p.price)
        lead = f"{command.direction.capitalize()} than {priced(edge)}, "
        if not answer.hits and search.product_type and search.category:
            # none of this kind: the nearest are the category's, with the gap said
            wider = self.search(replace(search, product_type=None, words=""), view=view, retriever=retriever,
                                exclude_ids=exclude, bound=bound)
            if wider.hits:
                answer = wider
                lead = f"No {search.product_type} is {command.direction} than {priced(edge)}; in {search.category}, "
        if not answer.hits:
            which = "lowest" if command.direction == "cheaper" else "highest"
            text = f"{priced(edge)[0].upper()}{priced(edge)[1:]} is already the {which}-priced match I found."
            return Answer("follow_up", text, facts=(self.fact(edge) + f": the {which}-priced match.",),
                          required=((edge.title,),), hits=tuple(Hit(p, 1.0) for p in shown), amounts=amounts_of(shown),
                          intent="product_search")
        first = answer.hits[0].product
        text = f"{lead}I'd suggest {priced(first)}."
        if len(answer.hits) > 1:
            text += f" Another option is {priced(answer.hits[1].product)}."
        answer = replace(answer, text=text, required=((first.title,),))
        return replace(answer, kind="follow_up", amounts=answer.amounts | amounts_of(shown))

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
        facts = tuple(f"Pick {i}: {self.fact(p)}" for i, p in enumerate(picks, 1))
        return Answer("recommend", text, facts=facts, required=((picks[0].title,),), hits=hits, amounts=amounts_of(picks),
                      context={"shown": [p.id for p in picks], "last_search": None, "focus": None}, intent="product_search")

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


def merged(base: SearchProducts, change: Refine, shown: list[Product]) -> tuple[SearchProducts, tuple[str, ...], dict]:
    """The last search changed by a refinement, the products it must not show again, and a price bound the cards
    set ("cheaper": under the cheapest card), which filters but is no budget the shopper said."""
    search = base
    if change.words:
        search = replace(search, words=" ".join(dict.fromkeys(f"{search.words} {change.words}".split())))
    if change.brands:
        search = replace(search, brands=change.brands, exclude_brands=tuple(b for b in search.exclude_brands if b not in change.brands))
    if change.exclude_brands:
        search = replace(search, exclude_brands=tuple(dict.fromkeys(search.exclude_brands + change.exclude_brands)),
                         brands=tuple(b for b in search.brands if b not in change.exclude_brands))
    if change.attributes:
        search = replace(search, attributes=tuple(dict.fromkeys(search.attributes + change.attributes)))
    if any(v is not None for v in (change.price_min, change.price_max, change.price_around)):  # a new budget replaces the old
        search = replace(search, price_min=change.price_min, price_max=change.price_max, price_around=change.price_around)
    search = replace(search, in_stock=search.in_stock or change.in_stock,
                     sort=change.sort if change.sort != "relevance" else search.sort)
    prices = [p.price for p in shown if p.price is not None]
    exclude: tuple[str, ...] = ()
    bound: dict = {}
    if change.direction == "cheaper" and prices:
        bound = {"price_max": round(min(prices) - 0.01, 2)}
        if search.price_min is not None and search.price_min > bound["price_max"]:
            bound["price_min"] = None
    elif change.direction == "pricier" and prices:
        bound = {"price_min": round(max(prices) + 0.01, 2)}
    elif change.direction == "more":
        exclude = tuple(p.id for p in shown)
    elif change.direction == "other_brand":
        search = replace(search, brands=(), exclude_brands=tuple(dict.fromkeys(search.exclude_brands + tuple(p.brand for p in shown if p.brand))))
    return search, exclude, bound


def _common_category(products: list[Product]) -> str | None:
    categories = {p.category for p in products}
    return categories.pop() if len(categories) == 1 else None


def _typed(command: SearchProducts) -> frozenset[float]:
    """Amounts the shopper typed: a reply may repeat them."""
    return frozenset(v for v in (command.price_min, command.price_max, command.price_around) if v is not None)
