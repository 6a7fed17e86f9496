"""One turn through the turn service, the one path of every front end: real retriever, order book,
conversation store and policies; understanding scripted (what each message means, as the real model reads it);
a scripted model whose drafts the check accepts or refuses."""

from __future__ import annotations

import pytest

from assistant.history import ConversationStore
from assistant.metrics import build_metrics
from assistant.turn import Accepted, Finished, TurnService
from assistant.types import IntentDetected, Products, Token
from tests.conftest import FakeGenerator, ScriptedReader, make_deps

READS = {
    "waterproof rain jacket": 'search type="rain jacket" cat=jackets attr=waterproof',
    "rain jacket": 'search type="rain jacket" cat=jackets',
    "headphones": "search cat=headphones",
    "which one is cheapest?": "ask about=cheapest",
    "is the first one in stock?": "ask about=stock ref=1",
    "cancel my order please": "order_change kind=cancel",
    "yes": "confirm",
    "hi": "greet", "hi again": "greet", "hello": "greet",
    "write me a poem about cats": "out_of_scope",
    "a rain jacket, and is shipping free?": 'search type="rain jacket" cat=jackets\npolicy topic=shipping',
    "anything cheaper?": "refine dir=cheaper",
    "no, keep it": "deny",
    "what's the weather tomorrow?": "out_of_scope",
    "jackets not from Northpeak": "search cat=jackets not_brand=Northpeak",
}


@pytest.fixture
def service(settings, tmp_path):
    def build(tokens=("Happy ", "to ", "help!")):
        deps = make_deps(settings, reader=ScriptedReader(READS), generator=FakeGenerator(tokens))
        return TurnService(deps, ConversationStore(f"sqlite:///{tmp_path / 'c.db'}"), build_metrics())
    return build


def finished(events) -> Finished:
    return next(e for e in events if isinstance(e, Finished))


def test_a_turn_streams_accepted_intent_products_tokens_then_finished(service):
    chat = service()
    events = list(chat.turn("waterproof rain jacket", user_id=None))
    kinds = [type(e) for e in events]
    assert kinds[:3] == [Accepted, IntentDetected, Products] and kinds[-1] is Finished
    assert events[1].intent.label == "product_search"
    done = events[-1]
    assert "".join(e.text for e in events if isinstance(e, Token)).strip() == done.text
    assert done.hits[0].product.id == "J1" and done.reply_id
    understood = chat.store.messages(done.session_id)[-1].meta["understood"]  # the stored reply says how it was read
    assert understood["source"] == "head" and understood["commands"].startswith("search ")
    assert "cat=jackets" in understood["commands"] and "attr=waterproof" in understood["commands"]


def test_a_turn_says_where_its_time_went(service):
    """Every stage is timed, they add up to the turn, and /metrics has a histogram per stage."""
    from assistant.turn import STAGES

    chat = service()
    done = finished(chat.turn("waterproof rain jacket", user_id=None))
    stages = {stage: done.timings[f"{stage}_s"] for stage in STAGES}
    assert all(seconds >= 0 for seconds in stages.values())
    assert sum(stages.values()) == pytest.approx(done.timings["total_s"], abs=0.05)
    assert stages["gather"] > 0  # the search ran in this stage
    metrics = chat.metrics.render()[0].decode()
    for stage in STAGES:
        assert f'shopassist_turn_stage_seconds_count{{stage="{stage}"}} 1.0' in metrics

def test_a_draft_that_misses_the_facts_is_replaced_by_the_composed_reply(service):
    chat = service()
    done = finished(chat.turn("waterproof rain jacket", user_id=None))
    assert not done.drafted and "Trailform Storm Rain Jacket ($89.00)" in done.text
    assert 'shopassist_reply_drafts_total{outcome="replaced"} 1.0' in chat.metrics.render()[0].decode()
    prompt = chat.deps.generator.prompts[-1]
    assert "Facts:" in prompt.messages[0].content and prompt.messages[-1].content == "waterproof rain jacket"


def test_a_draft_that_states_the_facts_is_sent(service):
    done = finished(service(("You might like the ", "Trailform Storm Rain Jacket ($89.00).")).turn("rain jacket", user_id=None))
    assert done.drafted and done.text == "You might like the Trailform Storm Rain Jacket ($89.00)."
    assert done.hits[0].product.id == "J1"


def test_follow_ups_use_the_cards_of_the_stored_session(service):
    chat = service()
    first = finished(chat.turn("headphones", user_id=None))
    again = finished(chat.turn("which one is cheapest?", user_id=None, session_id=first.session_id))
    assert "Wavely Sport Earbuds" in again.text
    stock = finished(chat.turn("is the first one in stock?", user_id=None, session_id=first.session_id))
    assert "in stock" in stock.text and first.hits[0].product.title in stock.text


def test_an_order_is_cancelled_only_after_the_shoppers_yes_and_never_twice(service):
    chat = service()
    asked = finished(chat.turn("cancel my order please", user_id="C0114"))
    assert "O00856" in asked.text and "Would you like me to cancel it?" in asked.text and asked.action is None
    assert chat.orders.get("O00856").status == "processing" and chat.orders.actions(customer_id="C0114") == []
    done = finished(chat.turn("yes", user_id="C0114", session_id=asked.session_id))
    assert done.action.kind == "cancel" and done.action.outcome == "done" and done.action.order_id == "O00856"
    assert "cancelled your order O00856" in done.text and chat.orders.get("O00856").status == "cancelled"
    again = finished(chat.turn("cancel my order please", user_id="C0114", session_id=done.session_id))
    yes_again = finished(chat.turn("yes", user_id="C0114", session_id=done.session_id))
    assert again.action.outcome == "already" and "already cancelled" in again.text
    assert yes_again.action is None  # nothing was waiting for that yes
    assert [a.kind for a in chat.orders.actions(customer_id="C0114")] == ["cancel"]


def test_asking_for_a_person_opens_a_ticket(service):
    chat = service()
    done = finished(chat.turn("I want to talk to a manager", user_id="C0004"))
    assert done.handoff and done.ticket_id and "customer service team" in done.text


def test_an_at_risk_customer_gets_one_gesture_and_others_none(service):
    chat = service()
    risky = finished(chat.turn("hi", user_id="C0001"))
    assert "WELCOME10" in risky.text and risky.offer == "code"
    later = finished(chat.turn("hi again", user_id="C0001", session_id=risky.session_id))
    assert "WELCOME10" not in later.text  # once per conversation
    guest = finished(chat.turn("hi", user_id=None))
    assert "WELCOME10" not in guest.text and guest.offer is None


def test_an_unknown_shopper_id_is_a_new_shopper(service):
    done = finished(service().turn("hello", user_id="visitor-9"))
    assert done.view.segment == "new" and "Welcome to the store" in done.text


def test_out_of_scope_gets_one_short_sentence_and_no_products(service):
    done = finished(service().turn("write me a poem about cats", user_id=None))
    assert done.hits == () and done.text.startswith("Sorry, I can't help with that.") and len(done.text.split()) < 30


def test_the_turns_analytics_row_carries_its_stage_timings(settings, tmp_path):
    from sqlalchemy import select

    from assistant.analytics.events import EventLog
    from assistant.turn import STAGES

    store = ConversationStore(f"sqlite:///{tmp_path / 'c.db'}")
    analytics = EventLog(store.engine, b"test-secret")
    chat = TurnService(make_deps(settings, reader=ScriptedReader(READS), generator=FakeGenerator()), store, build_metrics(),
                       analytics)
    done = finished(chat.turn("waterproof rain jacket", user_id=None))
    with store.engine.connect() as conn:
        (row,) = conn.execute(select(analytics.events_t.c.timings)).all()
    assert set(row.timings) == {f"{stage}_s" for stage in STAGES if stage != "record"}
    assert row.timings["gather_s"] == pytest.approx(done.timings["gather_s"], abs=1e-3)


def test_a_warm_up_turn_drafts_once_and_stores_nothing(service):
    chat = service()
    chat.warm_up()
    assert len(chat.deps.generator.prompts) == 1 and chat.writer.pace.per_char is not None
    with chat.store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM messages").scalar() == 0


def test_two_questions_in_one_message_get_both_answers_and_the_cards(service):
    done = finished(service().turn("a rain jacket, and is shipping free?", user_id=None))
    assert done.hits and "Trailform Storm Rain Jacket" in done.text and "3-5 business days" in done.text


def test_an_excluded_brand_is_never_shown(service):
    done = finished(service().turn("jackets not from Northpeak", user_id=None))
    assert done.hits and all(h.product.brand != "Northpeak" for h in done.hits)


def test_the_cards_survive_an_off_topic_turn(service):
    chat = service()
    first = finished(chat.turn("headphones", user_id=None))
    finished(chat.turn("what's the weather tomorrow?", user_id=None, session_id=first.session_id))
    again = finished(chat.turn("which one is cheapest?", user_id=None, session_id=first.session_id))
    assert "Wavely Sport Earbuds" in again.text


def test_cheaper_means_cheaper_than_every_card_shown(service):
    chat = service()
    first = finished(chat.turn("jackets not from Northpeak", user_id=None))
    cheaper = finished(chat.turn("anything cheaper?", user_id=None, session_id=first.session_id))
    floor = min(h.product.price for h in first.hits)
    assert all(h.product.price < floor for h in cheaper.hits) or "already the lowest-priced" in cheaper.text


def test_a_no_to_the_question_leaves_the_order_and_a_question_left_unanswered_expires(service):
    chat = service()
    asked = finished(chat.turn("cancel my order please", user_id="C0114"))
    kept = finished(chat.turn("no, keep it", user_id="C0114", session_id=asked.session_id))
    assert "left your order" in kept.text and chat.orders.get("O00856").status == "processing"
    asked = finished(chat.turn("cancel my order please", user_id="C0114"))
    for _ in range(3):  # three turns about something else: the question is no longer open
        finished(chat.turn("headphones", user_id="C0114", session_id=asked.session_id))
    late = finished(chat.turn("yes", user_id="C0114", session_id=asked.session_id))
    assert late.action is None and chat.orders.get("O00856").status == "processing"
