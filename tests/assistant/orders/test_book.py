"""The order book on a real SQLite file and a real PostgreSQL: seeding once, and actions that are owned, ruled, recorded and idempotent."""

from __future__ import annotations

import csv
import threading
from datetime import date

import pytest

from assistant.history import ConversationStore
from assistant.orders import OrderBook
from data import DEMO_DIR
from data.errors import BadInput
from data.schema import Product

TODAY = date(2026, 3, 3)
ORDERS_CSV = """order_id,customer_id,date,product_id,quantity,unit_price,status
O1,C1,2026-03-01,J1,1,89.00,processing
O1,C1,2026-03-01,H2,2,39.00,processing
O2,C1,2026-02-25,K1,1,59.00,shipped
O3,C1,2026-02-01,S1,1,110.00,delivered
O3,C1,2026-02-01,K1,1,59.00,returned
O4,C1,2026-01-17,J2,1,249.00,delivered
O5,C2,2026-03-02,H1,1,129.00,processing
O6,C1,2025-12-01,H1,1,129.00,returned
O7,C1,2026-02-27,S1,1,110.00,cancelled
O8,C1,2026-02-10,J1,two,89.00,delivered
O9,C1,2026-02-15,J1,1,89.00,delivered
O9,C2,2026-02-15,H1,1,129.00,delivered
"""
CATALOG = {"J1": Product(id="J1", title="Trailform Storm Rain Jacket", description="")}


def open_book(url: str) -> OrderBook:
    """A book on the conversation store's engine, as the server builds it (WAL, busy timeout)."""
    return OrderBook(ConversationStore(url).engine, catalog=CATALOG)


@pytest.fixture
def url(db_url) -> str:
    return db_url


@pytest.fixture
def orders_csv(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(ORDERS_CSV, encoding="utf-8")
    return path


@pytest.fixture
def book(url, orders_csv) -> OrderBook:
    book = open_book(url)
    book.seed(orders_csv)
    return book


def act(book: OrderBook, kind: str, order_id: str, customer_id: str = "C1", *, window_days: int = 30,
        address: str = "1 Harbour Street, Leeds"):
    if kind == "cancel":
        return book.cancel(order_id, customer_id=customer_id, session_id="s1")
    if kind == "return":
        return book.start_return(order_id, customer_id=customer_id, window_days=window_days, today=TODAY,
                                 session_id="s1")
    return book.change_address(order_id, customer_id=customer_id, address=address, session_id="s1")


def test_seed_groups_lines_into_orders_and_reports_bad_rows(url, orders_csv):
    book = open_book(url)
    report = book.seed(orders_csv)
    assert report.inserted_orders == 7
    assert report.skipped == ["line 11: quantity is not a number: 'two'",
                              "line 13: order O9 has another customer or date than line 12"]
    first = book.get("O1")
    assert (first.customer_id, first.placed_on, first.status) == ("C1", date(2026, 3, 1), "processing")
    assert first.address is None
    assert [(i.product_id, i.title, i.quantity) for i in first.items] == [("J1", "Trailform Storm Rain Jacket", 1),
                                                                           ("H2", "H2", 2)]
    assert first.total == 167.0
    assert book.get("O3").status == "delivered"  # one item returned, the other still delivered
    assert [o.order_id for o in book.orders_of("C1")] == ["O1", "O7", "O2", "O3", "O4", "O6"]
    assert book.latest("C1").order_id == "O1" and book.latest("nobody") is None and book.orders_of("nobody") == []


def test_seeding_the_demo_store_keeps_every_order(url):
    with (DEMO_DIR / "orders.csv").open(newline="") as f:
        distinct = {row["order_id"] for row in csv.DictReader(f)}
    report = open_book(url).seed(DEMO_DIR / "orders.csv")
    assert (report.inserted_orders, report.skipped) == (len(distinct), [])


def test_a_restart_never_overwrites_what_actions_changed(book, url, orders_csv):
    assert book.cancel("O1", customer_id="C1").done
    restarted = open_book(url)
    assert restarted.seed(orders_csv).inserted_orders == 0
    assert restarted.get("O1").status == "cancelled"
    assert [a.kind for a in restarted.actions(order_id="O1")] == ["cancel"]


@pytest.mark.parametrize(("kind", "order_id", "customer_id", "window_days", "refused", "status"), [
    ("cancel", "O1", "C1", 30, None, "cancelled"),
    ("cancel", "O2", "C1", 30, "not_processing", "shipped"),
    ("cancel", "O3", "C1", 30, "not_processing", "delivered"),
    ("cancel", "O5", "C1", 30, "not_your_order", "processing"),
    ("cancel", "O999", "C1", 30, "unknown_order", None),
    ("return", "O3", "C1", 30, None, "delivered"),  # 30 days: the last day of the window
    ("return", "O4", "C1", 30, "outside_window", "delivered"),  # 45 days
    ("return", "O4", "C1", 60, None, "delivered"),
    ("return", "O1", "C1", 30, "not_delivered", "processing"),
    ("return", "O2", "C1", 30, "not_delivered", "shipped"),
    ("return", "O6", "C1", 30, "returned", "returned"),
    ("return", "O3", "C2", 30, "not_your_order", "delivered"),
    ("address_change", "O1", "C1", 30, None, "processing"),
    ("address_change", "O2", "C1", 30, "not_processing", "shipped"),
    ("address_change", "O5", "C1", 30, "not_your_order", "processing"),
])
def test_an_action_is_done_only_when_the_rules_allow(book, kind, order_id, customer_id, window_days, refused, status):
    before = book.get(order_id)
    result = act(book, kind, order_id, customer_id, window_days=window_days)
    after = book.get(order_id)
    assert (result.kind, result.done, result.already, result.refused) == (kind, refused is None, False, refused)
    assert (after.status if after else None) == status
    if refused is None:
        assert result.order == after and after.updated_at == result.action.created_at
        assert book.actions(order_id=order_id) == [result.action]
        assert (result.action.kind, result.action.customer_id, result.action.session_id) == (kind, customer_id, "s1")
    else:
        assert result.action is None and book.actions() == [] and after == before  # nothing changed or recorded
    if refused in ("unknown_order", "not_your_order"):
        assert result.order is None  # another customer's order is never shown
    if kind == "return" and after is not None and refused != "not_your_order":
        assert result.days_since_order == (TODAY - after.placed_on).days


def test_return_records_the_window_and_days(book):
    result = act(book, "return", "O4", window_days=60)
    assert result.action.detail == {"window_days": 60, "days_since_order": 45} and result.days_since_order == 45


@pytest.mark.parametrize(("kind", "order_id"), [("cancel", "O1"), ("return", "O3"), ("address_change", "O1")])
def test_repeating_an_action_changes_nothing_and_records_nothing(book, kind, order_id):
    first = act(book, kind, order_id)
    order = book.get(order_id)
    again = act(book, kind, order_id)
    assert first.done and not again.done and again.already and again.refused is None
    assert again.action == first.action and again.order == order
    assert book.actions(order_id=order_id) == [first.action]


def test_an_order_seeded_as_cancelled_is_already_cancelled(book):
    result = act(book, "cancel", "O7")
    assert (result.done, result.already, result.action) == (False, True, None)


def test_a_return_asked_again_after_the_window_is_already_open(book):
    first = act(book, "return", "O3")
    later = book.start_return("O3", customer_id="C1", window_days=30, today=date(2026, 6, 1))
    assert later.already and later.action == first.action and later.refused is None


def test_address_change_strips_then_refuses_once_shipped(book):
    changed = act(book, "address_change", "O1", address="  1 Harbour Street, Leeds \n")
    assert changed.order.address == "1 Harbour Street, Leeds"
    assert changed.action.detail == {"address": "1 Harbour Street, Leeds"}
    moved = act(book, "address_change", "O1", address="9 Mill Lane, York")
    assert moved.done and book.get("O1").address == "9 Mill Lane, York"
    with book.engine.begin() as conn:  # the warehouse ships it
        conn.execute(book.orders_t.update().where(book.orders_t.c.order_id == "O1").values(status="shipped"))
    late = act(book, "address_change", "O1", address="5 Quay Road, Hull")
    assert late.refused == "not_processing" and late.order.address == "9 Mill Lane, York"
    assert [a.kind for a in book.actions(customer_id="C1")] == ["address_change", "address_change"]


@pytest.mark.parametrize("address", ["", "   ", "x" * 201])
def test_an_empty_or_overlong_address_is_bad_input(book, address):
    with pytest.raises(BadInput, match="1 to 200 characters"):
        act(book, "address_change", "O1", address=address)
    assert book.actions() == []


def test_actions_are_listed_newest_first(book):
    act(book, "address_change", "O1")
    act(book, "cancel", "O1")
    act(book, "return", "O3")
    assert [(a.order_id, a.kind) for a in book.actions(customer_id="C1")] == [
        ("O3", "return"), ("O1", "cancel"), ("O1", "address_change")]
    assert [a.kind for a in book.actions(customer_id="C1", limit=1)] == ["return"]
    assert book.actions(customer_id="C2") == []


def test_concurrent_cancels_cancel_once(book, url):
    replicas = [open_book(url) for _ in range(8)]  # one engine each, as separate server processes would have
    start = threading.Barrier(len(replicas))
    results = []

    def cancel(replica: OrderBook) -> None:
        start.wait()
        results.append(replica.cancel("O1", customer_id="C1"))

    threads = [threading.Thread(target=cancel, args=(replica,)) for replica in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted((r.done, r.already) for r in results) == [(False, True)] * 7 + [(True, False)]
    recorded = book.actions(order_id="O1")
    assert len(recorded) == 1 and all(r.action == recorded[0] for r in results)
    assert book.get("O1").status == "cancelled"
