"""When to pass a conversation to a human agent, and why.

A turn hands off when understanding says so (a person asked for, money gone wrong: `Handoff` commands, which
the room answering them marks) or when the assistant failed twice in a row (out of scope, or a shopping
question that found nothing). The caller records a ticket with the transcript (`ConversationStore.open_ticket`).
"""

from __future__ import annotations


def handoff_reason(*, failed: bool, failures_before: int, after_failures: int) -> str | None:
    """Why this turn goes to a human when understanding did not ask for one, or None: `after_failures` failed
    turns in a row hand off (SHOPASSIST_SERVE__HANDOFF_AFTER_FAILURES)."""
    if failed and failures_before + 1 >= after_failures:
        return f"{failures_before + 1} failed turns in a row"
    return None
