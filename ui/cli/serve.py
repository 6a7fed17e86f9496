"""`shopassist chat` and `shopassist serve`: the assistant in a terminal, or over HTTP."""

from __future__ import annotations

import sys

import click

from assistant.types import Token
from data.errors import ShopAssistError
from ui.cli.common import friendly_errors, make_settings, status


@click.command()
@click.option("--user", "user_id", envvar="SHOPASSIST_USER", help="Customer id (e.g. C0001); omit to chat as a guest.")
@click.option("--message", "-m", help="Answer this one message on stdout and exit.")
@friendly_errors
def chat(user_id: str | None, message: str | None) -> None:
    """Chat in the terminal (the same turn as the API, the widget and the browser). Example: shopassist chat --user C0001"""
    from assistant.deps import build_deps
    from assistant.turn import build_service

    settings = make_settings()
    service = build_service(settings, build_deps(settings, progress=status))
    if message is not None:
        _print_turn(service, message, user_id, None)
        return
    status(f"chatting as {user_id or 'a guest'}; an empty line or Ctrl-D ends the chat")
    session = None
    while True:
        try:
            text = input("you> ")
        except (EOFError, KeyboardInterrupt):
            break
        if not text.strip():
            break
        try:
            session = _print_turn(service, text, user_id, session, prefix="shop> ")
        except ShopAssistError as exc:  # one bad message must not end the conversation
            click.echo(f"error: {exc.message}" + (f" (hint: {exc.hint})" if exc.hint else ""), err=True)


def _print_turn(service, text: str, user_id: str | None, session: str | None, prefix: str = "") -> str | None:
    """Stream one turn to the terminal; returns the session id, so the next message continues it."""
    from assistant.turn import Finished

    click.echo(prefix, nl=False)
    for event in service.turn(text, user_id=user_id, session_id=session, channel="terminal"):
        if isinstance(event, Token):
            click.echo(event.text, nl=False)
            sys.stdout.flush()
        elif isinstance(event, Finished):
            click.echo()
            for hit in event.hits:
                price = f"${hit.product.price:,.2f}" if hit.product.price is not None else "price on request"
                click.echo(f"  · {hit.product.title} ({price}) [{hit.product.id}]")
            notes = [f"intent {event.intent.label} ({event.intent.confidence:.2f})"]
            if event.action:
                notes.append(f"{event.action.kind} {event.action.order_id}: {event.action.outcome}")
            if event.handoff:
                notes.append(f"handed to a person (ticket #{event.ticket_id}: {event.handoff_reason})")
            status("; ".join(notes))
            return event.session_id
    return session


@click.command()
@click.option("--host", envvar="SHOPASSIST_SERVE__HOST", help="Address to bind (default 127.0.0.1).")
@click.option("--port", type=int, envvar="SHOPASSIST_SERVE__PORT", help="Port (default 7860).")
@friendly_errors
def serve(host: str | None, port: int | None) -> None:
    """Serve the browser chat at / and the API under /v1."""
    settings = make_settings(**{"serve.host": host, "serve.port": port})  # a refused value stops here

    import uvicorn

    from assistant.deps import build_deps
    from ui.app import create_app, warm_up_in_background

    app = create_app(settings, build_deps(settings, progress=status))  # first start: progress of model + index
    warm_up_in_background(app)
    status(f"open http://{settings.serve.host}:{settings.serve.port}/ in a browser")
    uvicorn.run(app, host=settings.serve.host, port=settings.serve.port, log_level="warning")
