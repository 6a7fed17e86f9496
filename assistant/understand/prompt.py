"""What the understanding models read: the session's state in a few short lines, then the message.

    cards: 1 AudioPeak Summit 2 Over-ear Headphones $46.99 | 2 Sonora Summit 100 Over-ear Headphones $64.99
    search: search type="over-ear headphones" cat=headphones max=100
    waiting: cancel O00312
    before: headphones under 100 please

Training (`finetune/commands/`) and serving render it with the same function, so the models see at serving
time exactly what they learned from. The fast head reads these lines as its first segment and the message as
its second; the chat model reads both in one user turn and writes the commands.
"""

from __future__ import annotations

from collections.abc import Mapping

from assistant.commands import SessionState
from assistant.understand.command_text import format_commands

SYSTEM = "Write the shop assistant's commands for the shopper's message."
MAX_BEFORE_CHARS = 160  # the previous message is context: its start says enough
MAX_MESSAGE_CHARS = 600  # a longer message is cut (the head reads at most 256 word pieces anyway)


def language_lesson() -> str:
    """The command language spelled out, for a chat model never tuned on it (the tuned one learned it from data)."""
    from assistant.understand.command_text import SPEC

    kinds = "\n".join(f"{kind} " + " ".join(f"{slot.key}=..." for slot in slots) for kind, (_, slots) in SPEC.items())
    return (f"{SYSTEM} One command per line, a kind and then only the slots the shopper gave, with the store's English "
            f"names:\n{kinds}\nFor example: search type=\"running shoes\" cat=shoes max=100 not_brand=Stride")


def state_lines(state: SessionState, titles: Mapping[str, tuple[str, float | None]], previous: str | None = None) -> str:
    """The state as the models read it; `titles` maps a product id to (title, price)."""
    lines = []
    cards = [(i, titles[pid]) for i, pid in enumerate(state.shown, 1) if pid in titles]
    if cards:
        lines.append("cards: " + " | ".join(f"{i} {title}" + (f" ${price:.2f}" if price is not None else "")
                                            for i, (title, price) in cards))
    if state.last_search is not None:
        lines.append("search: " + format_commands([state.last_search]))
    if state.pending is not None:
        lines.append(f"waiting: {state.pending.kind} {state.pending.order_id}")
    elif state.order_id:
        lines.append(f"order: {state.order_id}")
    if previous:
        lines.append("before: " + " ".join(previous.split())[:MAX_BEFORE_CHARS])
    return "\n".join(lines) or "new chat"


def user_turn(state: SessionState, titles: Mapping[str, tuple[str, float | None]], message: str,
              previous: str | None = None) -> str:
    """The chat model's one user turn: the state lines, then the message."""
    return f"{state_lines(state, titles, previous)}\nshopper: {clip(message)}"


def clip(message: str) -> str:
    return " ".join(message.split())[:MAX_MESSAGE_CHARS]
