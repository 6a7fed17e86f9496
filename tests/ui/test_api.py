"""The /v1 API over TestClient: real retriever on the tiny catalog, fake generation."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from tests.conftest import make_deps
from tests.ui.conftest import ui_reader


@pytest.fixture
def deps(settings):
    return make_deps(settings, reader=ui_reader())


def ask(client, text, **extra):
    return client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": text}], **extra})


def test_chat_completion_returns_reply_products_and_session(client):
    response = ask(client, "waterproof rain jacket", user="C0001")
    assert response.status_code == 200
    body = response.json()
    assert body["object"] == "chat.completion"
    reply = body["choices"][0]["message"]["content"]
    assert "Trailform Storm Rain Jacket" in reply and "$89.00" in reply  # the best match, named with its price
    extra = body["shopassist"]
    assert extra["intent"]["label"] == "product_search"
    assert extra["products"][0]["id"] == "J1" and extra["products"][0]["why"]
    assert extra["segment"] is not None and extra["handoff"] is False
    assert extra["drafted"] is False  # the fake model's "Happy to help!" names no product: the composed reply went out
    messages = client.get(f"/v1/sessions/{extra['session_id']}/messages").json()["messages"]
    assert [(m["role"], m["content"]) for m in messages] == [("user", "waterproof rain jacket"), ("assistant", reply)]


def test_streaming_sends_openai_chunks_then_done(client):
    response = ask(client, "coffee maker", stream=True)
    assert response.headers["content-type"].startswith("text/event-stream")
    events = [line[6:] for line in response.text.splitlines() if line.startswith("data: ")]
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    stored = chunks[0]["shopassist"]  # the first chunk acknowledges the stored message, so a broken stream can resume
    assert stored["session_id"] == chunks[-1]["shopassist"]["session_id"] and stored["message_id"] >= 1
    assert "".join(c["choices"][0]["delta"].get("content", "") for c in chunks).startswith("I'd suggest the Brewline Pour Coffee Maker")
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["shopassist"]["products"][0]["id"] == "K1"


def test_a_message_resent_with_its_idempotency_key_gets_the_stored_reply_and_nothing_is_redone(client):
    """A client whose stream broke after the reply was stored sends the message again (maybe to another replica)."""
    session = "b" * 32
    body = {"model": "shopassist", "user": "C0001", "messages": [{"role": "user", "content": "coffee maker"}],
            "shopassist": {"session_id": session}}
    first = client.post("/v1/chat/completions", json=body, headers={"Idempotency-Key": "msg-1"}).json()
    again = client.post("/v1/chat/completions", json=body, headers={"Idempotency-Key": "msg-1"}).json()
    assert again["choices"][0]["message"]["content"] == first["choices"][0]["message"]["content"]
    assert again["shopassist"]["reply_id"] == first["shopassist"]["reply_id"]
    assert [p["id"] for p in again["shopassist"]["products"]] == [p["id"] for p in first["shopassist"]["products"]]
    messages = client.get(f"/v1/sessions/{session}/messages").json()["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant"]


def test_session_continues_with_stored_history(client, deps):
    first = ask(client, "headphones", user="C0002").json()["shopassist"]
    assert [p["id"] for p in first["products"]][:2] == ["H1", "H2"]
    second = ask(client, "which one is cheapest?", user="C0002", shopassist={"session_id": first["session_id"]}).json()
    assert "Wavely Sport Earbuds" in second["choices"][0]["message"]["content"]  # the cheapest of the cards shown before
    prompt = deps.generator.prompts[-1]  # the model drafted from the facts of that turn
    assert prompt.messages[-1].content == "which one is cheapest?" and "Wavely Sport Earbuds" in prompt.messages[0].content
    history = client.get("/v1/users/C0002/history").json()
    assert history["sessions"] == [{"id": first["session_id"], "created_at": history["sessions"][0]["created_at"], "messages": 4}]


def test_another_customers_session_is_refused(client):
    session = ask(client, "hello", user="C0001").json()["shopassist"]["session_id"]
    response = ask(client, "hello", user="C0002", shopassist={"session_id": session})
    assert response.status_code == 400
    assert "another customer" in response.json()["error"]["message"]


@pytest.mark.parametrize(("body", "status", "words"), [
    ({"messages": [{"role": "user", "content": "   "}]}, 400, "last message"),
    ({"messages": [{"role": "assistant", "content": "hi"}]}, 400, "last message"),
    ({"messages": [{"role": "user", "content": "hi"}], "model": "gpt-4"}, 400, "unknown model"),
    ({"messages": []}, 422, "invalid request"),
    ({"messages": [{"role": "user", "content": "x" * 2500}]}, 400, "limit is 2,000"),
])
def test_bad_requests_get_a_real_status_and_an_openai_error(client, body, status, words):
    response = client.post("/v1/chat/completions", json=body)
    assert response.status_code == status
    error = response.json()["error"]
    assert words in error["message"] and error["code"] == status


def test_an_id_the_store_does_not_know_is_served_as_a_new_shopper(client):
    body = ask(client, "hi", user="visitor-42").json()
    assert body["shopassist"]["segment"] == "new" and "Welcome" in body["choices"][0]["message"]["content"]
    assert client.get("/v1/users/visitor-42/profile").json()["segment"] == "new"


def test_models_intent_search_profile(client):
    assert {m["id"] for m in client.get("/v1/models").json()["data"]} == {"shopassist", "shopassist-raw"}
    intent = client.post("/v1/intent", json={"text": "where is my parcel"}).json()
    assert intent == {"label": "track_order", "confidence": 1.0, "abstained": False, "commands": ["order_status"],
                      "read_by": "head"}  # the scripted head's reading, as the message's commands
    person = client.post("/v1/intent", json={"text": "I want to talk to a person"}).json()
    assert person["label"] == "contact_human_agent" and person["commands"] == ["handoff"] and person["read_by"] == "safety"
    found = client.post("/v1/search", json={"query": "jacket under $100", "k": 3}).json()
    assert [r["id"] for r in found["results"]] == ["J1"]
    assert {"id", "title", "price", "why"} <= set(found["results"][0])
    assert found["interpretation"]["price_max"] == 100.0
    profile = client.get("/v1/users/C0001/profile").json()
    assert profile["user_id"] == "C0001" and profile["segment"]
    assert client.get("/v1/users/C9999/profile").json()["segment"] == "new"  # nothing known yet: a cold start


def test_events_update_the_profile(client):
    before = client.get("/v1/users/C0003/profile").json()
    response = client.post("/v1/events", json={"type": "order", "user_id": "C0003", "product_id": "K1", "quantity": 2,
                                                "price": 59.0})  # timestamp omitted = now
    assert response.status_code == 202
    after = response.json()["profile"]
    assert after["orders"] == before["orders"] + 1
    assert client.get("/v1/users/C0003/profile").json()["orders"] == after["orders"]
    new = client.post("/v1/events", json={"type": "order", "user_id": "W-77", "product_id": "K1"})  # a new shopper's first order
    assert new.status_code == 202 and new.json()["profile"]["top_categories"] == ["kitchen"]


def test_contact_human_agent_opens_a_ticket_with_the_transcript(client):
    body = ask(client, "can someone from your team phone me?", user="C0004").json()["shopassist"]  # read as `handoff`
    assert body["handoff"] is True and body["ticket_id"] and body["handoff_reason"] == "customer asked for a person"
    tickets = client.get("/v1/tickets").json()["tickets"]
    assert tickets[0]["id"] == body["ticket_id"] and tickets[0]["user_id"] == "C0004"
    said, replied = [m["content"] for m in tickets[0]["transcript"]]
    assert said == "can someone from your team phone me?" and "customer service team" in replied


def test_two_failed_turns_hand_off(client):
    first = ask(client, "do you sell submarines?").json()["shopassist"]
    assert first["handoff"] is False and first["products"] == []
    second = ask(client, "do you sell canoes?", shopassist={"session_id": first["session_id"]}).json()["shopassist"]
    assert second["handoff"] is True and "2 failed turns" in second["handoff_reason"]
    assert len(client.get("/v1/tickets?status=open").json()["tickets"]) == 1


def test_internal_errors_never_show_a_stack_trace(settings):
    from ui.app import create_app

    class Broken:
        def stream(self, prompt):
            raise RuntimeError("secret internals at /srv/app.py line 3")

    deps = make_deps(settings, reader=ui_reader(), generator=Broken())
    with TestClient(create_app(settings, deps), raise_server_exceptions=False) as client:
        answered = ask(client, "rain jacket")  # the assistant falls back to its composed reply
        assert answered.status_code == 200 and "Trailform Storm Rain Jacket" in answered.text
        response = ask(client, "rain jacket", model="shopassist-raw")  # plain generation has no fallback
        assert response.status_code == 500
        assert "secret internals" not in response.text and "Traceback" not in response.text
        streamed = ask(client, "rain jacket", stream=True, model="shopassist-raw")
        assert "internal error" in streamed.text and "secret internals" not in streamed.text


def test_health_metrics_openapi_and_pages(client):
    assert client.get("/healthz").json()["status"] == "ok"
    ask(client, "rain jacket")
    metrics = client.get("/metrics").text
    assert 'shopassist_turns_total{channel="api",intent="product_search"} 1.0' in metrics
    assert "shopassist_first_token_seconds_bucket" in metrics
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/v1/chat/completions", "/v1/models", "/v1/intent", "/v1/search", "/v1/users/{user_id}/profile",
            "/v1/events", "/v1/tickets", "/healthz"} <= set(paths)
    assert client.get("/").status_code == 200
    assert "attachShadow" in client.get("/widget.js").text


def test_a_replica_is_ready_for_traffic_only_once_its_turn_is_warm(client, monkeypatch):
    import threading
    import time

    from ui.app import warm_up_in_background

    assert client.get("/readyz").json() == {"status": "ready"}  # nothing to warm: ready at once
    release = threading.Event()
    state = client.app.state.shopassist
    monkeypatch.setattr(state.chat, "warm_up", lambda: release.wait(10))  # a model that takes its time to warm
    warm_up_in_background(client.app)
    warming = client.get("/readyz")
    assert warming.status_code == 503 and warming.headers["Retry-After"] == "2"
    assert client.get("/healthz").status_code == 200  # alive all along
    release.set()
    deadline = time.monotonic() + 5
    while client.get("/readyz").status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert client.get("/readyz").status_code == 200


def test_export_then_forget_a_customer(client):
    ask(client, "rain jacket", user="C0006")
    exported = client.get("/v1/users/C0006/export").json()
    assert exported["customer_id"] == "C0006"
    said, replied = [m["content"] for m in exported["conversations"][0]["messages"]]
    assert said == "rain jacket" and "Trailform Storm Rain Jacket" in replied
    assert client.delete("/v1/users/C0006").json() == {"forgotten": "C0006", "messages_deleted": 2,
                                                         "analytics_events_deleted": 1}
    assert client.get("/v1/users/C0006/profile").json()["orders"] == 0  # nothing of theirs is left
    assert client.get("/v1/users/C0006/history").json()["sessions"] == []


def test_event_batches_keep_the_good_events_and_list_the_bad_ones(client):
    before = client.get("/v1/users/C0002/profile").json()["orders"]
    session = client.post("/v1/chat/completions", json={"model": "shopassist", "user": "C0002",
                                                         "messages": [{"role": "user", "content": "rain jacket"}]}).json()
    session_id = session["shopassist"]["session_id"]
    response = client.post("/v1/events/batch", json={"events": [
        {"type": "click", "session_id": session_id, "product_id": "J1"},
        {"type": "order", "user_id": "C0002", "product_id": "J1", "price": 89.0, "session_id": session_id},
        {"type": "click", "session_id": session_id, "product_id": "NOPE"},
        {"type": "teleport", "session_id": session_id},
        {"type": "order", "user_id": "C9999", "product_id": "J1", "quantity": 0},
        {"type": "rating", "session_id": session_id, "reply_id": session["shopassist"]["reply_id"], "value": 1},
    ]})
    assert response.status_code == 202
    body = response.json()
    assert body["accepted"] == 3 and [r["index"] for r in body["rejected"]] == [2, 3, 4]
    assert "unknown product_id" in body["rejected"][0]["reason"] and "quantity" in body["rejected"][2]["reason"]
    assert client.get("/v1/users/C0002/profile").json()["orders"] == before + 1
    assert client.post("/v1/events/batch", json={"events": []}).status_code == 422


class HeldGenerator:
    """A model busy with one draft until released: the turn stays in flight meanwhile."""

    def __init__(self) -> None:
        import threading

        self.started, self.release = threading.Event(), threading.Event()

    def stream(self, prompt):
        self.started.set()
        self.release.wait(10)
        yield "Happy to help!"


def test_a_full_server_answers_503_with_retry_after_and_loses_nothing(settings):
    """One turn in flight with room for one: the next is refused before anything is stored, then taken."""
    import threading

    from ui.app import create_app

    settings = settings.model_copy(update={"serve": settings.serve.model_copy(
        update={"max_turns_in_flight": 1, "first_token_budget_s": 10.0, "rate_limit_per_minute": 0})})
    held = HeldGenerator()
    with TestClient(create_app(settings, make_deps(settings, reader=ui_reader(), generator=held))) as client:
        first = threading.Thread(target=ask, args=(client, "waterproof rain jacket"))
        first.start()
        assert held.started.wait(10)
        refused = ask(client, "how do returns work?")
        assert refused.status_code == 503 and int(refused.headers["Retry-After"]) >= 1
        assert refused.json()["error"]["type"] == "Overloaded"
        held.release.set()
        first.join(10)
        taken = ask(client, "how do returns work?")
        assert taken.status_code == 200
        messages = client.get(f"/v1/sessions/{taken.json()['shopassist']['session_id']}/messages").json()["messages"]
        assert [m["role"] for m in messages] == ["user", "assistant"]
        assert "shopassist_overloaded_total 1.0" in client.get("/metrics").text


@pytest.mark.e2e
def test_a_database_outage_answers_503_with_retry_after_and_the_server_heals(settings, postgres_server, postgres_url):
    """Replicas on PostgreSQL: while it restarts a request gets a clear 503; once back, the same server answers."""
    from ui.app import create_app

    settings = settings.model_copy(update={"serve": settings.serve.model_copy(update={"db_url": postgres_url})})
    with TestClient(create_app(settings, make_deps(settings, reader=ui_reader()))) as client:
        first = ask(client, "waterproof rain jacket")
        assert first.status_code == 200
        postgres_server.stop()
        try:
            refused = ask(client, "how do returns work?")
            assert refused.status_code == 503 and int(refused.headers["Retry-After"]) >= 1
            assert refused.json()["error"]["type"] == "StoreUnavailable"
        finally:
            postgres_server.start()
        again = ask(client, "how do returns work?")
        assert again.status_code == 200
        session = first.json()["shopassist"]["session_id"]
        assert len(client.get(f"/v1/sessions/{session}/messages").json()["messages"]) == 2  # nothing lost
