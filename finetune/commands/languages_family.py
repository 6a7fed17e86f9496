"""Examples in Spanish, French and German: the same commands as in English, with the store's English names.

Only types and categories with a written translation (`languages.py`) are asked for; a store without one gets
no examples from this family. The "story" frames of every language are held out.
"""

from __future__ import annotations

from assistant.commands import AskShown, Bye, Greet, OrderStatus, Policy, Refine, SearchProducts, Thanks
from finetune.commands import languages as L
from finetune.commands.example import Example, Phrasebook, round_amount, roughen
from finetune.commands.store import StoreFacts

HELD_FRAMES = frozenset({"story"})
AGES = {"es": (", tiene {a} años", " de {a} años", ", cumple {a}"), "fr": (", il a {a} ans", " de {a} ans", ", elle a {a} ans"),
        "de": (", er ist {a} Jahre alt", " ({a} Jahre)", ", sie wird {a}")}


# Changing the last search and asking about the cards, written for this generator.
REFINE = {"es": {"cheaper": ("¿algo más económico?", "¿tienes algo más barato?", "más baratos por favor", "demasiado caro, ¿otra opción?"),
                 "more": ("¿más opciones?", "enséñame otros", "¿qué más tienes?"), "other_brand": ("¿de otra marca?", "¿otras marcas?")},
          "fr": {"cheaper": ("moins cher ?", "vous avez moins cher ?", "quelque chose de plus abordable ?", "trop cher pour moi"),
                 "more": ("d'autres modèles ?", "montrez-m'en d'autres", "autre chose ?"), "other_brand": ("une autre marque ?", "d'autres marques svp")},
          "de": {"cheaper": ("gibt es was Günstigeres?", "billiger bitte", "etwas Preiswerteres?", "zu teuer für mich"),
                 "more": ("mehr Auswahl?", "zeig mir andere", "was gibt es noch?"), "other_brand": ("andere Marken?", "von einer anderen Marke?")}}
ASK = {"es": {"cheapest": ("¿cuál cuesta menos?", "¿cuál es el más económico?"), "best_rated": ("¿cuál tiene mejores opiniones?",),
              "priciest": ("¿cuál es el más caro?",)},
       "fr": {"cheapest": ("lequel coûte le moins ?", "le moins cher c'est lequel ?"), "best_rated": ("lequel a les meilleurs avis ?",),
              "priciest": ("lequel est le plus cher ?",)},
       "de": {"cheapest": ("welcher kostet am wenigsten?", "was ist das günstigste davon?"), "best_rated": ("welcher ist am besten bewertet?",),
              "priciest": ("welcher ist der teuerste?",)}}


def language_example(book: Phrasebook, facts: StoreFacts) -> Example:
    lang = book.choice(L.LANGUAGES)
    roll = book.rng.random()
    if roll < 0.12:
        return _about_cards(book, facts, lang)
    if roll < 0.75:
        return _search(book, facts, lang)
    if roll < 0.87:
        topic = book.choice([t for t in sorted(L.POLICY_QUESTIONS[lang]) if t in facts.policies])
        text = book.choice(L.POLICY_QUESTIONS[lang][topic])
        return Example("lang", f"lang/{lang}:policy", roughen(text, book.rng, typos=0.0), [Policy(topics=(topic,))])
    if roll < 0.94:
        customer = book.choice(sorted(facts.orders))
        text = book.choice(L.ORDER_QUESTIONS[lang])
        return Example("lang", f"lang/{lang}:order", roughen(text, book.rng, typos=0.0), [OrderStatus()], user=customer)
    kind = book.choice(("greet", "thanks", "bye"))
    command = {"greet": Greet(), "thanks": Thanks(), "bye": Bye()}[kind]
    return Example("lang", f"lang/{lang}:{kind}", book.choice(L.SOCIAL[lang][kind]), [command])


def _about_cards(book: Phrasebook, facts: StoreFacts, lang: str) -> Example:
    from finetune.commands.shop_families import shown_state

    state, before, _ = shown_state(Phrasebook(book.rng, held_out=False), facts)
    if book.maybe(0.6):
        direction = book.choice(sorted(REFINE[lang]))
        text, command = book.choice(REFINE[lang][direction]), Refine(direction=direction)
    else:
        about = book.choice(sorted(ASK[lang]))
        text, command = book.choice(ASK[lang][about]), AskShown(about=(about,))
    return Example("lang", f"lang/{lang}:cards", roughen(text, book.rng, typos=0.0), [command], state, previous=before)


def _search(book: Phrasebook, facts: StoreFacts, lang: str) -> Example:
    names = [t for t in sorted(facts.types) if t in L.TYPE_NAMES]
    t = facts.types[book.choice(names)]
    slots: dict = {"category": t.category}
    if book.maybe(0.15) and t.category in L.CATEGORY_NAMES:
        thing = L.CATEGORY_NAMES[t.category][lang][0]
    else:
        options = L.TYPE_NAMES[t.name][lang]
        thing = options[0] if book.maybe(0.7) else book.choice(options)
        slots["product_type"] = t.name
    frames = {g: fs for g, fs in L.FRAMES[lang].items()}
    group, frame = book.group(frames, HELD_FRAMES)
    if "{n}" in frame:
        amount = round_amount(t.median_price * book.rng.uniform(0.7, 1.5))
        text = frame.format(p=thing, n=f"{amount:g}")
        slots["price_max"] = amount
    else:
        text = frame.format(p=thing)
        if group == "gift" and book.maybe(0.5):  # an age is no budget
            text += book.choice(AGES[lang]).format(a=book.rng.randint(3, 16))
    return Example("lang", f"lang/{lang}:{group}", roughen(text, book.rng, typos=0.05), [SearchProducts(**slots)],
                   held=book.used_held)
