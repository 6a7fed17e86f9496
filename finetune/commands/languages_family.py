"""Examples in Spanish, French and German: the same commands as in English, with the store's English names.

Only types and categories with a written translation (`languages.py`) are asked for; a store without one gets
no examples from this family. The "story" frames of every language are held out.
"""

from __future__ import annotations

from assistant.commands import Bye, Greet, OrderStatus, Policy, SearchProducts, Thanks
from finetune.commands import languages as L
from finetune.commands.example import Example, Phrasebook, round_amount, roughen
from finetune.commands.store import StoreFacts

HELD_FRAMES = frozenset({"story"})


def language_example(book: Phrasebook, facts: StoreFacts) -> Example:
    lang = book.choice(L.LANGUAGES)
    roll = book.rng.random()
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
    return Example("lang", f"lang/{lang}:{group}", roughen(text, book.rng, typos=0.05), [SearchProducts(**slots)],
                   held=book.used_held)
