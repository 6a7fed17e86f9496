"""Safety screen on replies: the last line of defence against prompt injection.

The prompt already keeps the shopper's text in the user role and retrieved text as listed facts;
this screen checks what the model actually wrote, while it streams, and replaces the reply when it
leaks the system prompt, invents a discount the store rules do not offer, or shows another
customer's identifiers or contact details. It holds back the last `hold_back` characters so a
leak is caught before its words reach the client.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.reply.writer import SYSTEM
from assistant.safety.redact import CARD, EMAIL, PHONE, is_phone

REFUSAL = ("Sorry, I can't help with that. I can help you find products, answer questions about orders, "
           "shipping and returns, or connect you with a human agent.")
CUSTOMER_ID = re.compile(r"\bC\d{4,}\b")
PERCENT_OFF = re.compile(r"(\d{1,3})\s?%\s?(?:off|discount)|(\d{1,3})\s?(?:percent|per cent)\s?(?:off|discount)", re.I)
CODE = re.compile(r"(?:code|coupon|voucher)\W{0,3}([A-Z0-9][A-Z0-9-]{3,})", re.I)
CODE_LIKE = re.compile(r"\b(?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z])[A-Z0-9-]{5,}\b")  # WELCOME10, FREE-100
SHINGLE = 6  # words in a row shared with the system prompt that count as a leak


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def _shingles(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


@dataclass
class ScreenConfig:
    allowed_text: str = ""  # store rules and catalog titles: codes, model numbers and percentages found here are real
    user_id: str | None = None
    hold_back: int = 48  # about one 6-word shingle: the longest leak that must be caught before it is sent

    def __post_init__(self) -> None:
        if self.hold_back < 0:
            raise ValueError("hold_back must be >= 0")


class ReplyScreen:
    def __init__(self, config: ScreenConfig) -> None:
        self.config = config
        self.secret_shingles = _shingles(_words(SYSTEM))
        self.allowed_codes = {c.upper() for c in re.findall(r"\b[A-Z0-9-]{4,}\b", config.allowed_text) if not c.isdigit()}
        self.allowed_percents = set(re.findall(r"(\d{1,3})\s?%", config.allowed_text))
        self.text = ""
        self.sent = 0
        self.blocked: str | None = None

    def violation(self, text: str) -> str | None:
        if _shingles(_words(text)) & self.secret_shingles:
            return "system prompt"
        for match in PERCENT_OFF.finditer(text):
            if (match.group(1) or match.group(2)) not in self.allowed_percents:
                return "invented discount"
        for match in CODE.finditer(text):
            code = match.group(1).upper()
            if any(c.isdigit() for c in code) and code not in self.allowed_codes:
                return "invented discount code"
        for code in CODE_LIKE.findall(text):
            if code not in self.allowed_codes and not CUSTOMER_ID.fullmatch(code):
                return "invented code"
        if any(cid != self.config.user_id for cid in CUSTOMER_ID.findall(text)):
            return "another customer's data"
        if EMAIL.search(text) or CARD.search(text) or any(is_phone(m) for m in PHONE.findall(text)):
            return "personal data"
        return None

    def feed(self, piece: str) -> str:
        """Text that is safe to send now (may be empty while held back, or the refusal)."""
        if self.blocked:
            return ""
        self.text += piece
        reason = self.violation(self.text)
        if reason:
            self.blocked = reason
            return ("\n\n" if self.sent else "") + REFUSAL
        safe_until = max(self.sent, len(self.text) - self.config.hold_back)
        out, self.sent = self.text[self.sent:safe_until], safe_until
        return out

    def finish(self) -> str:
        if self.blocked:
            return ""
        out, self.sent = self.text[self.sent:], len(self.text)
        return out

    @property
    def final_text(self) -> str:
        return REFUSAL if self.blocked else self.text.strip()
