"""Fixtures for the serving tests: the app over TestClient, and a real uvicorn server in a thread."""

from __future__ import annotations

import socket
import threading
import time

import pytest

# What the messages the serving tests send mean, as the real model reads them (anything else: out of scope).
UI_READS = {
    "waterproof rain jacket": 'search type="rain jacket" cat=jackets attr=waterproof',
    "rain jacket": 'search type="rain jacket" cat=jackets',
    "a waterproof rain jacket for hiking": 'search type="rain jacket" cat=jackets words=hiking attr=waterproof',
    "and something warmer?": "refine words=warm",
    "coffee maker": 'search type="coffee maker" cat=kitchen',
    "noise cancelling headphones": "search cat=headphones attr=\"noise cancelling\"",
    "running shoes": 'search type="running shoes" cat=shoes',
    "coffee": "search type=coffee cat=kitchen",
    "headphones": "search cat=headphones",
    "which one is cheapest?": "ask about=cheapest",
    "do you sell submarines?": "search words=submarines",
    "do you sell canoes?": "search words=canoes",
    "how do returns work?": "policy topic=returns",
    "where is my parcel": "order_status",
    "a rain jacket": 'search type="rain jacket" cat=jackets', "cheaper?": "refine dir=cheaper",
    "hi": "greet", "hello": "greet",
    "can someone from your team phone me?": "handoff",
}


def ui_reader(**more: str):
    from tests.conftest import ScriptedReader

    return ScriptedReader({**UI_READS, **more})


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
