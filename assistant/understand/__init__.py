"""What the shopper wants, as commands: the safety fast path, the fast head, the tuned chat model, the checks."""

from assistant.understand.understand import Understander, Understanding

__all__ = ["Understander", "Understanding"]
