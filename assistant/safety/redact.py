"""Personal data in free text (e-mail addresses, card and phone numbers), found and masked.

Shared by the log filter, the reply screen and the analytics store, so a shopper's contact
details never reach a log line or an analytics row.
"""

from __future__ import annotations

import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
CARD = re.compile(r"\b\d(?:[ -]?\d){12,18}\b")
PHONE = re.compile(r"(?<!\w)\+?\d[\d ().-]{7,}\d(?!\w)")


def is_phone(candidate: str) -> bool:
    """Nine digits or more: dates (8) and prices stay readable."""
    return sum(c.isdigit() for c in candidate) >= 9


def redact(text: str) -> str:
    """E-mails, card numbers and phone numbers replaced by placeholders."""
    text = EMAIL.sub("[email]", text)
    text = CARD.sub("[card]", text)
    return PHONE.sub(lambda m: "[phone]" if is_phone(m.group(0)) else m.group(0), text)
