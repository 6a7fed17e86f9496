"""The Gradio page's callbacks: streamed chat, product cards, staff info, per-customer history."""

from __future__ import annotations

from assistant.history import ConversationStore
from ui.chat import build_chat_page, load_customer, respond
from ui.metrics import build_metrics
from ui.service import ChatService


def test_respond_streams_cards_staff_info_and_restores_history(deps, tmp_path):
    chat = ChatService(deps, ConversationStore(f"sqlite:///{tmp_path / 'c.db'}"), build_metrics())
    updates = list(respond(chat, "waterproof rain jacket", [], "C0001", None, True))
    history, cards, staff, session, box = updates[-1]
    assert history == [{"role": "user", "content": "waterproof rain jacket"}, {"role": "assistant", "content": "Happy to help!"}]
    assert "Trailform Storm Rain Jacket" in cards and "$89.00" in cards and "sa-why" in cards
    assert "`product_search`" in staff and "churn tier" in staff and box == ""
    assert "`product_search`" not in list(respond(chat, "coffee", history, "C0001", session, False))[-1][2]
    restored, same_session = load_customer(chat, "C0001")
    assert same_session == session and [m["content"] for m in restored][:2] == ["waterproof rain jacket", "Happy to help!"]
    assert load_customer(chat, "") == ([], None)
    unknown = list(respond(chat, "hi", [], "C9999", None, False))[-1][0]
    assert "unknown customer" in unknown[-1]["content"]


def test_page_builds_with_documented_api_names(deps, tmp_path):
    chat = ChatService(deps, ConversationStore(f"sqlite:///{tmp_path / 'c.db'}"), build_metrics())
    page = build_chat_page(chat)
    names = {d.api_name for d in page.fns.values()}
    assert {"chat", "ask", "load_customer"} <= names
