"""End to end with the real model, real Chroma and real HTTP streaming (one short turn)."""

from __future__ import annotations

import json

import pytest


@pytest.mark.e2e
def test_real_model_streams_a_reply_with_products(real_model_dir, settings):
    from fastapi.testclient import TestClient

    from ui.app import create_app

    real = settings.model_copy(update={"model": settings.model.model_copy(update={"base": real_model_dir, "max_new_tokens": 24})})
    with TestClient(create_app(real)) as client:
        response = client.post("/v1/chat/completions", json={
            "messages": [{"role": "user", "content": "I need a waterproof rain jacket for hiking"}], "user": "C0001", "stream": True})
        chunks = [json.loads(line[6:]) for line in response.text.splitlines()
                  if line.startswith("data: ") and line != "data: [DONE]"]
        text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks)
        extra = chunks[-1]["shopassist"]
        assert response.status_code == 200 and "Trailform Storm Rain Jacket" in text  # drafted or composed: the fact is said
        assert extra["intent"]["label"] == "product_search" and extra["products"][0]["id"] == "J1"
        session = client.get(f"/v1/sessions/{extra['session_id']}/messages").json()["messages"]
        assert [m["role"] for m in session] == ["user", "assistant"] and session[1]["content"]
