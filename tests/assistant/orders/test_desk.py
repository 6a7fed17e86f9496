"""The order desk on the demo store's real orders (SQLite) and policies: the right order, true facts,
actions only when asked for and allowed, never on someone else's order, nothing disclosed to a guest
before the order number and e-mail match."""

from __future__ import annotations

import re
from datetime import date

import pytest

from assistant.history import ConversationStore
from assistant.orders import OrderBook
from assistant.orders.desk import GUEST_ASK, NO_MATCH, OrderDesk, OrderRequest
from assistant.policies import PolicyIndex
from data import DEMO_DIR
from data.load import load_catalog, load_customers, load_policies

TODAY = date(2026, 10, 31)  # the demo store's clock: its newest order


@pytest.fixture(scope="module")
def policies(embedder):
    return PolicyIndex.build(load_policies(DEMO_DIR / "policies"), embedder)


@pytest.fixture
def desk(tmp_path, policies) -> OrderDesk:
    catalog = {p.id: p for p in load_catalog(DEMO_DIR / "catalog.jsonl").records}
    book = OrderBook(ConversationStore(f"sqlite:///{tmp_path / 'c.db'}").engine, catalog=catalog)
    book.seed(DEMO_DIR / "orders.csv")
    emails = {c.customer_id: c.email for c in load_customers(DEMO_DIR / "customers.csv").records}
    return OrderDesk(book, policies, emails, today=lambda: TODAY)


def ask(desk, text: str, kind: str, user: str | None = "C0114", *, loyal: bool = False, context=None):
    return desk.answer(OrderRequest(kind, text), user_id=user, loyal=loyal, context=context or {})


def test_status_names_the_latest_order_its_items_and_what_can_still_be_done(desk):
    answer = ask(desk, "where is my order", "status")
    assert "O00856" in answer.text and "has not shipped yet" in answer.text and "Stride Orion 750 Running Shoes" in answer.text
    assert "cancel" in answer.text and answer.action is None
    assert answer.context["order_id"] == "O00856"  # "cancel it" next means this order


def test_a_shipped_order_gets_its_tracking_rule_not_a_cancellation(desk):
    answer = ask(desk, "has my parcel shipped?", "status", "C0015")
    assert "O00114" in answer.text and "has shipped" in answer.text and "tracking link" in answer.text
    assert "has been cancelled" in answer.forbidden


def test_cancel_when_asked_for_is_done_once_and_recorded(desk):
    first = ask(desk, "cancel my order please", "cancel")
    assert first.action.kind == "cancel" and first.action.outcome == "done" and first.action.order_id == "O00856"
    assert "cancelled your order O00856" in first.text and "refunded in full within 2 business days" in first.text
    assert desk.book.get("O00856").status == "cancelled"
    again = ask(desk, "cancel my order please", "cancel")
    assert again.action.outcome == "already" and "already cancelled" in again.text
    assert [a.kind for a in desk.book.actions(customer_id="C0114")] == ["cancel"]  # asking twice cancelled once


def test_asking_whether_one_can_cancel_asks_back_and_yes_cancels(desk):
    offer = ask(desk, "can I cancel my order?", "cancel")
    assert offer.action is None and "Would you like me to cancel it?" in offer.text
    assert desk.book.get("O00856").status == "processing"
    done = desk.confirm(offer.context["pending"], "yes please", user_id="C0114", loyal=False, context={})
    assert done.action.outcome == "done" and desk.book.get("O00856").status == "cancelled"


def test_no_leaves_the_order_alone(desk):
    offer = ask(desk, "I might want to cancel it", "cancel")
    kept = desk.confirm(offer.context["pending"], "no, leave it", user_id="C0114", loyal=False, context={})
    assert "left the order as it is" in kept.text and desk.book.get("O00856").status == "processing"


def test_a_shipped_order_is_not_cancelled_and_the_return_path_is_offered(desk):
    answer = ask(desk, "I'd like to cancel my most recent order", "cancel", "C0015")
    assert answer.action.outcome == "refused" and "can't be cancelled because it has already shipped" in answer.text
    assert "return it within 30 days" in answer.text and desk.book.get("O00114").status == "shipped"


@pytest.mark.parametrize("text", ["where is order O00001?", "cancel O00001 please", "where is O99999"])
def test_another_customers_or_an_unknown_order_is_never_described_or_touched(desk, text):
    answer = ask(desk, text, "cancel" if "cancel" in text else "status", "C0015")
    assert "can't find order" in answer.text and answer.action is None
    other = desk.book.get("O00001")
    assert all(item.title not in answer.text for item in other.items)
    assert other.status == "delivered" and desk.book.actions(order_id="O00001") == []


def test_a_guest_is_asked_to_sign_in_and_told_nothing(desk):
    answer = ask(desk, "where's my package?", "status", None)
    assert answer.text == GUEST_ASK and not answer.codes
    wrong = ask(desk, "it's O00114, someone@example.com", "status", None, context=answer.context)
    assert wrong.text == NO_MATCH and "O00114" not in wrong.text.replace("order number", "")


def test_a_guest_asking_when_a_refund_comes_gets_the_stores_rule_and_nothing_about_any_order(desk):
    answer = ask(desk, "when will I get my refund after returning?", "return", None)
    assert "5-7 business days" in answer.text and "sign in" in answer.text
    assert not re.search(r"\bO\d{5}\b", answer.text) and not answer.codes


def test_items_of_one_order_with_their_own_status_are_each_stated(desk):
    answer = ask(desk, "what did I order last time?", "items", "C0200")  # O01504: one item cancelled, one returned
    assert "O01504" in answer.text and "Stride Atlas 210 Trail Runners was cancelled" in answer.text
    assert "Brickly Halo 800 Board Game was returned" in answer.text


def test_a_guest_with_the_matching_number_and_email_gets_that_order(desk):
    email = desk.emails["C0015"]
    answer = ask(desk, f"my order number is O00114 and my email is {email}", "status", None,
                 context={"pending": {"kind": "guest_lookup", "kind_asked": "status"}})
    assert "O00114" in answer.text and "has shipped" in answer.text
    assert answer.context["verified"] == {"customer_id": "C0015", "order_id": "O00114"}


def test_a_return_inside_the_window_starts_when_asked_for(desk):
    answer = ask(desk, "I want to return my last order", "return", "C0056")
    assert answer.action.kind == "return" and answer.action.outcome == "done"
    assert "prepaid return label" in answer.text.lower() and "5-7 business days" in answer.text
    again = ask(desk, "I want to return my last order", "return", "C0056")
    assert again.action.outcome == "already" and len(desk.book.actions(customer_id="C0056")) == 1


def test_asking_how_to_return_explains_and_offers(desk):
    answer = ask(desk, "how do I send back my last order?", "return", "C0056")
    assert answer.action is None and "30 days" in answer.text and "Would you like me to start the return" in answer.text
    assert answer.context["pending"]["kind"] == "return"


def test_outside_the_window_no_return_and_loyal_customers_get_sixty_days(desk):
    late = ask(desk, "I want to return my order O00422", "return", "C0056")  # delivered September 17: 44 days ago
    assert late.action.outcome == "refused" and "outside the 30-day return window" in late.text
    assert desk.book.actions(order_id="O00422") == []
    loyal = ask(desk, "how do I return my last order?", "return", "C0110", loyal=True)
    assert "60 days" in loyal.text


def test_the_address_of_a_processing_order_changes_after_asking_for_it(desk):
    question = ask(desk, "change the delivery address of my order", "address")
    assert "What is the new address?" in question.text and question.context["pending"]["kind"] == "address"
    done = desk.confirm(question.context["pending"], "42 Elm Street, Springfield", user_id="C0114", loyal=False, context={})
    assert done.action.outcome == "done" and desk.book.get("O00856").address == "42 Elm Street, Springfield"


def test_a_damaged_item_gets_the_stores_rule(desk):
    answer = ask(desk, "my order arrived damaged", "damaged", "C0056")
    assert "send a photo within 14 days" in answer.text and answer.action is None
    guest = ask(desk, "my order arrived broken", "damaged", None)
    assert "14 days" in guest.text and "O0" not in guest.text
