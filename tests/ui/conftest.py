"""Fixtures for the serving tests: the real retriever over the tiny catalog, fake generation."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from assistant.pipeline import Deps
from assistant.settings import DEMO_DIR, Settings
from tests.conftest import FakeGenerator, FixedIntent


_RETRIEVERS: dict[str, object] = {}  # catalog text -> retriever: the index is built once per test run


def shared_retriever(settings: Settings):
    """The real retriever over this catalog, built once (embedding and Chroma cost seconds per build)."""
    import tempfile

    from retrieval.search import build_retriever

    key = settings.retrieval.catalog.read_text()
    if key not in _RETRIEVERS:
        home = Path(tempfile.mkdtemp(prefix="shopassist-ui-index-"))
        _RETRIEVERS[key] = build_retriever(settings.model_copy(update={"home": home}))
    return _RETRIEVERS[key]


def make_deps(settings: Settings, *, intent: str = "product_search", generator=None) -> Deps:
    from assistant.profile import load_profile_book
    from data.load import load_policies

    retriever = shared_retriever(settings)
    return Deps(settings=settings, intents=FixedIntent(intent), retriever=retriever,
                profiles=load_profile_book(DEMO_DIR, retriever.catalog), generator=generator or FakeGenerator(),
                policies=load_policies(DEMO_DIR / "policies"))


@pytest.fixture
def deps(settings) -> Deps:
    return make_deps(settings)


@pytest.fixture
def client(settings, deps):
    from fastapi.testclient import TestClient

    from ui.app import create_app

    with TestClient(create_app(settings, deps)) as test_client:
        yield test_client


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerThread:
    """A real uvicorn server on 127.0.0.1 in a thread (for the openai client, Chromium, a second instance)."""

    def __init__(self, app, port: int | None = None) -> None:
        import uvicorn

        self.port = port or free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
