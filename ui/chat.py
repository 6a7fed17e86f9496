"""The browser chat (Gradio), mounted at `/` by `ui.app.create_app`.

Streams the reply, keeps each customer's history in the conversation store, shows the products
found as cards beside the reply and, in staff mode, the detected intent, segment and churn tier.
Clicks on a card, its "Add to cart" button and thumbs up/down on a reply are recorded as
analytics events (channel "gradio") for the selected customer and session.

From Python (gradio_client), `api_name="/ask"` answers one message, streaming the reply text:

    from gradio_client import Client
    Client("http://127.0.0.1:7860/").predict("waterproof jacket under $100", "C0001", "", api_name="/ask")
"""

from __future__ import annotations

import html
from collections.abc import Iterator

from assistant.turn import Accepted, Finished, TurnService
from assistant.types import IntentDetected, Products, Token
from data.errors import ShopAssistError


def cards_html(hits) -> str:
    if not hits:
        return "<div class='sa-empty'>Products the assistant finds appear here.</div>"
    cards = []
    for hit in hits:
        p = hit.product
        price = f"${p.price:,.2f}" if p.price is not None else "price on request"
        rating = f"★ {p.rating}" if p.rating is not None else ""
        why = "".join(f"<li>{html.escape(r)}</li>" for r in hit.reasons[:3])
        cards.append(f"<div class='sa-card' role='button' tabindex='0' data-product-id='{html.escape(p.id, quote=True)}'>"
                     f"<b>{html.escape(p.title)}</b><div>{price} {rating}</div><ul class='sa-why'>{why}</ul>"
                     "<button type='button' class='sa-cart'>Add to cart</button></div>")
    return "<div class='sa-cards'>" + "".join(cards) + "</div>"


def staff_markdown(done: Finished | None, staff: bool) -> str:
    if not staff or done is None:
        return ""
    view = done.view
    lines = [f"**Intent** `{done.intent.label}` ({done.intent.confidence:.2f})"]
    if view is not None:
        lines.append(f"**Segment** {view.segment} · **churn tier** {view.churn_tier or 'n/a'}"
                     + (f" ({view.churn_risk:.2f})" if view.churn_risk is not None else ""))
    if done.handoff:
        lines.append(f"**Handoff** ticket #{done.ticket_id}: {done.handoff_reason}")
    if done.blocked:
        lines.append(f"**Reply blocked** by the safety screen: {done.blocked}")
    return "  \n".join(lines)


# One listener on the cards' container (event delegation): the cards are replaced on every reply.
CARDS_JS = """
element.addEventListener('click', (event) => {
  const card = event.target.closest('.sa-card');
  if (!card || !element.contains(card)) return;
  const cart = event.target.closest('.sa-cart');
  if (cart) { cart.disabled = true; cart.textContent = 'Added \u2713'; }
  trigger('click', {product_id: card.dataset.productId, action: cart ? 'add_to_cart' : 'click'});
});
"""


def respond(chat: TurnService, message: str, history: list, user_id: str, session_id: str | None, staff: bool,
            reply_ids: dict | None = None) -> Iterator:
    """Gradio event: yields (chatbot, cards, staff info, session id, cleared textbox, reply ids).

    ``reply_ids`` maps the index of each assistant message in the chat to its stored id, which
    a thumbs up/down rates.
    """
    history = list(history or []) + [{"role": "user", "content": message}, {"role": "assistant", "content": ""}]
    reply_ids = dict(reply_ids or {})
    cards, done = cards_html(()), None
    try:
        for event in chat.turn(message, user_id=user_id or None, session_id=session_id, channel="gradio"):
            if isinstance(event, Accepted):
                session_id = event.session_id
            elif isinstance(event, Products):
                cards = cards_html(event.hits)
            elif isinstance(event, Token):
                history[-1]["content"] += event.text
            elif isinstance(event, Finished):
                done = event
                history[-1]["content"] = event.text
                if event.reply_id is not None:
                    reply_ids[len(history) - 1] = event.reply_id
            elif isinstance(event, IntentDetected):
                continue
            yield history, cards, staff_markdown(done, staff), session_id, "", reply_ids
    except ShopAssistError as exc:
        history[-1]["content"] = f"⚠️ {exc.message}" + (f" ({exc.hint})" if exc.hint else "")
    yield history, cards, staff_markdown(done, staff), session_id, "", reply_ids


def load_customer(chat: TurnService, user_id: str) -> tuple[list, str | None, dict]:
    """The customer's latest conversation, so a returning shopper sees where they left off (and can rate it)."""
    if not user_id:
        return [], None, {}
    session = chat.store.latest_session(user_id)
    if session is None:
        return [], None, {}
    stored = [m for m in chat.store.messages(session) if m.role in ("user", "assistant")]
    return ([{"role": m.role, "content": m.content} for m in stored], session,
            {i: m.id for i, m in enumerate(stored) if m.role == "assistant"})


def record(chat: TurnService, kind: str, *, user_id: str | None, session_id: str | None, **fields) -> str | None:
    """Record one thing the shopper did on the page; the reason when the event log refuses it."""
    if chat.analytics is None:
        return None
    event = {"type": kind, "user_id": user_id or None, "session_id": session_id or None, "channel": "gradio", **fields}
    _, rejected = chat.analytics.record_many([{k: v for k, v in event.items() if v is not None}])
    return rejected[0].reason if rejected else None


def card_event(chat: TurnService, user_id: str | None, session_id: str | None, data: dict) -> str | None:
    """A product card was clicked (``action`` "click") or its "Add to cart" button ("add_to_cart")."""
    action = data.get("action")
    if action not in ("click", "add_to_cart"):
        return f"unknown card action {action!r}"
    return record(chat, action, user_id=user_id, session_id=session_id, product_id=data.get("product_id"))


def rate_reply(chat: TurnService, user_id: str | None, session_id: str | None, reply_ids: dict | None, index,
               liked) -> str | None:
    """Thumbs up (liked True) or down (False) on the assistant message at ``index`` of the chat."""
    if not isinstance(liked, bool):  # "" when a thumb is taken back: nothing to record
        return None
    if isinstance(index, list | tuple):  # (row, column) in tuple-style chats
        index = index[0]
    reply_id = (reply_ids or {}).get(index)
    if reply_id is None:
        return "this reply was not stored, so it cannot be rated"
    return record(chat, "rating", user_id=user_id, session_id=session_id, reply_id=reply_id, value=1 if liked else -1)


def ask(chat: TurnService, message: str, user_id: str, session_id: str) -> Iterator[str]:
    """API endpoint for gradio_client: the growing reply text."""
    text = ""
    for event in chat.turn(message, user_id=user_id or None, session_id=session_id or None, channel="gradio"):
        if isinstance(event, Token):
            text += event.text
            yield text
        elif isinstance(event, Finished) and event.text != text:
            yield event.text


CSS = """
.sa-cards{display:flex;flex-direction:column;gap:8px}
.sa-card{border:1px solid #ddd;border-radius:8px;padding:8px;cursor:pointer}
.sa-card:hover{border-color:#2563eb}
#sa-products .sa-cart{margin-top:6px;border:1px solid #2563eb;color:#2563eb;background:#fff;border-radius:6px;
  padding:2px 10px;font-size:13px;font-weight:600;cursor:pointer}
#sa-products .sa-cart:disabled{border-color:#16a34a;color:#16a34a;cursor:default}
.sa-why{margin:4px 0 0 16px;font-size:12px;color:#555}
"""


def build_chat_page(chat: TurnService):
    import gradio as gr

    customers = sorted(chat.deps.profiles.customers)
    with gr.Blocks(title="ShopAssist") as page:
        gr.HTML(f"<style>{CSS}</style>")
        gr.Markdown("# ShopAssist\nAsk about products, orders, shipping, returns or your account.")
        session = gr.State(None)
        reply_ids = gr.State({})  # assistant message index -> stored reply id, for thumbs up/down
        with gr.Row():
            user = gr.Dropdown(choices=[("Guest", "")] + [(c, c) for c in customers], value="", label="Customer (demo)")
            staff = gr.Checkbox(label="Staff mode (intent, churn tier, handoff)", value=False)
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(label="Chat", height=460)
                box = gr.Textbox(placeholder="e.g. waterproof jacket under $100", label="Message", submit_btn=True)
            with gr.Column(scale=2):
                cards = gr.HTML(cards_html(()), label="Products", js_on_load=CARDS_JS, elem_id="sa-products")
                info = gr.Markdown()

        def send(message: str, history: list, user_id: str, session_id: str | None, staff_mode: bool, ids: dict) -> Iterator:
            yield from respond(chat, message, history, user_id, session_id, staff_mode, ids)  # a generator: gradio streams it

        box.submit(send, [box, chatbot, user, session, staff, reply_ids], [chatbot, cards, info, session, box, reply_ids],
                   api_name="chat")
        user.change(lambda u: load_customer(chat, u), [user], [chatbot, session, reply_ids], api_name="load_customer")

        def on_card(user_id: str, session_id: str | None, evt) -> None:
            problem = card_event(chat, user_id, session_id, {"action": getattr(evt, "action", None),
                                                             "product_id": getattr(evt, "product_id", None)})
            if problem:
                gr.Warning(problem)

        def on_like(user_id: str, session_id: str | None, ids: dict, evt) -> None:
            problem = rate_reply(chat, user_id, session_id, ids, evt.index, evt.liked)
            if problem:
                gr.Warning(problem)

        # real classes, not strings: gradio reads these hints to pass the event, and this module's are postponed
        on_card.__annotations__["evt"] = gr.EventData
        on_like.__annotations__["evt"] = gr.LikeData
        cards.click(on_card, [user, session], None, api_name="card_event", api_visibility="private", queue=False)
        chatbot.like(on_like, [user, session, reply_ids], None, api_name="rate_reply", api_visibility="private", queue=False)

        def ask_api(message: str, user_id: str = "", session_id: str = "") -> Iterator[str]:
            yield from ask(chat, message, user_id, session_id)

        gr.api(ask_api, api_name="ask",
               api_description="Answer one message as the given customer ('' = guest); streams the reply text.")
    return page
