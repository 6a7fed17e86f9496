"""What a turn found out, before anyone words it: the facts, the reply composed from them, and what
a reply must and must not say.

Every room of the assistant (products, orders, policies, ...) returns an `Answer`. The composed
`text` is always correct; the tuned model may phrase the same facts (`assistant/reply/writer.py`),
and its draft is sent only if `assistant/reply/check.py` finds every required fact in it and
nothing the facts do not hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from retrieval.types import Hit


@dataclass(frozen=True)
class ActionNote:
    """An action taken (or refused) on an order this turn, as the API reports it."""

    kind: str  # cancel, return, address_change
    order_id: str | None
    outcome: str  # done, already, refused
    reason: str | None = None  # why refused: not_processing, outside_window, ...


@dataclass(frozen=True)
class Answer:
    kind: str  # the room that answered: search, follow_up, recommend, order, policy, greeting, goodbye, handoff, decline, ...
    text: str  # the reply composed from the facts: correct by construction, sent when a draft fails the check
    facts: tuple[str, ...] = ()  # the facts as short sentences, for the model's prompt
    required: tuple[tuple[str, ...], ...] = ()  # each group: a reply must contain one of these (case-insensitive)
    forbidden: tuple[str, ...] = ()  # phrases that would be false here ("has been cancelled" when nothing was)
    hits: tuple[Hit, ...] = ()  # products shown as cards, best first
    action: ActionNote | None = None
    handoff: str | None = None  # why a person takes over, when one does
    offer: str | None = None  # the retention gesture in this reply: "code" or "free_shipping"
    amounts: frozenset[float] = frozenset()  # dollar amounts a reply may state (prices, order totals, policy figures)
    codes: frozenset[str] = frozenset()  # ids and codes a reply may state (order ids, WELCOME10 when offered)
    context: dict = field(default_factory=dict)  # what the next turn needs: shown products, constraints, a pending question
    intent: str = ""  # the intent label recorded for analytics (31-label taxonomy)


def combine(answers: list[Answer]) -> Answer:
    """Several answers to one message ("is shipping free and can I pay with PayPal?") as one reply, in the order
    asked: texts and facts follow each other; the cards are the first answer's that has any."""
    if len(answers) == 1:
        return answers[0]
    first = answers[0]
    with_cards = next((a for a in answers if a.hits), None)
    context: dict = {}
    for a in answers:
        context.update(a.context)
    return Answer(
        kind=(with_cards or first).kind, text=" ".join(a.text for a in answers),
        facts=tuple(f for a in answers for f in a.facts), required=tuple(r for a in answers for r in a.required),
        forbidden=tuple(f for a in answers for f in a.forbidden), hits=with_cards.hits if with_cards else (),
        action=next((a.action for a in answers if a.action), None), handoff=next((a.handoff for a in answers if a.handoff), None),
        offer=next((a.offer for a in answers if a.offer), None), amounts=frozenset().union(*(a.amounts for a in answers)),
        codes=frozenset().union(*(a.codes for a in answers)), context=context, intent=first.intent)
