"""The HTTP server: FastAPI with the Gradio chat mounted at `/`.

    shopassist serve            # or: uvicorn --factory ui.app:create_app
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import FastAPI

from assistant.errors import ShopAssistError
from assistant.pipeline import Deps, build_deps, run_turn
from assistant.settings import Settings, get_settings
from assistant.types import Done, Message, Token, Turn


def chat_stream(deps: Deps, message: str, history: list[dict], user_id: str | None) -> Iterator[str]:
    """Gradio callback: yields the growing reply text."""
    past = tuple(Message(m["role"], str(m["content"])) for m in history if m.get("role") in ("user", "assistant"))
    text = ""
    try:
        for event in run_turn(Turn(message, user_id=user_id or None, history=past), deps):
            if isinstance(event, Token):
                text += event.text
                yield text
            elif isinstance(event, Done) and not text:
                yield event.reply.text
    except ShopAssistError as exc:
        yield f"⚠️ {exc.message}" + (f" ({exc.hint})" if exc.hint else "")


def build_chat_page(deps: Deps):
    import gradio as gr

    customers = sorted(deps.profiles.customers)
    with gr.Blocks(title="ShopAssist") as page:
        gr.Markdown("# ShopAssist\nAsk about products, orders, shipping, returns or your account.")
        user = gr.Dropdown(choices=[("Guest", "")] + [(c, c) for c in customers], value="", label="Customer (demo)")
        gr.ChatInterface(
            fn=lambda message, history, user_id: chat_stream(deps, message, history, user_id),
            additional_inputs=[user],
            api_name="chat",
        )
    return page


def create_app(settings: Settings | None = None, deps: Deps | None = None) -> FastAPI:
    import gradio as gr

    settings = settings or get_settings()
    deps = deps or build_deps(settings)
    app = FastAPI(title="ShopAssist", version="0.1.0")

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return gr.mount_gradio_app(app, build_chat_page(deps), path="/")
