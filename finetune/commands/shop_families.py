"""Shopping examples from the store's catalog: searches, refinements of the last search, questions about the
cards shown, and requests for suggestions. Each function returns one `Example`."""

from __future__ import annotations

from dataclasses import replace

from assistant.commands import AskShown, Recommend, Refine, SearchProducts, SessionState
from finetune.commands import shopping_words as W
from finetune.commands.example import Example, Phrasebook, amount_text, article, round_amount, roughen
from finetune.commands.service_words import ASK, ASK_TWO, ORDINALS
from finetune.commands.store import StoreFacts, TypeFacts
from finetune.shopping import plural

GENERIC_FEATURES = (("a microphone", "microphone"), ("bluetooth", "bluetooth"), ("a warranty", "warranty"),
                    ("usb-c charging", "usb-c charging"), ("a carry case", "carry case"), ("a hood", "hood"),
                    ("pockets", "pockets"), ("wifi", "wifi"), ("a remote", "remote"), ("a timer", "timer"),
                    ("a removable cover", "removable cover"), ("replaceable batteries", "replaceable batteries"),
                    ("a touchscreen", "touchscreen"), ("gps", "gps"), ("a lid", "lid"), ("a strap", "strap"))
ADJECTIVES = ("waterproof", "non-stick", "rechargeable", "foldable", "wireless", "machine washable", "dishwasher safe",
              "lightweight", "adjustable", "noise cancelling", "vegan", "breathable", "water resistant", "cordless")
NEEDS = ("for {k} people", "big enough for {k}", "bigger", "smaller", "lighter", "warmer", "quieter", "more compact",
         "for kids", "for travel")
ORDINAL_WORDS = {1: "first", 2: "second", 3: "third", 4: "fourth"}


def product_phrase(book: Phrasebook, facts: StoreFacts, t: TypeFacts) -> tuple[str, bool, dict]:
    """How the shopper names a type (itself, a synonym, or only its category): (words, plural, slots)."""
    if book.rng.random() < 0.12:  # only the category: "headphones", "kitchen stuff"
        cat = t.category
        name = cat if cat.endswith("s") else f"{cat} {book.choice(('stuff', 'things', 'products', 'gear'))}"
        return name, True, {"category": cat}
    name = t.name.lower()
    if book.rng.random() < 0.3 and t.name in W.SYNONYMS:
        name = book.choice(W.SYNONYMS[t.name])
    if name.endswith("s") or book.maybe(0.45):
        return plural(name), True, {"product_type": t.name, "category": t.category}
    return name, False, {"product_type": t.name, "category": t.category}


def determined(book: Phrasebook, name: str, many: bool) -> str:
    """"a tent", "some tents", or the bare words, as the frame before them allows."""
    if many:
        return "some " + name if book.maybe(0.3) else name
    return article(name) if book.maybe(0.7) else name


BARE_BEFORE = ("any", "which", "what", "whats", "what's", "of", "for", "in", "about", "suggest", "is there")


def _budget(book: Phrasebook, t: TypeFacts) -> tuple[str, dict]:
    rng = book.rng
    base = round_amount(t.median_price * rng.uniform(0.6, 1.6))
    money = lambda v: amount_text(v, rng, W.AMOUNTS)  # noqa: E731
    kind = rng.choices(("max", "min", "range", "around"), weights=(5, 2.5, 2.5, 3))[0]
    if kind == "max":
        _, phrase = book.group(W.BUDGET_MAX, frozenset({"limit"}))
        return phrase.format(m=money(base)), {"price_max": base}
    if kind == "min":
        _, phrase = book.group(W.BUDGET_MIN, frozenset())
        return phrase.format(m=money(base)), {"price_min": base}
    if kind == "range":
        low = round_amount(base * 0.5)
        _, phrase = book.group(W.BUDGET_RANGE, frozenset())
        second = amount_text(base, rng, W.AMOUNTS)
        return phrase.format(m=f"{low:g}" if rng.random() < 0.6 else money(low), m2=second), {"price_min": low, "price_max": base}
    _, phrase = book.group(W.BUDGET_AROUND, frozenset())
    return phrase.format(m=money(base)), {"price_around": base}


def _attribute(book: Phrasebook, t: TypeFacts) -> tuple[str, str]:
    if book.maybe(0.3):  # a quality any shopper may ask of anything
        quality = book.choice(W.QUALITIES)
        return book.choice(W.QUALITY_FRAMES).format(a=quality), quality
    if t.colours and (not t.features or book.maybe(0.5)):
        colour = book.choice(t.colours)
        return book.choice(W.COLOUR_FRAMES).format(a=colour), colour
    feature = book.choice(t.features).split(" for ")[0]
    return book.choice(W.FEATURE_FRAMES).format(a=feature), feature


def search(book: Phrasebook, facts: StoreFacts, *, state: SessionState | None = None) -> Example:
    """A request for products, with any of: budget, brand, exclusion, attribute, use, sort, stock, a story."""
    rng = book.rng
    t = facts.types[book.choice(sorted(facts.types))]
    thing, many, slots = product_phrase(book, facts, t)
    group, frame = book.group(W.FRAMES, frozenset({"wish"}))
    groups = [group]
    sort = "relevance"
    if book.maybe(0.12):
        sort = book.choice(sorted(W.SORTS))
        thing = f"{book.choice(W.SORTS[sort])} {thing}"
    bare = frame.split("{p}")[0].strip().split(" ")[-1] in BARE_BEFORE or frame.startswith("{p}")
    extras, words = [], ""
    if book.maybe(0.25) and t.uses:  # what it is for: context, not a slot (the type names the thing)
        extras.append(book.choice(W.USE_FRAMES).format(a=book.choice(t.uses)))
    if book.maybe(0.2) and len(facts.brands) > 1:
        brand = book.choice(t.brands or sorted(facts.brands))
        if book.maybe(0.5) and sort == "relevance":
            thing = f"{brand} {thing}"
        else:
            extras.append(book.choice(W.BRAND_ONLY["from"]).format(b=brand))
        slots["brands"] = (brand,)
    attributes = ()
    if book.maybe(0.2):
        said, attribute = _attribute(book, t)
        extras.append(said)
        attributes = (attribute,)
    if book.maybe(0.4):
        said, price = _budget(book, t)
        extras.append(said)
        slots.update(price)
        groups.append("budget")
    if book.maybe(0.07):
        extras.append(book.choice(W.STOCK))
        slots["in_stock"] = True
    rng.shuffle(extras)
    thing = thing if bare or sort != "relevance" else determined(book, thing, many)
    text = frame.format(p=" ".join([thing, *extras[:1]]))
    if extras[1:]:
        text += book.choice((", ", " ", " - ", ". ")) + ", ".join(extras[1:])
    if book.maybe(0.2) and not slots.get("brands"):
        excluded = book.choice([b for b in (t.brands or sorted(facts.brands))])
        _, phrase = book.group(W.BRAND_NOT, frozenset({"reason"}))
        text += book.choice((" ", ", ", " - ")) + phrase.format(b=excluded)
        slots["exclude_brands"] = (excluded,)
        groups.append("not_brand")
    if book.maybe(0.2):
        _, story = book.group(W.STORIES, frozenset({"move"}))
        text = f"{story}{book.choice(('. ', ', ', ' - ', '! '))}{text}"
        groups.append("story")
    command = SearchProducts(words=words, attributes=attributes, sort=sort, **slots)
    return Example("search", "search/" + "+".join(groups), roughen(text, rng), [command], state or SessionState(),
                   held=book.used_held)


def other_thing(book: Phrasebook, facts: StoreFacts) -> Example:
    """A thing none of the store's types names ("do you sell kayaks?"): a search for the shopper's words alone."""
    names = " ".join(list(facts.types) + [s for t in facts.types for s in W.SYNONYMS.get(t, ())] + list(facts.categories))
    things = [t for t in W.OTHER_THINGS if not any(w in names.split() for w in t.split())]
    thing = book.choice(things)
    said = plural(thing) if book.maybe(0.5) and not thing.endswith("s") else thing
    group, frame = book.group(W.FRAMES, frozenset({"wish"}))
    text = frame.format(p=said if frame.split("{p}")[0].strip().split(" ")[-1] in BARE_BEFORE else determined(book, said, said != thing))
    slots: dict = {}
    if book.maybe(0.3):
        amount = round_amount(book.rng.uniform(15, 400))
        text += book.choice((", under {m}", " below {m}", ", max {m}")).format(m=amount_text(amount, book.rng, W.AMOUNTS))
        slots["price_max"] = amount
    return Example("search", f"search/other:{group}", roughen(text, book.rng), [SearchProducts(words=thing, **slots)],
                   held=book.used_held)


def gift(book: Phrasebook, facts: StoreFacts) -> Example:
    """"a present for my niece, she loves yoga classes": the interest names what to look for."""
    rng = book.rng
    interest = book.choice(hobbies(facts))
    who = book.choice(W.RECIPIENTS)
    first = book.choice(W.GIFT["for_person"]).format(r=who)
    second = book.choice(W.GIFT["loves"]).format(i=interest, s=W.pronoun(who))
    for singular, plural_verb in (("they loves", "they love"), ("they is", "they are"), ("they likes", "they like"),
                                  ("they has", "they have")):
        second = second.replace(singular, plural_verb)
    slots: dict = {}
    text = f"{first}, {second}" if book.maybe(0.6) else f"{second}{book.choice(('. ', ', so ', ' - '))}{first}"
    if book.maybe(0.5):
        said, price = _budget(book, facts.types[facts.categories[facts.interests[interest]][0]])
        text += f", {said}"
        slots.update(price)
    if book.maybe(0.3):
        text += book.choice((". any ideas?", ", what do you suggest?", ". help!", ""))
    return Example("search", "gift", roughen(text, rng), [SearchProducts(words=interest, **slots)], held=book.used_held)


def hobbies(facts: StoreFacts) -> list[str]:
    """The store's uses that read as a pastime ("hiking", "video editing", "yoga classes"), not a place or a person."""
    return sorted(u for u in facts.interests
                  if any(w.endswith("ing") or w in ("photography", "yoga", "travel") for w in u.split())
                  and not any(w in ("gift", "gifting", "present", "presents", "kids", "rooms") for w in u.split()))


def shown_state(book: Phrasebook, facts: StoreFacts) -> tuple[SessionState, str, TypeFacts]:
    """The state after a search: its cards (3-4 products of one type, or of its category) and the message. The
    search before is always phrased as in training: a held-out example holds its new phrasing in the message."""
    first = search(Phrasebook(book.rng, held_out=False), facts)
    command = first.commands[0]
    t = facts.types.get(command.product_type or "") or facts.types[book.choice(facts.categories[command.category or
                                                                                                 book.choice(sorted(facts.categories))])]
    pool = list(t.products) if len(t.products) >= 3 else [p for n in facts.categories[t.category] for p in facts.types[n].products]
    cards = book.rng.sample(pool, min(len(pool), book.choice((3, 4, 4))))
    return SessionState(shown=tuple(p.id for p in cards), last_search=command), first.message, t


def refine(book: Phrasebook, facts: StoreFacts) -> Example:
    rng = book.rng
    state, before, t = shown_state(book, facts)
    kind = rng.choices(("dir", "brand", "not_brand", "attr", "budget", "words", "stock", "sort"),
                       weights=(5, 1.5, 1.5, 2, 4, 1.5, 0.5, 1))[0]
    cards = [facts.products[i] for i in state.shown]
    if kind == "dir":
        direction = rng.choices(sorted(W.REFINE), weights=(4, 3, 1, 1.5))[0]
        _, text = book.group(W.REFINE[direction])
        command = Refine(direction=direction)
    elif kind == "brand":
        brand = book.choice(t.brands or sorted(facts.brands))
        _, text = book.group(W.REFINE_BRAND)
        text, command = text.format(b=brand), Refine(brands=(brand,))
    elif kind == "not_brand":
        brand = book.choice([p.brand for p in cards if p.brand] or sorted(facts.brands))
        _, text = book.group(W.REFINE_NOT_BRAND)
        text, command = text.format(b=brand), Refine(exclude_brands=(brand,))
    elif kind == "attr":
        _, attribute = _attribute(book, t)
        _, text = book.group(W.REFINE_ATTR)
        text, command = text.format(a=attribute), Refine(attributes=(attribute,))
    elif kind == "budget":
        cheapest = min((p.price for p in cards if p.price), default=t.median_price)
        amount = round_amount(cheapest * rng.uniform(0.5, 0.95))
        said = amount_text(amount, rng, W.AMOUNTS)
        roll = rng.random()
        if roll < 0.6:
            _, text = book.group(W.REFINE_BUDGET)
            text, command = text.format(m=said), Refine(price_max=amount)
        elif roll < 0.8:
            text, command = book.choice(W.REFINE_AROUND).format(m=said), Refine(price_around=amount)
        else:
            high = round_amount(max((p.price for p in cards if p.price), default=t.median_price) * rng.uniform(1.0, 1.5))
            text, command = book.choice(W.REFINE_MIN).format(m=amount_text(high, rng, W.AMOUNTS)), Refine(price_min=high)
    elif kind == "sort":
        sort = rng.choice(sorted(W.REFINE_SORT))
        text, command = book.choice(W.REFINE_SORT[sort]), Refine(sort=sort)
    elif kind == "words":
        need = book.choice(NEEDS).format(k=rng.choice((2, 3, 4, 6)))
        text = book.choice(("{n}?", "any {n}", "one {n}", "something {n}", "i need one {n}", "do you have one {n}",
                            "what about {n}")).format(n=need)
        command = Refine(words=need)
    else:
        text, command = book.choice(W.REFINE_STOCK), Refine(in_stock=True)
    if book.maybe(0.15):
        text = book.choice(("hmm ", "ok ", "nice, ", "thanks! ", "great, ")) + text
    return Example("refine", f"refine/{kind}", roughen(text, rng), [command], state, previous=before, held=book.used_held)


def _type_word(book: Phrasebook, facts: StoreFacts, cards) -> str:
    """What the shopper calls the cards' kind of thing ("tent", "headphones", "jacket")."""
    name = facts.type_of(cards[0]).name
    return book.choice((name, name.split()[-1])) if " " in name else name


def _pointer(book: Phrasebook, cards, facts: StoreFacts | None = None) -> tuple[str, tuple[int, ...]]:
    """A way to point at one card: its position, its brand (with the kind of thing), or "it"."""
    rng = book.rng
    roll = rng.random()
    brands = [p.brand for p in cards]
    if roll < 0.15:
        return book.choice(("it", "that one", "this one")), ()
    if roll < 0.45:
        unique = [i for i, b in enumerate(brands) if b and brands.count(b) == 1]
        models = [p.title.split()[1] if len(p.title.split()) > 2 else "" for p in cards]  # "Sonora Summit 100 ..." -> "Summit"
        named = [i for i, m in enumerate(models) if m and models.count(m) == 1]
        kind = _type_word(book, facts, cards) if facts is not None else "one"
        if named and (not unique or book.maybe(0.4)):
            i = book.choice(named)
            title = cards[i].title.split()
            return book.choice(("the {m}", "the {m} one", "the {b} {m}", "the {m} {k}", "the {b} {m} {n}")).format(
                m=models[i], b=cards[i].brand, k=kind, n=title[2]), (i + 1,)
        if unique:
            i = book.choice(unique)
            return book.choice(("the {b} one", "the {b}", "that {b} one", "the {b} {k}")).format(b=cards[i].brand, k=kind), (i + 1,)
    position = rng.randrange(len(cards))
    if position == len(cards) - 1 and book.maybe(0.3):
        return book.choice(ORDINALS[-1]), (-1,)
    return book.choice(ORDINALS[position + 1]), (position + 1,)


def _feature(book: Phrasebook, facts: StoreFacts, cards) -> tuple[str, str, str]:
    """(template kind, what the shopper says, the attribute slot)."""
    if book.maybe(0.3):
        adjective = book.choice(ADJECTIVES)
        return "attribute_is", adjective, adjective
    if book.maybe(0.6):
        t = facts.type_of(book.choice(cards))
        pool = t.features or ("warranty",)
    else:
        pool = facts.types[book.choice(sorted(facts.types))].features or ("warranty",)
    if book.maybe(0.3):
        said, slot = book.choice(GENERIC_FEATURES)
        return "attribute", said, slot
    feature = book.choice(pool).split(" for ")[0]
    said = article(feature) if book.maybe(0.3) and not feature.endswith("s") else feature
    return "attribute", said, feature


def _one_question(book: Phrasebook, facts: StoreFacts, cards, about: str,
                  pointed: tuple[str, tuple[int, ...]] | None = None) -> tuple[str, AskShown]:
    """One question of kind `about`; `pointed` (phrase, refs) points at the card already talked about."""
    from finetune.commands.service_words import PROPERTY_ASKS, WHICH_HAS

    if about == "attribute" and book.maybe(0.25):
        template, slot = book.choice(PROPERTY_ASKS)
        pointer, refs = pointed or _pointer(book, cards, facts)
        return template.format(o=pointer), AskShown(about=("attribute",), refs=refs, attributes=(slot,))
    if about == "attribute" and book.maybe(0.1):
        _, said, slot = _feature(book, facts, cards)
        return book.choice(WHICH_HAS).format(a=said), AskShown(about=("attribute",), attributes=(slot,))
    if about == "attribute":
        kind, said, slot = _feature(book, facts, cards)
        pointer, refs = pointed or _pointer(book, cards, facts)
        _, template = book.group(ASK[kind])
        if "{o}" not in template:
            refs = ()
        return template.format(o=pointer, a=said), AskShown(about=("attribute",), refs=refs, attributes=(slot,))
    if about == "compare":
        i, j = sorted(book.rng.sample(range(len(cards)), 2))
        _, template = book.group(ASK["compare"])
        if template == "compare the top two":
            i, j = 0, 1
        text = template.format(o=book.choice(ORDINALS[i + 1]), o2=book.choice(ORDINALS[j + 1]))
        return text, AskShown(about=("compare",), refs=(i + 1, j + 1))
    if about in ("best_rated", "cheapest", "priciest"):
        _, template = book.group(ASK[about])
        return template.format(t=_type_word(book, facts, cards)), AskShown(about=(about,))
    pointer, refs = pointed or _pointer(book, cards, facts)
    _, template = book.group(ASK[about])
    if "{o}" not in template:
        refs = ()
    return template.format(o=pointer), AskShown(about=(about,), refs=refs)


def ask(book: Phrasebook, facts: StoreFacts) -> Example:
    rng = book.rng
    state, before, _ = shown_state(book, facts)
    cards = [facts.products[i] for i in state.shown]
    abouts = ("attribute", "compare", "best_rated", "cheapest", "priciest", "price", "stock", "details")
    about = rng.choices(abouts, weights=(6, 2, 1.5, 1.5, 0.7, 2, 2, 1.5))[0]
    pointed = _pointer(book, cards, facts)
    text, command = _one_question(book, facts, cards, about, pointed)
    if about in ("price", "stock", "attribute") and book.maybe(0.2):  # two questions about one card
        second = book.choice([a for a in ("price", "stock") if a != about])
        other, extra = _one_question(book, facts, cards, second, (book.choice(("it", "that one")), ()))
        text = book.choice(ASK_TWO).format(q1=text.rstrip("?"), q2=other.rstrip("?"))
        command = replace(command, about=command.about + extra.about)
    if book.maybe(0.1):
        text = book.choice(("ok and ", "cool. ", "thanks, ", "one more thing: ")) + text
    return Example("ask", f"ask/{about}", roughen(text, rng), [command], state, previous=before, held=book.used_held)


RECOMMEND = {"plain": ("what would you recommend to me", "surprise me", "any ideas for something to buy?", "choose something for me",
                       "what's good right now", "i'm just browsing, show me something nice", "what do you suggest?",
                       "i don't know what i want, help", "anything you'd recommend?", "show me your popular stuff",
                       "what's trending", "got any suggestions for me?", "gift ideas?", "what should i get"),
             "held": ("inspire me", "what are people buying these days")}


def recommend(book: Phrasebook, facts: StoreFacts) -> Example:
    from finetune.commands.service_words import RECOMMEND_CORES, RECOMMEND_TAILS

    if book.held_out or book.maybe(0.3):
        _, text = book.group(RECOMMEND)
    else:
        text = book.choice(RECOMMEND_CORES) + book.choice(RECOMMEND_TAILS)
    if book.maybe(0.15):
        text = book.choice(("hi! ", "hello there, ", "hey ", "ok so ")) + text
    return Example("recommend", "recommend", roughen(text, book.rng), [Recommend()], held=book.used_held)
