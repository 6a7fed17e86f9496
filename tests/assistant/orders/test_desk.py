"""The order desk on the demo store's real orders (SQLite) and policies: the right order, true facts, a change
only after the shopper's yes to a question that named the order, never on someone else's order, nothing said to
a guest before the order number and e-mail match."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest

from assistant.commands import (
    Confirm,
    Deny,
    OrderChange,
    OrderIssue,
    OrderRef,
    OrderStatus,
    PendingChange,
    SessionState,
)
from assistant.history import ConversationStore
from assistant.orders import OrderBook
from assistant.orders.desk import OrderDesk
from assistant.orders.words import GUEST_ASK, NO_MATCH, NOTHING_WAITING
from assistant.policies import PolicyIndex
from data import DEMO_DIR
from data.load import load_catalog, load_customers, load_policies

TODAY = date(2026, 10, 31)  # the demo store's clock: its newest order
ADDRESS = "9 Elm Court, Austin, TX 78701"


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


def ask(desk, command, user: str | None = "C0114", *, loyal: bool = False, state: SessionState = SessionState()):
    return desk.answer(command, user_id=user, loyal=loyal, state=state)


def answer_to(desk, question, reply, user: str | None = "C0114", *, loyal: bool = False, **state):
    """The shopper's yes or no to the question an answer asked, with the state the turn keeps from that answer."""
    kept = replace(SessionState.from_dict(question.context), **state)
    return desk.reply(reply, user_id=user, loyal=loyal, state=kept)


def untouched(desk, *order_ids: str) -> bool:
    return all(desk.book.actions(order_id=order_id) == [] for order_id in order_ids)


# -- which order ---------------------------------------------------------------------------------------------
def test_status_names_the_latest_order_its_items_and_what_can_still_be_done(desk):
    answer = ask(desk, OrderStatus())
    assert "O00856" in answer.text and "has not shipped yet" in answer.text and "Stride Orion 750 Running Shoes" in answer.text
    assert "cancel" in answer.text and answer.action is None and answer.intent == "track_order"
    assert answer.context["order_id"] == "O00856"  # "cancel it" next means this order


@pytest.mark.parametrize(("user", "item", "order_id"), [
    ("C0056", "air fryer", "O00415"),  # its oldest order, not the latest
    ("C0056", "parka", "O00418"),  # two orders hold a parka: the newest
    ("C0056", "softshell jackets", "O00423"),
    ("C0007", "instant cameras", "O00044"),
    ("C0007", "vlogging camera", "O00041"),
    ("C0200", "chromebook", "O01502"),
])
def test_an_item_picks_the_newest_order_holding_it(desk, user, item, order_id):
    answer = ask(desk, OrderStatus(OrderRef(item=item)), user)
    assert order_id in answer.text and answer.context["order_id"] == order_id


def test_an_item_no_order_holds_names_no_order_and_describes_the_recent_ones(desk):
    answer = ask(desk, OrderChange("cancel", OrderRef(item="blender")))
    assert "couldn't find an order with a blender" in answer.text and "Trailform Vertex 750 Windbreaker" in answer.text
    assert not re.findall(r"\bO\d{5}\b", answer.text)  # no order is put forward as the one meant, not even by number
    assert "order_id" not in answer.context and answer.context.get("pending") is None and answer.action is None
    assert desk.book.get("O00856").status == "processing" and untouched(desk, "O00856", "O00855")
    many = ask(desk, OrderStatus(OrderRef(item="blender")), "C0056")
    assert many.text.count("one from ") == 3  # up to three recent orders, by date and items


def test_previous_and_this_point_at_the_right_order(desk):
    assert ask(desk, OrderStatus(OrderRef(which="previous"))).context["order_id"] == "O00855"
    talked_about = SessionState(order_id="O00855")
    assert ask(desk, OrderStatus(OrderRef(which="this")), state=talked_about).context["order_id"] == "O00855"
    someone_elses = SessionState(order_id="O00001")
    answer = ask(desk, OrderStatus(OrderRef(which="this")), state=someone_elses)
    assert answer.context["order_id"] == "O00856" and "O00001" not in answer.text


@pytest.mark.parametrize("command", [OrderStatus(OrderRef(order_id="O00001")), OrderChange("cancel", OrderRef(order_id="O00001")),
                                     OrderChange("return", OrderRef(order_id="O00001")),
                                     OrderIssue(order=OrderRef(order_id="O00001")), OrderStatus(OrderRef(order_id="O99999"))])
def test_another_customers_or_an_unknown_order_is_never_described_or_touched(desk, command):
    answer = ask(desk, command, "C0015")
    order_id = command.order.order_id
    assert f"Order {order_id} is not on your account" in answer.text and answer.action is None
    assert answer.context.get("pending") is None and "order_id" not in answer.context
    other = desk.book.get("O00001")
    assert all(item.title not in answer.text for item in other.items) and "delivered" not in answer.text
    assert other.status == "delivered" and untouched(desk, "O00001")


def test_a_yes_to_a_question_about_another_customers_order_does_nothing(desk):
    forged = SessionState(pending=PendingChange("return", "O00001"))
    answer = desk.reply(Confirm(), user_id="C0015", loyal=False, state=forged)
    assert answer.text == NOTHING_WAITING and answer.action is None and untouched(desk, "O00001")


# -- what the shopper asks about an order ----------------------------------------------------------------------
def test_a_shipped_order_gets_its_tracking_rule_not_a_cancellation(desk):
    answer = ask(desk, OrderStatus(), "C0015")
    assert "O00114" in answer.text and "has shipped" in answer.text and "tracking link" in answer.text
    assert "has been cancelled" in answer.forbidden


def test_the_date_asked_for_is_the_order_date_with_the_shipping_time(desk):
    answer = ask(desk, OrderStatus(asks="date"), "C0015")
    assert "October 23, 2026" in answer.text and "3-5 business days" in answer.text
    assert ("October 23",) in answer.required


def test_items_of_one_order_with_their_own_status_are_each_stated(desk):
    answer = ask(desk, OrderStatus(asks="items"), "C0200")  # O01504: one item cancelled, one returned
    assert "O01504" in answer.text and "Stride Atlas 210 Trail Runners was cancelled" in answer.text
    assert "Brickly Halo 800 Board Game was returned" in answer.text and "$50.99" in answer.text


def test_the_return_status_names_the_return_and_the_refund_time(desk):
    received = ask(desk, OrderStatus(asks="return_status"), "C0200")
    assert "Brickly Halo 800 Board Game" in received.text and "O01504" in received.text and "returned" in received.text
    assert "5-7 business days" in received.text and received.intent == "track_refund"
    none = ask(desk, OrderStatus(OrderRef(item="air fryer"), asks="return_status"), "C0056")
    assert "I don't see a return for your order O00415" in none.text


# -- cancel ---------------------------------------------------------------------------------------------------
def test_cancel_asks_first_and_only_a_yes_cancels_once(desk):
    question = ask(desk, OrderChange("cancel"))
    assert "O00856" in question.text and "October 29, 2026" in question.text and "Stride Orion 750" in question.text
    assert question.text.endswith("Would you like me to cancel it?") and question.action is None
    assert question.context["pending"] == {"kind": "cancel", "order_id": "O00856", "new_address": None, "turns_left": 3}
    assert desk.book.get("O00856").status == "processing" and untouched(desk, "O00856")
    done = answer_to(desk, question, Confirm())
    assert done.action.kind == "cancel" and done.action.outcome == "done" and done.action.order_id == "O00856"
    assert "Done: I've cancelled your order O00856" in done.text and "refunded in full within 2 business days" in done.text
    assert done.context["pending"] is None and done.context["order_id"] == "O00856"
    assert desk.book.get("O00856").status == "cancelled"
    again = answer_to(desk, question, Confirm())  # the same yes twice (a retried request)
    assert again.action.outcome == "already" and "already cancelled" in again.text
    assert [a.kind for a in desk.book.actions(customer_id="C0114")] == ["cancel"]
    after = answer_to(desk, done, Confirm())  # the yes after the question was answered
    assert after.text == NOTHING_WAITING and after.action is None


def test_no_leaves_the_order_alone(desk):
    question = ask(desk, OrderChange("cancel"))
    kept = answer_to(desk, question, Deny())
    assert kept.text == "No problem, I've left your order O00856 as it is." and kept.context["pending"] is None
    assert desk.book.get("O00856").status == "processing" and untouched(desk, "O00856")


def test_a_yes_or_no_with_nothing_waiting_does_nothing(desk):
    for reply in (Confirm(), Deny()):
        answer = desk.reply(reply, user_id="C0114", loyal=False, state=SessionState(order_id="O00856"))
        assert answer.action is None and "nothing" in answer.text.lower()
    assert desk.book.get("O00856").status == "processing" and untouched(desk, "O00856")


def test_an_expired_question_is_not_answered_by_a_late_yes(desk):
    question = ask(desk, OrderChange("cancel"))
    late = answer_to(desk, question, Confirm(), pending=PendingChange("cancel", "O00856", turns_left=0))
    assert late.text == NOTHING_WAITING and late.action is None and late.context["pending"] is None
    assert desk.book.get("O00856").status == "processing" and untouched(desk, "O00856")


def test_a_shipped_order_is_not_cancelled_and_the_return_path_is_offered(desk):
    answer = ask(desk, OrderChange("cancel"), "C0015")
    assert answer.action.outcome == "refused" and "can't be cancelled because it has already shipped" in answer.text
    assert "return it within 30 days" in answer.text and answer.context["pending"] is None
    assert desk.book.get("O00114").status == "shipped" and untouched(desk, "O00114")


def test_a_new_change_question_replaces_the_one_waiting(desk):
    waiting = SessionState(pending=PendingChange("cancel", "O00856"), order_id="O00856")
    refused = ask(desk, OrderChange("return"), state=waiting)  # not delivered yet: refused, and the cancel is dropped
    assert "can't be returned until it arrives" in refused.text and refused.context["pending"] is None


# -- return ---------------------------------------------------------------------------------------------------
def test_a_return_inside_the_window_is_explained_asked_and_started_on_yes(desk):
    question = ask(desk, OrderChange("return"), "C0056")
    assert "30 days" in question.text and "O00424" in question.text and "prepaid return label" in question.text
    assert question.text.endswith("Would you like me to start the return now?") and question.action is None
    assert question.context["pending"]["kind"] == "return" and untouched(desk, "O00424")
    done = answer_to(desk, question, Confirm(), "C0056")
    assert done.action.kind == "return" and done.action.outcome == "done"
    assert "I've started a return for your order O00424" in done.text and "5-7 business days" in done.text
    status = ask(desk, OrderStatus(asks="return_status"), "C0056")
    assert "Your return for order O00424" in status.text and "waiting for the parcel" in status.text
    again = ask(desk, OrderChange("return"), "C0056")
    assert "already open" in again.text and again.context["pending"] is None
    assert len(desk.book.actions(customer_id="C0056")) == 1


def test_outside_the_window_no_return_and_loyal_customers_get_sixty_days(desk):
    late = ask(desk, OrderChange("return", OrderRef(order_id="O00422")), "C0056")  # placed September 17: 44 days ago
    assert late.action.outcome == "refused" and "outside the 30-day return window" in late.text
    assert late.context["pending"] is None and untouched(desk, "O00422")
    loyal = ask(desk, OrderChange("return", OrderRef(order_id="O00422")), "C0056", loyal=True)
    assert "60 days" in loyal.text and loyal.context["pending"]["order_id"] == "O00422"


# -- delivery address ----------------------------------------------------------------------------------------
def test_a_new_address_is_read_back_and_changed_on_yes(desk):
    question = ask(desk, OrderChange("address", new_address=ADDRESS))
    assert f"Shall I send order O00856 (Stride Orion 750 Running Shoes) to {ADDRESS} instead?" in question.text
    assert question.context["pending"]["new_address"] == ADDRESS and desk.book.get("O00856").address is None
    done = answer_to(desk, question, Confirm())
    assert f"Done: your order O00856 (Stride Orion 750 Running Shoes) will now be delivered to {ADDRESS}." == done.text
    assert done.action.outcome == "done" and desk.book.get("O00856").address == ADDRESS


def test_an_address_asked_for_goes_to_the_order_asked_about(desk):
    question = ask(desk, OrderChange("address"))
    assert question.text.endswith("What is the new address?") and question.context["pending"]["new_address"] is None
    yes = answer_to(desk, question, Confirm())  # a yes is no address: asked again, nothing changed
    assert yes.text.endswith("What is the new address?") and yes.context["pending"]["order_id"] == "O00856"
    elsewhere = replace(SessionState.from_dict(question.context), order_id="O00855")
    given = ask(desk, OrderChange("address", OrderRef(which="this"), new_address=ADDRESS), state=elsewhere)
    assert "Shall I send order O00856" in given.text and given.context["pending"]["new_address"] == ADDRESS
    assert desk.book.get("O00856").address is None


def test_a_shipped_orders_address_cannot_change(desk):
    answer = ask(desk, OrderChange("address", new_address=ADDRESS), "C0015")
    assert "can't be changed" in answer.text and "cannot reroute" in answer.text
    assert answer.context["pending"] is None and desk.book.get("O00114").address is None


# -- problems with what arrived ---------------------------------------------------------------------------------
def test_a_damaged_item_gets_the_stores_rule_about_the_order_that_holds_it(desk):
    answer = ask(desk, OrderIssue(order=OrderRef(item="air fryer")), "C0056")
    assert "O00415" in answer.text and "send a photo within 14 days" in answer.text
    assert "member of our team" in answer.text and answer.action is None and answer.intent == "complaint"
    wrong = ask(desk, OrderIssue("wrong_item"), "C0056")
    assert "O00424" in wrong.text and "free for defective or wrong items" in wrong.text and "member of our team" in wrong.text
    missing = ask(desk, OrderIssue("missing"), "C0056")
    assert "O00424" in missing.text and "member of our team" in missing.text and untouched(desk, "O00415", "O00424")


# -- guests ---------------------------------------------------------------------------------------------------
def test_a_guest_is_asked_to_sign_in_and_told_nothing(desk):
    answer = ask(desk, OrderStatus(), None)
    assert answer.text == GUEST_ASK and not answer.codes
    number_only = ask(desk, OrderStatus(OrderRef(order_id="O00114")), None)
    assert number_only.text == GUEST_ASK and "O00114" not in number_only.text
    wrong = ask(desk, OrderStatus(OrderRef(order_id="O00114", email="someone@example.com")), None)
    assert wrong.text == NO_MATCH and "verified" not in wrong.context


def test_a_guest_with_the_matching_number_and_email_gets_that_order_alone(desk):
    email = desk.emails["C0015"].upper()
    answer = ask(desk, OrderStatus(OrderRef(order_id="O00114", email=email)), None)
    assert "O00114" in answer.text and "has shipped" in answer.text
    assert answer.context["verified"] == {"customer_id": "C0015", "order_id": "O00114"}
    proven = SessionState.from_dict(answer.context)
    other = ask(desk, OrderStatus(OrderRef(order_id="O00113")), None, state=proven)  # C0015's, but not proven
    assert "not on your account" in other.text and "Playnest" not in other.text


def test_a_guest_with_a_problem_or_a_refund_question_gets_the_stores_rule_and_nothing_about_any_order(desk):
    damaged = ask(desk, OrderIssue(), None)
    assert "14 days" in damaged.text and "sign in" in damaged.text and not re.search(r"\bO\d{5}\b", damaged.text)
    refund = ask(desk, OrderStatus(asks="return_status"), None)
    assert "5-7 business days" in refund.text and "sign in" in refund.text
    assert not re.search(r"\bO\d{5}\b", refund.text) and not refund.codes
