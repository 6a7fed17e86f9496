"""When to pass a conversation to a human agent, and why.

A turn hands off when the shopper asks for a person (`contact_human_agent`), complains angrily,
or the assistant failed twice in a row (out of scope, or a shopping question that found nothing).
The caller records a ticket with the transcript (`ConversationStore.open_ticket`).
"""

from __future__ import annotations

import re

from assistant.types import Intent
from retrieval.types import Hit

SHOPPING = frozenset({"product_search", "place_order"})
# Words and patterns that mark an angry message; two signals, or one with a complaint, hand off.
ANGRY_WORDS = re.compile(
    r"\b(angry|furious|livid|outraged|ridiculous|unacceptable|disgusting|terrible|horrible|worst|useless|"
    r"scam|fraud|rip-?off|lawyer|sue|never again|fed up|sick of|waste of)\b", re.IGNORECASE)


def anger(text: str) -> int:
    """A small count of anger signals: angry words, shouting in capitals, runs of '!'."""
    score = len(ANGRY_WORDS.findall(text))
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) > 0.7:
        score += 1
    if "!!" in text:
        score += 1
    return score


def is_failed_turn(intent: Intent, hits: list[Hit] | tuple[Hit, ...]) -> bool:
    """The assistant could not help: it abstained, was out of scope, or found no product to show."""
    return intent.abstained or intent.label == "out_of_scope" or (intent.label in SHOPPING and not hits)


def handoff_reason(intent: Intent, message: str, *, failed: bool, failures_before: int, after_failures: int) -> str | None:
    """Why this turn goes to a human, or None; `after_failures` failed turns in a row hand off
    (SHOPASSIST_SERVE__HANDOFF_AFTER_FAILURES)."""
    if intent.label == "contact_human_agent":
        return "customer asked for a human agent"
    signals = anger(message)
    if signals >= 2 or (signals >= 1 and intent.label == "complaint"):
        return "angry complaint"
    if failed and failures_before + 1 >= after_failures:
        return f"{failures_before + 1} failed turns in a row"
    return None
