"""The `shopassist` command line.

    shopassist setup                         # convert the model, build the demo index
    shopassist chat --user C0001             # terminal chat as a demo customer
    shopassist chat --message "hi there"     # one answer on stdout, as a guest
    shopassist serve --port 7860             # browser chat, widget and /v1 API
    shopassist ingest catalog.csv            # (re)index a product catalog
"""

from __future__ import annotations

import functools
import logging
import sys
from pathlib import Path

import click

from assistant.errors import ShopAssistError
from assistant.settings import Settings
from assistant.types import Done, Message, Token, Turn


def friendly_errors(command):
    """Turn our errors into one clear line plus a hint, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except ShopAssistError as exc:
            raise click.ClickException(exc.message + (f"\nhint: {exc.hint}" if exc.hint else "")) from exc

    return wrapper


def make_settings(**overrides) -> Settings:
    """Environment settings plus CLI flags (only the flags actually given)."""
    settings = Settings()
    for dotted, value in overrides.items():
        if value is None:
            continue
        group, _, field = dotted.partition(".")
        if field:
            settings = settings.model_copy(update={group: getattr(settings, group).model_copy(update={field: value})})
        else:
            settings = settings.model_copy(update={group: value})
        logging.getLogger(__name__).info("setting %s=%r from the command line", dotted, value)
    return settings


def status(message: str) -> None:
    click.echo(f"· {message}", err=True)


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log what each stage does.")
@click.version_option(package_name="shopassist")
def cli(verbose: bool) -> None:
    """ShopAssist: a conversational shopping assistant for online stores."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


@cli.command()
@friendly_errors
def setup() -> None:
    """Prepare everything offline: convert the chat model once and build the demo index."""
    from assistant.pipeline import build_deps

    settings = make_settings()
    deps = build_deps(settings, progress=status)
    click.echo(f"ready: model cache {settings.model_cache}, index {settings.index_dir} "
               f"({deps.retriever.store.count()} products)")


@cli.command()
@click.option("--user", "user_id", envvar="SHOPASSIST_USER", help="Customer id (e.g. C0001); omit to chat as a guest.")
@click.option("--message", "-m", help="Answer this one message on stdout and exit.")
@friendly_errors
def chat(user_id: str | None, message: str | None) -> None:
    """Chat in the terminal. Example: shopassist chat --user C0001"""
    from assistant.pipeline import build_deps, run_turn

    settings = make_settings()
    deps = build_deps(settings, progress=status)
    deps.profiles.view(user_id)  # unknown ids fail before the first prompt
    if message is not None:
        _print_turn(Turn(message, user_id=user_id), deps, run_turn)
        return
    status(f"chatting as {user_id or 'a guest'}; an empty line or Ctrl-D ends the chat")
    history: list[Message] = []
    while True:
        try:
            text = input("you> ")
        except (EOFError, KeyboardInterrupt):
            break
        if not text.strip():
            break
        try:
            reply = _print_turn(Turn(text, user_id=user_id, history=tuple(history)), deps, run_turn, prefix="shop> ")
        except ShopAssistError as exc:  # one bad message must not end the conversation
            click.echo(f"error: {exc.message}" + (f" (hint: {exc.hint})" if exc.hint else ""), err=True)
            continue
        history += [Message("user", text), Message("assistant", reply.text)]


def _print_turn(turn: Turn, deps, run_turn, prefix: str = ""):
    click.echo(prefix, nl=False)
    reply = None
    for event in run_turn(turn, deps):
        if isinstance(event, Token):
            click.echo(event.text, nl=False)
            sys.stdout.flush()
        elif isinstance(event, Done):
            reply = event.reply
    click.echo()
    status(f"intent {reply.intent.label} ({reply.intent.confidence:.2f})"
           + (f"; products: {', '.join(h.product.id for h in reply.hits)}" if reply.hits else ""))
    return reply


@cli.command()
@click.option("--host", envvar="SHOPASSIST_SERVE__HOST", help="Address to bind (default 127.0.0.1).")
@click.option("--port", type=int, envvar="SHOPASSIST_SERVE__PORT", help="Port (default 7860).")
@friendly_errors
def serve(host: str | None, port: int | None) -> None:
    """Serve the browser chat at / and the API under /v1."""
    import uvicorn

    from ui.app import create_app

    settings = make_settings(**{"serve.host": host, "serve.port": port})
    app = create_app(settings)
    status(f"open http://{settings.serve.host}:{settings.serve.port}/ in a browser")
    uvicorn.run(app, host=settings.serve.host, port=settings.serve.port, log_level="warning")


@cli.command()
@click.argument("catalog", type=click.Path(path_type=Path))
@friendly_errors
def ingest(catalog: Path) -> None:
    """Index a product catalog (CSV, JSON Lines or Parquet) into the Chroma store."""
    from retrieval.search import build_retriever

    settings = make_settings(**{"retrieval.catalog": catalog})
    retriever = build_retriever(settings, progress=True)
    click.echo(f"indexed {len(retriever.catalog)} products into {settings.index_dir}")


@cli.group()
def finetune() -> None:
    """Build training data and train the LoRA adapter."""


@cli.group()
def evaluate() -> None:
    """Evaluate retrieval, intents and churn on real data; last line is JSON."""


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
