"""Service examples from the store's orders, customers and policies: order questions and changes, answers to
a pending question, policy questions, a person asked for, hello and goodbye, and requests no store answers."""

from __future__ import annotations

import re

from assistant.commands import (
    Bye,
    Clarify,
    Confirm,
    Deny,
    Greet,
    Handoff,
    OrderChange,
    OrderIssue,
    OrderRef,
    OrderStatus,
    OutOfScope,
    PendingChange,
    Policy,
    SessionState,
    Thanks,
)
from finetune.commands import service_words as S
from finetune.commands import shop_families as shop
from finetune.commands.example import Example, Phrasebook, roughen
from finetune.commands.question_words import NEAR_MISS, POLICY, TWO_QUESTIONS
from finetune.commands.shopping_words import SYNONYMS
from finetune.commands.store import StoreFacts
from finetune.written import GOODBYES, GREETINGS, OOS_HELDOUT_TOPICS, OOS_TOPICS

GENERIC_ORDER_WORDS = ("order", "package", "parcel", "delivery", "stuff", "purchase")


def _customer(book: Phrasebook, facts: StoreFacts) -> str:
    return book.choice(sorted(facts.orders))


def _item_words(book: Phrasebook, facts: StoreFacts, customer: str) -> tuple[str, str | None]:
    """(what the shopper calls it, the item slot): an item of one of their orders, another store type (a thing
    they never ordered: the slot still holds it), or a plain "order" / "package" (no item)."""
    roll = book.rng.random()
    if roll < 0.3:
        return book.choice(GENERIC_ORDER_WORDS), None
    if roll < 0.85:
        order = book.choice(facts.orders[customer][:3])
        words = book.choice(order.items).words or book.choice(sorted(facts.types))
    else:
        words = book.choice(sorted(facts.types))
    said = words.lower()
    if words in SYNONYMS and book.maybe(0.3):
        said = book.choice(SYNONYMS[words])
    elif len(said.split()) > 1 and book.maybe(0.3):
        said = said.split()[-1]  # "down parka" -> "parka"
    return said, said


def _fill(book: Phrasebook, template: str, words: str) -> str:
    return template.replace("{x} order", words if words in GENERIC_ORDER_WORDS else f"{words} order").replace("{x}", words)


def order(book: Phrasebook, facts: StoreFacts) -> Example:
    rng = book.rng
    customer = _customer(book, facts)
    kind = rng.choices(("status", "change", "issue"), weights=(5, 4, 2))[0]
    said, item = _item_words(book, facts, customer)
    state = SessionState()
    if book.maybe(0.15):  # an order was just talked about: "cancel it" means that one
        state = SessionState(order_id=facts.orders[customer][0].order_id)
    if kind == "status":
        asks = rng.choices(sorted(S.ORDER_STATUS), weights=(2, 2, 5, 1.5))[0]
        group, template = book.group(S.ORDER_STATUS[asks])
        ref = OrderRef(item=item if "{x}" in template else None)
        text = _fill(book, template, said)
        if book.maybe(0.1) and "{x}" not in template:
            text = f"{text.rstrip('?')} - {book.choice(S.ORDER_PREVIOUS)}?"
            ref = OrderRef(which="previous")
        command = OrderStatus(order=ref, asks=asks)
    elif kind == "change":
        change = rng.choices(("cancel", "return", "address"), weights=(4, 4, 2))[0]
        group, template = book.group(S.ORDER_CHANGE[change])
        address = book.choice(S.ADDRESSES)
        text = _fill(book, template, said).replace("{addr}", address)
        if "{addr}" in template:
            text = text + book.choice(S.ADDRESS_CHATTER)
        which = "this" if state.order_id and re.search(r"\b(?:it|that)\b", template) and "{x}" not in template else "latest"
        ref = OrderRef(item=item if "{x}" in template else None, which=which)
        command = OrderChange(change, ref, new_address=address if "{addr}" in template else None)
    else:
        problem = rng.choices(("damaged", "wrong_item", "missing"), weights=(5, 1.5, 1.5))[0]
        group, template = book.group(S.ORDER_ISSUE[problem])
        if item is None:
            said, item = _item_words(book, facts, customer)
            said = said if item else "order"
        text = _fill(book, template, said)
        command = OrderIssue(problem, OrderRef(item=item if "{x}" in template else None))
    return Example("order", f"order/{kind}:{group}", roughen(text, rng), [command], state, user=customer, held=book.used_held)


def guest_order(book: Phrasebook, facts: StoreFacts) -> Example:
    customer = _customer(book, facts)
    placed = book.choice(facts.orders[customer])
    email = facts.emails.get(customer, f"{customer.lower()}@example.com")
    text = book.choice(S.GUEST).format(id=placed.order_id, e=email)
    command = OrderStatus(order=OrderRef(order_id=placed.order_id, email=email))
    return Example("order", "order/guest", roughen(text, book.rng, typos=0.0), [command], held=book.used_held)


def answer_pending(book: Phrasebook, facts: StoreFacts) -> Example:
    """The shopper answers the question the assistant asked about a change: yes, no, or a new address."""
    rng = book.rng
    customer = _customer(book, facts)
    placed = facts.orders[customer][0]
    kind = rng.choices(("cancel", "return", "address"), weights=(4, 3, 2))[0]
    address_asked = kind == "address" and book.maybe(0.5)
    pending = PendingChange(kind, placed.order_id, new_address=None if address_asked else
                            (book.choice(S.ADDRESSES) if kind == "address" else None))
    state = SessionState(pending=pending, order_id=placed.order_id)
    previous = _asking(book, facts, customer, kind) if book.maybe(0.8) else None  # the request the question answers
    if address_asked:  # "what is the new address?" -> the address
        address = book.choice(S.ADDRESSES)
        text = book.choice(("{a}", "it's {a}", "send it to {a}", "{a} please", "new address: {a}", "ok {a}")).format(a=address)
        text += book.choice(S.ADDRESS_CHATTER)
        command = OrderChange("address", OrderRef(which="this"), new_address=address)
        return Example("confirm", "confirm/address", roughen(text, rng, typos=0.0), [command], state, previous=previous,
                       user=customer, held=book.used_held)
    yes = book.maybe(0.55)
    text = _composed(book, S.YES_CORES if yes else S.NO_CORES, S.YES_TAILS if yes else S.NO_TAILS, kind)
    if yes and book.maybe(0.15):
        text = book.choice(("hmm ", "oh ", "ok, ", "right, ", "well, ")) + text
    return Example("confirm", f"confirm/{'yes' if yes else 'no'}", roughen(text, rng, typos=0.05),
                   [Confirm() if yes else Deny()], state, previous=previous, user=customer, held=book.used_held)


def _asking(book: Phrasebook, facts: StoreFacts, customer: str, kind: str) -> str:
    """The shopper's request that made the assistant ask ("please cancel my blender order")."""
    said, _ = _item_words(book, facts, customer)
    _, template = book.group(S.ORDER_CHANGE[kind])
    return roughen(_fill(book, template, said).replace("{addr}", book.choice(S.ADDRESSES)), book.rng)


def _composed(book: Phrasebook, cores, tails: dict | tuple, kind: str = "any") -> str:
    """A core with a tail ("yep" + ", cancel it"): tails that name a change only for that change."""
    pool = tails if isinstance(tails, tuple) else tails["any"] + tails.get(kind, ()) * 2
    return book.choice(cores) + book.choice(pool)


def acknowledge(book: Phrasebook, facts: StoreFacts) -> Example:
    """"ok", "cool", "no thanks" with nothing waiting for an answer: a thank-you, not a yes."""
    text = _composed(book, S.THANKS_CORES + ("no thanks", "nope, that's it", "yes thanks", "no that's all"), S.THANKS_TAILS)
    state = SessionState()
    if book.maybe(0.4):  # said after a search or an order answer: still a thank-you
        state, _, _ = shop.shown_state(Phrasebook(book.rng, held_out=False), facts)
    return Example("social", "social/ack", roughen(text, book.rng, typos=0.0), [Thanks()], state, held=book.used_held)


def _policy_key(topic: str) -> str | None:
    return next((key for key in POLICY if key in topic), None)


def _fillers(facts: StoreFacts) -> dict[str, tuple[str, ...]]:
    """Payment methods and countries named in the store's own policy text (for "can I pay with {m}?")."""
    text = " ".join(facts.policies.values())
    names = re.findall(r"\b(?:[A-Z][a-z]+(?: [A-Z][a-z]+)?)\b", text)
    methods = tuple(sorted({n for n in names if n.lower() in ("visa", "mastercard", "american express", "paypal", "apple pay",
                                                                   "google pay")} | {"PayPal", "Klarna", "bitcoin", "cash on delivery"}))
    countries = tuple(sorted(set(re.findall(r"\b(?:US|UK|EU|Canada|Mexico|Australia|Germany|France|Japan)\b", text))
                             | {"Australia", "Mexico", "Germany"}))
    return {"m": methods, "c": countries}


def policy_question(book: Phrasebook, facts: StoreFacts) -> tuple[str, str]:
    topic = book.choice([t for t in sorted(facts.policies) if _policy_key(t)])
    _, text = book.group(POLICY[_policy_key(topic)])
    fill = _fillers(facts)
    return text.format(m=book.choice(fill["m"]), c=book.choice(fill["c"])), topic


def policy(book: Phrasebook, facts: StoreFacts) -> Example:
    text, topic = policy_question(book, facts)
    topics = (topic,)
    group = "policy/one"
    if book.maybe(0.15):
        other, second = policy_question(book, facts)
        text = book.choice(TWO_QUESTIONS).format(q1=text.rstrip("?"), q2=other.rstrip("?"))
        topics = tuple(dict.fromkeys((topic, second)))
        group = "policy/two"
    return Example("policy", group, roughen(text, book.rng), [Policy(topics=topics)], held=book.used_held)


def handoff(book: Phrasebook, facts: StoreFacts) -> Example:
    money = book.maybe(0.4)
    text = book.choice(S.MONEY if money else S.PERSON)
    return Example("handoff", f"handoff/{'money' if money else 'person'}", roughen(text, book.rng),
                   [Handoff("money" if money else "person")], held=book.used_held)


def social(book: Phrasebook, facts: StoreFacts) -> Example:
    kind = book.choice(("greet", "greet", "thanks", "bye", "bye"))
    if kind == "greet":
        text = book.choice(GREETINGS) if book.maybe(0.3) else _composed(book, S.GREET_CORES, S.GREET_TAILS)
        command = Greet()
    elif kind == "thanks":
        text, command = _composed(book, S.THANKS_CORES, S.THANKS_TAILS), Thanks()
    else:
        text = book.choice(GOODBYES) if book.maybe(0.3) else _composed(book, S.BYE_CORES, S.BYE_TAILS)
        leaving = re.search(r"\b(?:bye|goodbye|see (?:you|ya)|later|good night|have a \w+ (?:day|one|evening)|that's (?:all|everything)"
                            r"|that is all|done|off|ciao|take care|gotta go)\b", text, re.I)
        command = Bye() if leaving else Thanks()
    return Example("social", f"social/{kind}", roughen(text, book.rng, typos=0.05), [command], held=book.used_held)


def out_of_scope(book: Phrasebook, facts: StoreFacts) -> Example:
    rng = book.rng
    if book.maybe(0.5):
        group, template = book.group(NEAR_MISS[book.choice(sorted(NEAR_MISS))])
        text = template.format(p=book.choice(sorted(facts.types)).lower())
        name = f"oos/near:{group}"
    else:
        topics = sorted(t for t in OOS_TOPICS if (t in OOS_HELDOUT_TOPICS) == (book.held_out and book.maybe(0.7)))
        topic = book.choice(topics)
        book.used_held |= topic in OOS_HELDOUT_TOPICS
        text, name = book.choice(OOS_TOPICS[topic]), f"oos/{topic}"
    return Example("out_of_scope", name, roughen(text, rng), [OutOfScope()], held=book.used_held)


def unclear(book: Phrasebook, facts: StoreFacts) -> Example:
    return Example("social", "clarify", book.choice(S.UNCLEAR), [Clarify()], held=book.used_held)
