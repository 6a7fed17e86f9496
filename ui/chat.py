"""The browser chat (Gradio), mounted at `/` by `ui.app.create_app`.

Streams the reply, keeps each customer's history in the conversation store, shows the products
found as cards beside the reply and, in staff mode, the detected intent, segment and churn tier.

From Python (gradio_client), `api_name="/ask"` answers one message, streaming the reply text:

    from gradio_client import Client
    Client("http://127.0.0.1:7860/").predict("waterproof jacket under $100", "C0001", "", api_name="/ask")
"""

from __future__ import annotations

import html
from collections.abc import Iterator

from assistant.errors import ShopAssistError
from assistant.types import IntentDetected, Products, Token
from ui.service import Accepted, ChatService, Finished


def cards_html(hits) -> str:
    if not hits:
        return "<div class='sa-empty'>Products the assistant finds appear here.</div>"
    cards = []
    for hit in hits:
        p = hit.product
        price = f"${p.price:,.2f}" if p.price is not None else "price on request"
        rating = f"★ {p.rating}" if p.rating is not None else ""
        why = "".join(f"<li>{html.escape(r)}</li>" for r in hit.reasons[:3])
        cards.append(f"<div class='sa-card'><b>{html.escape(p.title)}</b><div>{price} {rating}</div>"
                     f"<ul class='sa-why'>{why}</ul></div>")
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


def respond(chat: ChatService, message: str, history: list, user_id: str, session_id: str | None, staff: bool) -> Iterator:
    """Gradio event: yields (chatbot, cards, staff info, session id, cleared textbox)."""
    history = list(history or []) + [{"role": "user", "content": message}, {"role": "assistant", "content": ""}]
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
            elif isinstance(event, IntentDetected):
                continue
            yield history, cards, staff_markdown(done, staff), session_id, ""
    except ShopAssistError as exc:
        history[-1]["content"] = f"⚠️ {exc.message}" + (f" ({exc.hint})" if exc.hint else "")
    yield history, cards, staff_markdown(done, staff), session_id, ""


def load_customer(chat: ChatService, user_id: str) -> tuple[list, str | None]:
    """The customer's latest conversation, so a returning shopper sees where they left off."""
    if not user_id:
        return [], None
    session = chat.store.latest_session(user_id)
    if session is None:
        return [], None
    return [{"role": m.role, "content": m.content} for m in chat.store.messages(session)
            if m.role in ("user", "assistant")], session


def ask(chat: ChatService, message: str, user_id: str, session_id: str) -> Iterator[str]:
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
.sa-card{border:1px solid #ddd;border-radius:8px;padding:8px}
.sa-why{margin:4px 0 0 16px;font-size:12px;color:#555}
"""


def build_chat_page(chat: ChatService):
    import gradio as gr

    customers = sorted(chat.deps.profiles.customers)
    with gr.Blocks(title="ShopAssist") as page:
        gr.HTML(f"<style>{CSS}</style>")
        gr.Markdown("# ShopAssist\nAsk about products, orders, shipping, returns or your account.")
        session = gr.State(None)
        with gr.Row():
            user = gr.Dropdown(choices=[("Guest", "")] + [(c, c) for c in customers], value="", label="Customer (demo)")
            staff = gr.Checkbox(label="Staff mode (intent, churn tier, handoff)", value=False)
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(label="Chat", height=460)
                box = gr.Textbox(placeholder="e.g. waterproof jacket under $100", label="Message", submit_btn=True)
            with gr.Column(scale=2):
                cards = gr.HTML(cards_html(()), label="Products")
                info = gr.Markdown()
        box.submit(lambda m, h, u, s, st: respond(chat, m, h, u, s, st), [box, chatbot, user, session, staff],
                   [chatbot, cards, info, session, box], api_name="chat")
        user.change(lambda u: load_customer(chat, u), [user], [chatbot, session], api_name="load_customer")

        def ask_api(message: str, user_id: str = "", session_id: str = "") -> Iterator[str]:
            yield from ask(chat, message, user_id, session_id)

        gr.api(ask_api, api_name="ask",
               api_description="Answer one message as the given customer ('' = guest); streams the reply text.")
    return page
