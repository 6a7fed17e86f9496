"""How the order desk says things: an order's status and items in one sentence, the guest questions, and
small helpers that add a sentence, a requirement or session state to an `Answer`."""

from __future__ import annotations

from dataclasses import replace

from assistant.orders.book import ActionResult, Order
from assistant.reply.answer import ActionNote, Answer
from assistant.reply.words import day, listing
from assistant.understand.patterns import ADDRESS, ADDRESS_AFTER_TO

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
NO_MATCH = ("I couldn't find an order with that order number and email address. Please check both, or sign in "
            "to your account.")


def items_phrase(order: Order) -> str:
    names = [f"{i.quantity} x {i.title}" if i.quantity > 1 else i.title for i in order.items]
    return listing(names) if len(names) <= 3 else listing(names[:3]) + f" and {len(names) - 3} more"


def status_sentence(order: Order) -> str:
    """"Your order O00114 from October 23, 2026 (Kestrel Sierra 550 Chromebook) has shipped and is on its way."""
    text = f"Your order {order.order_id} from {day(order.placed_on)} ({items_phrase(order)}) {STATUS_WORDS[order.status]}."
    return text + odd_items(order)


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


def new_address(text: str) -> str | None:
    """The delivery address in a message ("... to 42 Elm Street, Springfield"), if there is one."""
    after = ADDRESS_AFTER_TO.search(text)
    candidate = (after.group(1) if after else text).strip(" .!?\"'")
    return candidate if ADDRESS.search(candidate) and len(candidate) <= 200 else None


def we_email(sentence: str) -> str:
    """The label sentence without its "start from your order page" half: the return is already started."""
    return sentence.split("; ", 1)[1].capitalize() if "; " in sentence else sentence


def note_of(result: ActionResult) -> ActionNote:
    outcome = "done" if result.done else "already" if result.already else "refused"
    return ActionNote(result.kind, result.order.order_id if result.order else None, outcome, result.refused)


def with_sentence(answer: Answer, sentence: str, *, codes: set[str] = frozenset()) -> Answer:
    return replace(answer, text=f"{answer.text} {sentence}", facts=answer.facts + (sentence,), codes=answer.codes | set(codes))


def requiring(answer: Answer, group: tuple[str, ...]) -> Answer:
    return replace(answer, required=answer.required + (group,))


def with_context(answer: Answer, extra: dict) -> Answer:
    return replace(answer, context={**answer.context, **extra})
