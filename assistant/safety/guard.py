"""Checks on user text before it reaches the model: refuse clearly, never crash."""

from __future__ import annotations

import unicodedata

from data.errors import BadInput


def clean_message(text: str | None, *, max_chars: int) -> str:
    """Normalized message text, or BadInput saying what to change."""
    if text is None or not text.strip():
        raise BadInput("the message is empty", hint="type a question, e.g. 'waterproof jacket under $100'")
    if len(text) > max_chars:
        raise BadInput(
            f"the message is {len(text):,} characters long; the limit is {max_chars:,}",
            hint="shorten it to the question itself (SHOPASSIST_SERVE__MAX_MESSAGE_CHARS raises the limit)",
        )
    text = unicodedata.normalize("NFKC", text)
    # Control characters (other than newlines and tabs) only confuse the tokenizer.
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C").strip()
