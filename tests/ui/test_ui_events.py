"""Analytics events from the front ends: `POST /widget/event` (the widget's guest sessions), the
`/v1` reply's `reply_id` rated through `POST /v1/events`, and the Gradio page's cards and thumbs
in headless Chromium (screenshot: artifacts/chat_page_events.png). Rows are read back from the
event log's SQLite table.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import make_deps
from tests.ui.conftest import ServerThread, ui_reader

STORE = "http://store.example:8000"
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


def event_rows(app) -> list[dict]:
    from sqlalchemy import select

    log = app.state.shopassist.analytics
    with log.engine.connect() as conn:
        return [r._asdict() for r in conn.execute(select(log.events_t).order_by(log.events_t.c.id))]


def widget_chat(client, text: str, session_id: str | None = None) -> dict:
    """One widget turn; the stream's lines, by type (the last of each)."""
    body = {"message": text} | ({"session_id": session_id} if session_id else {})
    response = client.post("/widget/chat", json=body, headers={"Origin": STORE})
    assert response.status_code == 200, response.text
    return {e["type"]: e for e in (json.loads(line[6:]) for line in response.text.splitlines() if line.startswith("data: "))}


@pytest.fixture
def store_client(settings):
    """The app as a store embedding the widget sees it: its origin allowed, a small rate limit."""
    from ui.app import create_app

    served = settings.model_copy(update={"serve": settings.serve.model_copy(update={
        "cors_origins": [STORE], "rate_limit_per_minute": 20})})
    with TestClient(create_app(served, make_deps(served, reader=ui_reader()))) as client:
        yield client


def test_widget_events_are_recorded_for_the_guest_session_and_bad_ones_refused(store_client):
    client = store_client
    lines = widget_chat(client, "waterproof rain jacket")
    session, reply_id = lines["session"]["session_id"], lines["done"]["reply_id"]
    assert isinstance(reply_id, int) and lines["products"]["products"][0]["id"] == "J1"
    post = lambda event: client.post("/widget/event", json=event, headers={"Origin": STORE})  # noqa: E731
    for event in ({"type": "click", "product_id": "J1"}, {"type": "add_to_cart", "product_id": "J1"},
                  {"type": "rating", "reply_id": reply_id, "value": 1}):
        response = post({"session_id": session, **event})
        assert response.status_code == 202, response.text
        assert response.json()["accepted"] is True
    signed_in = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "hi"}],
                                                          "user": "C0001"}).json()["shopassist"]
    before = event_rows(client.app)

    cases = [  # (event, status, words in the reason)
        ({"session_id": session, "type": "order", "product_id": "J1"}, 422, "type"),
        ({"session_id": session, "type": "purchase", "product_id": "J1"}, 422, "type"),
        ({"session_id": "no-such-session", "type": "click", "product_id": "J1"}, 404, "unknown session"),
        ({"session_id": signed_in["session_id"], "type": "click", "product_id": "J1"}, 403, "signed-in customer"),
        ({"session_id": signed_in["session_id"], "type": "rating", "reply_id": signed_in["reply_id"], "value": 1},
         403, "signed-in customer"),
        ({"session_id": session, "type": "rating", "value": 1}, 422, "reply_id"),
        ({"session_id": session, "type": "rating", "reply_id": reply_id, "value": 5}, 422, "value"),
        ({"session_id": session, "type": "rating", "reply_id": signed_in["reply_id"], "value": 1}, 422,
         "not a reply in this session"),
        ({"session_id": session, "type": "rating", "reply_id": reply_id - 1, "value": 1}, 422, "not a reply"),
        ({"session_id": session, "type": "click", "product_id": "NOPE"}, 422, "unknown product_id"),
        ({"session_id": session, "type": "add_to_cart"}, 422, "needs a product_id"),
        ({"type": "click", "product_id": "J1"}, 422, "session_id"),
    ]
    for event, status, words in cases:
        response = post(event)
        assert response.status_code == status, (event, response.text)
        error = response.json()["error"]
        assert words in error["message"] and error["code"] == status, (event, error)

    rows = event_rows(client.app)
    assert rows == before  # nothing refused was stored, nothing stored was lost
    mine = [r for r in rows if r["session_id"] == session]
    assert [(r["type"], r["product_id"], r["reply_id"], r["value"]) for r in mine] == [
        ("turn", None, reply_id, None), ("click", "J1", None, None), ("add_to_cart", "J1", None, None),
        ("rating", None, reply_id, 1.0)]
    assert all(r["channel"] == "widget" and r["customer"] is None for r in mine)


def test_widget_event_has_the_widgets_origin_check_and_rate_limit(store_client):
    client = store_client
    session = widget_chat(client, "coffee maker")["session"]["session_id"]
    event = {"session_id": session, "type": "click", "product_id": "K1"}
    refused = client.post("/widget/event", json=event, headers={"Origin": "http://evil.example"})
    assert refused.status_code == 401 and "may not embed" in refused.json()["error"]["message"]
    statuses = [client.post("/widget/event", json=event, headers={"Origin": STORE}).status_code for _ in range(20)]
    assert statuses == [202] * 19 + [429]  # one budget with /widget/chat (1 chat + 19 events = 20 per minute)
    assert sum(r["type"] == "click" for r in event_rows(client.app)) == 19


def test_api_reply_id_can_be_rated_through_v1_events(client):
    reply = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "running shoes"}],
                                                      "user": "C0002"}).json()["shopassist"]
    assert isinstance(reply["reply_id"], int)
    messages = client.get(f"/v1/sessions/{reply['session_id']}/messages").json()["messages"]
    assert (messages[-1]["id"], messages[-1]["role"]) == (reply["reply_id"], "assistant")
    streamed = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "coffee"}],
                                                         "stream": True}).text
    last = json.loads([line for line in streamed.splitlines() if line.startswith("data: {")][-1][6:])
    assert isinstance(last["shopassist"]["reply_id"], int)

    rated = client.post("/v1/events", json={"type": "rating", "user_id": "C0002", "session_id": reply["session_id"],
                                            "reply_id": reply["reply_id"], "value": -1})
    assert rated.status_code == 202, rated.text
    rating = [r for r in event_rows(client.app) if r["type"] == "rating"]
    assert [(r["reply_id"], r["value"], r["session_id"]) for r in rating] == [(reply["reply_id"], -1.0, reply["session_id"])]
    assert rating[0]["customer"] == client.app.state.shopassist.analytics.pseudonym("C0002") != "C0002"


@pytest.mark.e2e
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed (.ci/run installs it)")
def test_gradio_page_records_card_click_add_to_cart_and_thumbs(settings):
    from playwright.sync_api import sync_playwright

    from ui.app import create_app

    app = create_app(settings, make_deps(settings, reader=ui_reader()))
    with ServerThread(app) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        page.goto(server.url + "/")
        page.get_by_label("Message").fill("waterproof rain jacket")
        page.get_by_label("Message").press("Enter")
        page.wait_for_selector("#sa-products .sa-card[data-product-id=J1]", timeout=60_000)
        page.wait_for_function("() => document.body.innerText.includes(\"I'd suggest the Trailform Storm Rain Jacket\")", timeout=60_000)  # the composed reply (the fake model's draft fails the check)
        page.click("#sa-products .sa-card[data-product-id=J1] b")
        page.click("#sa-products .sa-card[data-product-id=J1] .sa-cart")
        page.wait_for_selector("#sa-products .sa-cart:disabled", timeout=10_000)
        page.get_by_role("button", name="Like").last.click()

        def recorded() -> list[dict]:
            return [r for r in event_rows(app) if r["type"] != "turn"]

        for _ in range(100):  # the three events reach the server
            if len(recorded()) >= 3:
                break
            page.wait_for_timeout(100)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "chat_page_events.png"))
        browser.close()
    rows = event_rows(app)
    turn = next(r for r in rows if r["type"] == "turn")
    events = [r for r in rows if r["type"] != "turn"]
    assert sorted((r["type"], r["product_id"], r["reply_id"], r["value"]) for r in events) == [
        ("add_to_cart", "J1", None, None), ("click", "J1", None, None), ("rating", None, turn["reply_id"], 1.0)]
    assert all(r["channel"] == "gradio" and r["session_id"] == turn["session_id"] and r["customer"] is None
               for r in events)
