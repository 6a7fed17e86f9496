"""How the order desk says things and reads an item's name: what each kind of request is called (its intent
label) and which policy sentence is its rule, an order's status and items in one sentence, the guest questions,
the deeds a reply must not claim, which order line an item the shopper names is, and small helpers that add a
sentence, a requirement or session state to an `Answer`."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, replace

from assistant.commands import ChangeKind, OrderChange, OrderIssue, OrderStatus, PendingChange
from assistant.orders.book import ActionResult, Order
from assistant.reply.answer import ActionNote, Answer
from assistant.reply.words import day, listing
from data.schema import Product

OrderCommand = OrderStatus | OrderChange | OrderIssue
INTENTS = {"status": "track_order", "date": "track_order", "items": "track_order", "return_status": "track_refund",
           "cancel": "cancel_order", "return": "get_refund", "address": "change_shipping_address",
           "damaged": "complaint", "wrong_item": "complaint", "missing": "complaint"}
# The store's rule for a kind of request, given before any order (to a guest) or beside it (a problem with what
# arrived): the question that finds the sentence in the store's policies, and the document it is in.
RULES = {"damaged": ("my item arrived damaged or broken, what do I do", "refunds"),
         "wrong_item": ("I received the wrong item, is the return free", "returns"),
         "missing": ("an item is missing from my parcel, what do I do", "refunds"),
         "return_status": ("when will I get my refund", "refunds"),
         "return": ("how many days do I have to return an item", "returns")}
# Below this a policy sentence does not answer the question (PolicyIndex.scores: the questions of
# benchmarks/cases/policy_questions.jsonl mostly score above 0.78; the demo store has no rule for a missing item).
RULE_EVIDENCE = 0.8


def kind_of(command: OrderCommand) -> str:
    """What the command asks, in one word ("status", "cancel", "damaged"): it picks the intent and the rule."""
    if isinstance(command, OrderStatus):
        return command.asks
    return command.kind if isinstance(command, OrderChange) else command.problem


STATUS_WORDS = {
    "processing": "is being prepared and has not shipped yet",
    "shipped": "has shipped and is on its way",
    "delivered": "was delivered",
    "returned": "was returned",
    "cancelled": "was cancelled",
}
GUEST_ASK = ("I can help with that. Please sign in, or tell me your order number and the email address you used "
             "for the order, and I'll look it up.")
GUEST_ASK_AFTER_RULE = ("To look at your own order, please sign in, or tell me your order number and the email address "
                        "you used for the order.")
NO_ORDERS = "I don't see any orders on your account yet. Once you place one, I can track it for you."
NO_RETURNS = ("I don't see any returns on your account. If you'd like to return something, tell me which order and "
              "I'll check it for you.")
NO_MATCH = ("I couldn't find an order with that order number and email address. Please check both, or sign in "
            "to your account.")
NOTHING_WAITING = ("There's nothing waiting for a yes from you right now. If you'd like to change an order, tell me "
                   "which one and what you'd like done, and I'll check it first.")
NOTHING_TO_DROP = "That's fine: nothing was waiting for your answer, so nothing has changed."
ORDER_FACTS = ("has shipped", "was delivered", "on its way", "is being prepared")  # never said to an unproven guest
# Deeds a reply that only asks (or refuses) must not claim.
DEEDS = ("i've cancelled", "i have cancelled", "i've started a return", "i have started a return",
         "will now be delivered")
SORRY = {"damaged": "I'm sorry about that.", "wrong_item": "I'm sorry we sent you the wrong item.",
         "missing": "I'm sorry something is missing."}
DAYS = re.compile(r"\d+(?:-\d+)? (?:business )?days")  # read from the store's policy sentences, never the shopper's
# Words of an item's name that do not name the thing ("the order with my pair of boots" -> boots).
NOT_ITEM_WORDS = frozenset("a an the my our your of with for and order orders one ones pair pairs item items thing "
                           "things stuff".split())


def items_phrase(order: Order) -> str:
    names = [f"{i.quantity} x {i.title}" if i.quantity > 1 else i.title for i in order.items]
    return listing(names) if len(names) <= 3 else listing(names[:3]) + f" and {len(names) - 3} more"


def order_line(order: Order) -> str:
    """"O00856 from October 29, 2026 (Stride Orion 750 Running Shoes)": an order named so the shopper knows it."""
    return f"{order.order_id} from {day(order.placed_on)} ({items_phrase(order)})"


def status_sentence(order: Order) -> str:
    """"Your order O00114 from October 23, 2026 (Kestrel Sierra 550 Chromebook) has shipped and is on its way."""
    return f"Your order {order_line(order)} {STATUS_WORDS[order.status]}." + odd_items(order)


def items_sentence(order: Order) -> str:
    """Each item with its price, then the order's stage and any item whose own stage differs."""
    lines = [f"{i.quantity} x {i.title} at ${i.unit_price:.2f}" if i.quantity > 1 else f"{i.title} (${i.unit_price:.2f})"
             for i in order.items]
    return (f"Your order {order.order_id} from {day(order.placed_on)} had {listing(lines)}; "
            f"it {STATUS_WORDS[order.status]}.") + odd_items(order)


def odd_items(order: Order) -> str:
    """" The Stride Atlas 210 Trail Runners was cancelled.": items whose own status differs from the order's."""
    odd = [i for i in order.items if i.status != order.status]
    return "".join(f" The {i.title} {STATUS_WORDS[i.status]}." for i in odd[:2])


def status_terms(order: Order) -> tuple[str, ...]:
    """Words that state the order's status: a draft about the order must use one."""
    return {"processing": ("being prepared", "not shipped", "hasn't shipped", "processing"),
            "shipped": ("shipped", "on its way"), "delivered": ("delivered",), "returned": ("returned",),
            "cancelled": ("cancelled",)}[order.status]


def not_cancelled(order: Order) -> tuple[str, ...]:
    """Phrases that would be false about an order nobody cancelled."""
    if order.status == "cancelled":
        return ()
    return ("has been cancelled", "i've cancelled", "i have cancelled", "is now cancelled", "is cancelled")


def cannot_cancel(order: Order, window: int) -> str:
    """Why an order that is no longer being prepared cannot be cancelled, and what can be done instead."""
    why = {"shipped": "it has already shipped", "delivered": "it was already delivered",
           "returned": "it was already returned"}.get(order.status, "it is no longer being prepared")
    text = f"Your order {order_line(order)} can't be cancelled because {why}." + odd_items(order)
    if order.status == "shipped":
        return text + f" Once it has arrived, you can return it within {window} days of delivery for a refund; just ask me."
    if order.status == "delivered":
        return text + f" You can return it within {window} days of delivery for a refund; just ask me."
    return text


def return_refusal(order: Order, window: int, days: int) -> str:
    """Why no return can be started for the order."""
    if order.status in ("processing", "shipped"):
        return (f"Your order {order.order_id} ({items_phrase(order)}) {STATUS_WORDS[order.status]}, so it can't be "
                "returned until it arrives" + (" (you can still cancel it instead)." if order.status == "processing" else "."))
    if order.status == "returned":
        return f"Your order {order.order_id} ({items_phrase(order)}) was already returned."
    if order.status == "cancelled":
        return f"Your order {order.order_id} was cancelled, so there is nothing to return."
    return (f"Your order {order_line(order)} was placed {days} days ago, outside the {window}-day return window, "
            "so I can't start a return for it. If the item is faulty, I can connect you with a member of our team.")


def not_on_account(order_id: str) -> str:
    """Said of an id that is not this customer's, whether or not the store has it (another's order stays unseen)."""
    return (f"Order {order_id} is not on your account, so I can't look at it or change it. Please check the number; "
            "your orders are listed on your account page.")


def no_order_with(item: str, recent: Sequence[Order]) -> str:
    """No order holds the item: say so and describe the recent ones by date and items (never by number: no other
    order is put forward as the one meant), so the shopper can say which, if any, it is."""
    lines = [f"one from {day(o.placed_on)} ({items_phrase(o)})" for o in recent]
    return (f"I couldn't find an order with {with_article(item)} on your account. Your most recent "
            f"{'orders are' if len(recent) > 1 else 'order is'} {listing(lines)}. "
            "If it's one of these, tell me which, or give me its order number.")


def rule_terms(rule: str | None) -> tuple[tuple[str, ...], ...]:
    """The store's number a reply quoting the rule must keep ("14 days")."""
    numbers = DAYS.findall(rule or "")
    return ((numbers[0],),) if numbers else ()


def we_email(sentence: str) -> str:
    """The label sentence without its "start from your order page" half: the return is already started."""
    return sentence.split("; ", 1)[1].capitalize() if "; " in sentence else sentence


def pending(kind: ChangeKind, order: Order, new_address: str | None = None) -> dict:
    """The session state of a change the desk asked about: the next turn's yes carries it out."""
    return {"pending": asdict(PendingChange(kind, order.order_id, new_address=new_address))}


def note_of(result: ActionResult) -> ActionNote:
    outcome = "done" if result.done else "already" if result.already else "refused"
    return ActionNote(result.kind, result.order.order_id if result.order else None, outcome, result.refused)


def with_sentence(answer: Answer, sentence: str, *, codes: set[str] = frozenset()) -> Answer:
    return replace(answer, text=f"{answer.text} {sentence}", facts=answer.facts + (sentence,), codes=answer.codes | set(codes))


def requiring(answer: Answer, group: tuple[str, ...]) -> Answer:
    return replace(answer, required=answer.required + (group,))


def with_context(answer: Answer, extra: dict) -> Answer:
    return replace(answer, context={**answer.context, **extra})


# -- an item the shopper names ----------------------------------------------------------------------------
def _words(text: str) -> list[str]:
    return "".join(c if c.isalnum() else " " for c in text.lower()).split()


def _forms(word: str) -> set[str]:
    """The word and its singular guesses, so "cameras" meets "camera", "boxes" "box" and "batteries" "battery"."""
    forms = {word}
    if word.endswith("ies"):
        forms.add(word[:-3] + "y")
    if word.endswith("es"):
        forms.add(word[:-2])
    if word.endswith("s") and not word.endswith("ss"):
        forms.add(word[:-1])
    return forms


def item_words(item: str) -> list[str]:
    """The words that name the thing ("my instant cameras" -> instant, cameras)."""
    return [w for w in _words(item) if w not in NOT_ITEM_WORDS]


def holds(order: Order, words: Sequence[str], catalog: Mapping[str, Product]) -> bool:
    """Whether one line of the order is the item named: each of its words is in that line's title or product words
    (the catalog's category and tags, so "laptop" finds a Chromebook)."""
    wanted = [_forms(w) for w in words]
    for line in order.items:
        product = catalog.get(line.product_id)
        text = " ".join((line.title, product.category, *product.tags)) if product else line.title
        have = set().union(*(_forms(w) for w in _words(text)))
        if all(forms & have for forms in wanted):
            return True
    return False


def with_article(item: str) -> str:
    """"a blender", "an air fryer", "instant cameras": the item as a sentence names it."""
    kept = [w for w in item.split() if w.lower() not in ("a", "an", "the", "my", "our")]
    phrase = " ".join(kept) or item
    last = phrase.split()[-1].lower() if phrase.split() else ""
    if last.endswith("s") and not last.endswith("ss"):
        return phrase
    return ("an " if phrase[:1].lower() in ("a", "e", "i", "o", "u") else "a ") + phrase
