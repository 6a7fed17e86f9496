"""The customer's orders and the actions taken on them (cancel, return, address change), kept in the database.

    book = build_order_book(settings, store.engine, catalog=catalog)
    book.cancel("O00856", customer_id="C0114")  # -> ActionResult(done=True, ...)
"""

from assistant.orders.book import ActionResult, Order, OrderAction, OrderBook, OrderItem, SeedReport, build_order_book

__all__ = ["ActionResult", "Order", "OrderAction", "OrderBook", "OrderItem", "SeedReport", "build_order_book"]
