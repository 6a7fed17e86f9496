"""What the shopper wants: the rules that must never miss, the shopping gate (words + catalog), the intent."""

from assistant.understand.understand import Understander, Understanding

__all__ = ["Understander", "Understanding"]
