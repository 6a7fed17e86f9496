"""Real HTTP: the official `openai` client, gradio_client, and one ShopAssist generating through another."""

from __future__ import annotations

import pytest

from tests.conftest import FakeGenerator, make_deps
from tests.ui.conftest import ServerThread, ui_reader

pytestmark = pytest.mark.e2e  # real uvicorn servers and real client libraries

KEY = "k-client-0123456789abcdef"


def test_openai_client_works_unchanged(settings):
    from openai import OpenAI

    from ui.app import create_app

    keyed = settings.model_copy(update={"serve": settings.serve.model_copy(update={"api_keys": [KEY]})})
    with ServerThread(create_app(keyed, make_deps(keyed, reader=ui_reader()))) as server:
        client = OpenAI(base_url=f"{server.url}/v1", api_key=KEY, max_retries=0)
        assert {m.id for m in client.models.list()} == {"shopassist", "shopassist-raw"}
        reply = client.chat.completions.create(model="shopassist", user="C0001",
                                               messages=[{"role": "user", "content": "noise cancelling headphones"}])
        assert "Sonora Aura Noise-Cancelling Headphones" in reply.choices[0].message.content
        assert "H1" in {p["id"] for p in reply.model_extra["shopassist"]["products"]}
        stream = client.chat.completions.create(model="shopassist", stream=True,
                                                messages=[{"role": "user", "content": "coffee maker"}])
        chunks = list(stream)
        assert "".join(c.choices[0].delta.content or "" for c in chunks).startswith("I'd suggest the Brewline Pour Coffee Maker")
        assert chunks[-1].model_extra["shopassist"]["intent"]["label"] == "product_search"
        bad = OpenAI(base_url=f"{server.url}/v1", api_key="k-wrong-0123456789abcdef", max_retries=0)
        try:
            bad.models.list()
            raise AssertionError("a wrong key was accepted")
        except Exception as exc:  # openai.AuthenticationError
            assert getattr(exc, "status_code", None) == 401


def test_remote_generation_goes_to_a_second_instance(settings, tmp_path):
    """ShopAssist A gathers the facts and checks the draft; ShopAssist B (model shopassist-raw) writes the draft."""
    from fastapi.testclient import TestClient

    from ui.app import create_app

    backend_generator = FakeGenerator(("You might like the ", "Trailform Storm Rain Jacket ($89.00)."))
    backend_settings = settings.model_copy(update={"home": tmp_path / "b"})
    with ServerThread(create_app(backend_settings, make_deps(backend_settings, reader=ui_reader(), generator=backend_generator))) as backend:
        front_settings = settings.model_copy(update={"serve": settings.serve.model_copy(update={"remote_url": f"{backend.url}/v1"})})
        local = FakeGenerator(("local",))
        with TestClient(create_app(front_settings, make_deps(front_settings, reader=ui_reader(), generator=local))) as front:
            assert front.get("/healthz").json()["generator"] == "remote"
            body = front.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "rain jacket"}]}).json()
    assert body["choices"][0]["message"]["content"] == "You might like the Trailform Storm Rain Jacket ($89.00)."
    assert body["shopassist"]["drafted"] is True and local.prompts == []
    sent = backend_generator.prompts[0]
    assert sent.template == "raw" and sent.messages[0].role == "system"
    assert "Trailform Storm Rain Jacket" in sent.messages[0].content  # A's retrieved products travelled as facts


def test_gradio_client_ask_endpoint(settings):
    from gradio_client import Client

    from ui.app import create_app

    with ServerThread(create_app(settings, make_deps(settings, reader=ui_reader()))) as server:
        gradio = Client(f"{server.url}/", verbose=False)
        assert "Stride Cloud Running Shoes" in gradio.predict("running shoes", "C0001", "", api_name="/ask")
