"""Products for a shopper: searches with their filters, follow-ups on the cards just shown, personal picks."""

from assistant.products.desk import ProductDesk

__all__ = ["ProductDesk"]
