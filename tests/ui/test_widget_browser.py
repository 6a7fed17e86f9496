"""The widget for real: a store page on another port embeds it with one <script> line; headless
Chromium (Debian's, installed by .ci/run) opens it, sends a message, watches the answer stream,
then clicks a product card, "Add to cart" and the thumbs, which land in the analytics table.
Screenshot: artifacts/widget.png.
"""

from __future__ import annotations

import functools
import http.server
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import make_deps
from tests.ui.conftest import ServerThread, free_port, ui_reader

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


# Says only the turn's facts, so the draft check lets it through; longer than the safety screen's
# 48-character hold-back, so it visibly streams.
REPLY = "I'd suggest the Trailform Storm Rain Jacket ($89.00): it is rated 4.5/5 and in stock, a good choice for you."


class Trickle:
    """Fake generation slow enough that the browser sees the reply grow."""

    def stream(self, prompt):
        for word in REPLY.split(" "):
            time.sleep(0.15)
            yield word + " "


@pytest.mark.e2e
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed (.ci/run installs it)")
def test_widget_streams_an_answer_and_reports_clicks_carts_and_ratings(settings, tmp_path):
    from playwright.sync_api import sync_playwright

    from ui.app import create_app

    store_port = free_port()
    store_origin = f"http://127.0.0.1:{store_port}"
    # A first-token budget the slow fake model fits in: this test is about the widget, not the budget.
    served = settings.model_copy(update={"serve": settings.serve.model_copy(
        update={"cors_origins": [store_origin], "first_token_budget_s": 30.0})})
    app = create_app(served, make_deps(served, reader=ui_reader(), generator=Trickle()))
    with ServerThread(app) as assistant:
        site = tmp_path / "store"
        site.mkdir()
        page_html = (Path(__file__).resolve().parents[2] / "ui" / "widget" / "demo.html").read_text()
        (site / "index.html").write_text(page_html.replace("{{SERVER}}", assistant.url))
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
        store = http.server.ThreadingHTTPServer(("127.0.0.1", store_port), handler)
        threading.Thread(target=store.serve_forever, daemon=True).start()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)  # Playwright gives each launch a fresh profile
                page = browser.new_page()
                page.goto(store_origin + "/")
                page.click("#shopassist-widget >> .button")
                page.fill("#shopassist-widget >> input", "waterproof rain jacket")
                page.evaluate("""() => { window.__lengths = [];
                    const log = document.querySelector('#shopassist-widget').shadowRoot.querySelector('.log');
                    new MutationObserver(() => { const r = log.querySelector('.assistant');
                        if (r) window.__lengths.push(r.textContent.length); })
                      .observe(log, {subtree: true, childList: true, characterData: true}); }""")
                page.press("#shopassist-widget >> input", "Enter")
                page.wait_for_selector("#shopassist-widget >> .assistant[data-done=true]", timeout=60_000)
                reply = page.inner_text("#shopassist-widget >> .assistant")
                lengths = page.evaluate("window.__lengths")
                cards = page.inner_text("#shopassist-widget >> .cards")
                page.click("#shopassist-widget >> .card[data-product-id=J1] span")
                page.click("#shopassist-widget >> .card[data-product-id=J1] .cart")
                page.wait_for_selector("#shopassist-widget >> .cart:disabled:has-text('Added')", timeout=10_000)
                store_cart = page.inner_text("#cart")  # the store's page heard the add-to-cart too
                page.click("#shopassist-widget >> .rate button[aria-label='Not helpful']")
                page.wait_for_selector("#shopassist-widget >> .rate button[aria-label='Not helpful'][aria-pressed=true]")
                page.click("#shopassist-widget >> .rate button[aria-label=Helpful]")
                page.wait_for_selector("#shopassist-widget >> .rate button[aria-label=Helpful][aria-pressed=true]")
                pressed = page.eval_on_selector_all("#shopassist-widget >> .rate button",
                                                    "bs => bs.map(b => b.getAttribute('aria-pressed'))")
                reply_id = int(page.get_attribute("#shopassist-widget >> .assistant", "data-reply-id"))
                ARTIFACTS.mkdir(exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / "widget.png"))
                browser.close()
        finally:
            store.shutdown()
    assert reply.strip() == REPLY
    # A draft is checked whole and then sent word by word at once, so the browser may paint it in few steps:
    # it must still have shown part of the reply before the whole.
    assert {n for n in lengths if 0 < n < len(reply)}, f"the reply did not stream: {lengths}"
    assert "Trailform Storm Rain Jacket" in cards
    assert (ARTIFACTS / "widget.png").stat().st_size > 1000
    assert store_cart == "Cart: 1 item" and pressed == ["true", "false"]  # the thumbs show the latest choice
    rows = event_rows(app)
    turn = rows[0]
    assert turn["type"] == "turn" and turn["reply_id"] == reply_id
    assert [(r["type"], r["product_id"], r["reply_id"], r["value"]) for r in rows[1:]] == [
        ("click", "J1", None, None), ("add_to_cart", "J1", None, None),
        ("rating", None, reply_id, -1.0), ("rating", None, reply_id, 1.0)]
    assert all(r["session_id"] == turn["session_id"] and r["channel"] == "widget" and r["customer"] is None
               for r in rows)  # a guest: no customer at all, pseudonymous or raw


def event_rows(app) -> list[dict]:
    from sqlalchemy import select

    log = app.state.shopassist.analytics
    with log.engine.connect() as conn:
        return [r._asdict() for r in conn.execute(select(log.events_t).order_by(log.events_t.c.id))]
