"""The conversation store: durable messages, sessions per customer, failure streaks, tickets."""

from __future__ import annotations

import pytest

from assistant.history import ConversationStore, build_history
from assistant.settings import Settings
from assistant.types import Message
from data.errors import BadInput


@pytest.fixture
def store(db_url) -> ConversationStore:
    return ConversationStore(db_url)


def test_messages_survive_reopening_the_database(db_url):
    url = db_url
    first = ConversationStore(url)
    session = first.start_session("C0001")
    first.add_message(session, "user", "hello", user_id="C0001")
    first.add_message(session, "assistant", "hi!", user_id="C0001", meta={"intent": "greeting"})
    first.engine.dispose()
    again = ConversationStore(url)  # migrations run once; data stays
    assert [(m.role, m.content) for m in again.messages(session)] == [("user", "hello"), ("assistant", "hi!")]
    assert again.messages(session)[1].meta == {"intent": "greeting"}
    assert again.history(session) == (Message("user", "hello"), Message("assistant", "hi!"))


def test_sessions_belong_to_one_customer(store):
    session = store.ensure_session(None, "C0001")
    assert store.ensure_session(session, "C0001") == session
    with pytest.raises(BadInput):
        store.ensure_session(session, "C0002")
    store.add_message(session, "user", "x", user_id="C0001")
    store.start_session("C0001")  # empty session: not the latest conversation
    assert store.latest_session("C0001") == session
    assert [s.messages for s in store.sessions("C0001")] == [1, 0]


def test_tickets_carry_the_transcript_and_one_stays_open_per_session(store):
    session = store.start_session("C0001")
    store.add_message(session, "user", "I want a human", user_id="C0001")
    first = store.open_ticket(session, user_id="C0001", reason="customer asked for a human agent")
    store.add_message(session, "user", "hello??", user_id="C0001")
    second = store.open_ticket(session, user_id="C0001", reason="angry complaint")
    assert first.id == second.id and len(second.transcript) == 2
    assert [t.reason for t in store.tickets(status="open")] == ["customer asked for a human agent"]


def test_forget_user_removes_everything(store):
    session = store.start_session("C0001")
    store.add_message(session, "user", "hi", user_id="C0001")
    store.open_ticket(session, user_id="C0001", reason="x")
    assert store.forget_user("C0001") == 1
    assert store.sessions("C0001") == [] and store.tickets() == []


def test_default_is_sqlite_under_home(tmp_path):
    store = build_history(Settings(home=tmp_path / "h"))
    assert store.engine.url.database == str(tmp_path / "h" / "conversations.db")


def test_a_resent_unanswered_message_is_stored_once(store):
    """A client whose stream broke (its replica killed mid-reply) sends the message again, perhaps to another replica."""
    session = store.ensure_session(None, "C0001")
    first = store.add_message(session, "user", "cancel my order", user_id="C0001")
    assert store.add_message(session, "user", "cancel my order", user_id="C0001") == first
    store.add_message(session, "assistant", "Done: it is cancelled.", user_id="C0001")
    again = store.add_message(session, "user", "cancel my order", user_id="C0001")  # answered before: a new message
    assert again != first
    assert [m.role for m in store.messages(session)] == ["user", "assistant", "user"]


def test_a_session_a_client_names_is_created_once_by_racing_replicas(db_url):
    import threading

    stores = [ConversationStore(db_url) for _ in range(2)]
    results, errors = [], []

    def start(store: ConversationStore) -> None:
        try:
            results.append(store.ensure_session("a" * 32, "C0001"))
        except Exception as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(s,)) for s in stores * 3]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and results == ["a" * 32] * 6


def test_a_message_resent_with_its_key_is_stored_once_and_its_reply_found(store):
    session = store.ensure_session(None, "C0001")
    first = store.add_message(session, "user", "yes", user_id="C0001", key="k-1")
    assert store.reply_to(session, first) is None
    reply = store.add_message(session, "assistant", "Done.", user_id="C0001")
    assert store.add_message(session, "user", "yes", user_id="C0001", key="k-1") == first  # answered: the same one
    assert store.reply_to(session, first).id == reply
    second = store.add_message(session, "user", "yes", user_id="C0001", key="k-2")  # a new "yes" is a new message
    assert second != first and [m.content for m in store.messages(session)] == ["yes", "Done.", "yes"]
