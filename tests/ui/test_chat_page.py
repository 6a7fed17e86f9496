"""The Gradio page's callbacks: streamed chat, product cards, staff info, per-customer history, and
the analytics events its cards and thumbs record (the browser wiring is in test_ui_events.py)."""

from __future__ import annotations

import pytest

from assistant.analytics.events import build_event_log
from assistant.history import ConversationStore
from assistant.metrics import build_metrics
from assistant.turn import TurnService
from tests.conftest import make_deps
from tests.ui.conftest import ui_reader
from ui.chat import build_chat_page, card_event, load_customer, rate_reply, respond


@pytest.fixture
def deps(settings):
    return make_deps(settings, reader=ui_reader())


def test_respond_streams_cards_staff_info_and_restores_history(deps, tmp_path):
    chat = TurnService(deps, ConversationStore(f"sqlite:///{tmp_path / 'c.db'}"), build_metrics())
    updates = list(respond(chat, "waterproof rain jacket", [], "C0001", None, True))
    history, cards, staff, session, box, reply_ids = updates[-1]
    assert history[0] == {"role": "user", "content": "waterproof rain jacket"}
    assert history[1]["role"] == "assistant" and "Trailform Storm Rain Jacket ($89.00)" in history[1]["content"]
    assert "Trailform Storm Rain Jacket" in cards and "$89.00" in cards and "sa-why" in cards
    assert "data-product-id='J1'" in cards and "Add to cart" in cards
    assert list(reply_ids) == [1]  # the assistant message's index in the chat
    assert "`product_search`" in staff and "churn tier" in staff and box == ""
    assert "`product_search`" not in list(respond(chat, "coffee", history, "C0001", session, False))[-1][2]
    restored, same_session, restored_ids = load_customer(chat, "C0001")
    assert same_session == session and [m["content"] for m in restored][:2] == [h["content"] for h in history]
    assert restored_ids[1] == reply_ids[1] and set(restored_ids) == {1, 3}
    assert load_customer(chat, "") == ([], None, {})
    stranger = list(respond(chat, "hi", [], "C9999", None, False))[-1][0]
    assert "Welcome to the store" in stranger[-1]["content"]  # an id the store does not know: a new shopper


def test_page_builds_with_documented_api_names(deps, tmp_path):
    chat = TurnService(deps, ConversationStore(f"sqlite:///{tmp_path / 'c.db'}"), build_metrics())
    page = build_chat_page(chat)
    names = {d.api_name for d in page.fns.values()}
    assert {"chat", "ask", "load_customer"} <= names


def test_cards_and_thumbs_record_pseudonymized_events(settings, deps, tmp_path):
    from sqlalchemy import select

    store = ConversationStore(f"sqlite:///{tmp_path / 'c.db'}")
    log = build_event_log(settings, store.engine, customers=deps.profiles.customers, products=deps.retriever.catalog)
    chat = TurnService(deps, store, build_metrics(), log)
    *_, session, _, reply_ids = list(respond(chat, "waterproof rain jacket", [], "C0001", None, False))[-1]

    assert card_event(chat, "C0001", session, {"action": "click", "product_id": "J1"}) is None
    assert card_event(chat, "C0001", session, {"action": "add_to_cart", "product_id": "J1"}) is None
    assert rate_reply(chat, "C0001", session, reply_ids, 1, False) is None
    assert rate_reply(chat, "C0001", session, reply_ids, 1, "") is None  # a thumb taken back records nothing
    # refused with a reason, and nothing recorded before is lost
    assert "unknown product_id" in card_event(chat, "C0001", session, {"action": "click", "product_id": "NOPE"})
    assert "cannot be rated" in rate_reply(chat, "C0001", session, reply_ids, 0, True)  # the shopper's own message
    _, _, restored_ids = load_customer(chat, "C0001")  # a returning shopper rates an old reply
    assert rate_reply(chat, "C0001", session, restored_ids, 1, True) is None

    with store.engine.connect() as conn:
        rows = [r._asdict() for r in conn.execute(select(log.events_t).order_by(log.events_t.c.id))]
    assert [(r["type"], r["product_id"], r["value"]) for r in rows] == [
        ("turn", None, None), ("click", "J1", None), ("add_to_cart", "J1", None),
        ("rating", None, -1.0), ("rating", None, 1.0)]
    assert all(r["session_id"] == session and r["channel"] == "gradio" for r in rows)
    assert {r["customer"] for r in rows} == {log.pseudonym("C0001")}
    assert rows[-1]["reply_id"] == reply_ids[1]
    assert "C0001" not in repr(rows)
