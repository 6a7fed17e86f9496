"""API keys, rate limits, body size limits, CORS, widget origins and PII-free logs."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from assistant.settings import Settings
from tests.conftest import make_deps
from ui.security import redact

KEY = "k-test-0123456789abcdef"
STORE = "http://store.example:8000"


@pytest.fixture
def locked(settings):
    from ui.app import create_app

    locked_settings = settings.model_copy(update={"serve": settings.serve.model_copy(update={
        "api_keys": [KEY], "rate_limit_per_minute": 3, "cors_origins": [STORE], "max_body_bytes": 2048})})
    with TestClient(create_app(locked_settings, make_deps(locked_settings))) as client:
        yield client


def auth(key=KEY):
    return {"Authorization": f"Bearer {key}"}


def test_v1_needs_a_valid_bearer_key(locked):
    assert locked.get("/v1/models").status_code == 401
    assert locked.get("/v1/models", headers=auth("k-wrong-0123456789abcdef")).json()["error"]["type"] == "Unauthorized"
    assert locked.get("/v1/models", headers=auth()).status_code == 200
    assert locked.get("/healthz").status_code == 200  # probes need no key


def test_rate_limit_answers_429_with_retry_after(locked):
    statuses = [locked.get("/v1/models", headers=auth()).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = locked.get("/v1/models", headers=auth())
    assert int(refused.headers["Retry-After"]) >= 1
    assert "shopassist_rate_limited_total 2.0" in locked.get("/metrics").text


def test_large_bodies_get_413_before_parsing(locked):
    big = {"messages": [{"role": "user", "content": "x" * 5000}]}
    response = locked.post("/v1/chat/completions", json=big, headers=auth())
    assert response.status_code == 413 and response.json()["error"]["code"] == 413


def test_cors_allows_only_listed_origins(locked):
    def preflight(origin):
        return locked.options("/v1/chat/completions", headers={
            "Origin": origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type"})

    assert preflight(STORE).headers.get("access-control-allow-origin") == STORE
    assert "access-control-allow-origin" not in preflight("http://evil.example").headers


def test_widget_refuses_unlisted_origins(locked):
    ok = locked.post("/widget/chat", json={"message": "rain jacket"}, headers={"Origin": STORE})
    assert ok.status_code == 200 and '"type": "token"' in ok.text
    assert locked.post("/widget/chat", json={"message": "hi"}, headers={"Origin": "http://evil.example"}).status_code == 401


@pytest.mark.parametrize("key", ["changeme", "secret", "short-key"])
def test_placeholder_or_short_keys_are_refused(key):
    with pytest.raises(ValidationError):
        Settings(serve={"api_keys": [key]})


@pytest.mark.parametrize(("text", "expected"), [
    ("mail me at jane.doe+shop@example.com", "mail me at [email]"),
    ("card 4111 1111 1111 1111 please", "card [card] please"),
    ("call +1 (555) 123-4567 now", "call [phone] now"),
    ("order on 2025-08-15 for $129.00", "order on 2025-08-15 for $129.00"),
])
def test_redaction(text, expected):
    assert redact(text) == expected


def test_logs_never_contain_pii(locked, caplog):
    caplog.set_level(logging.INFO)
    logging.getLogger("shopassist.test").info("customer wrote %s", "I am jane@example.com, card 4111111111111111")
    locked.post("/v1/chat/completions", headers=auth(),
                json={"messages": [{"role": "user", "content": "call me on +44 20 7946 0958, I'm bob@example.org"}]})
    text = caplog.text
    assert "jane@example.com" not in text and "4111111111111111" not in text and "[email]" in text
    assert "bob@example.org" not in text and "7946 0958" not in text
