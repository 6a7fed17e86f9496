"""Generation on another machine: stream a reply from any OpenAI-compatible server.

    SHOPASSIST_SERVE__REMOTE_URL=http://gpu-box:8000/v1 SHOPASSIST_SERVE__REMOTE_MODEL=shopassist shopassist serve

The prompt is built here as usual (intent, products, customer view); only the token generation
moves, to vLLM or TGI serving the base model with our LoRA adapter, or to another ShopAssist
(`model="shopassist-raw"` there generates from the given messages without its own pipeline).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from assistant.settings import Settings
from assistant.types import Prompt
from data.errors import ModelUnavailable


@dataclass(frozen=True)
class RemoteConfig:
    base_url: str  # ends with /v1
    model: str
    api_key: str | None = None
    max_tokens: int = 160
    temperature: float = 0.0
    timeout_s: float = 120.0

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"remote_url must be an http(s) URL, got {self.base_url!r}")


class RemoteGenerator:
    """Same interface as `ChatGenerator.stream`: yields text pieces as the server sends them."""

    def __init__(self, config: RemoteConfig) -> None:
        import httpx

        self.config = config
        headers = {"Authorization": f"Bearer {config.api_key}"} if config.api_key else {}
        self.client = httpx.Client(base_url=config.base_url.rstrip("/"), headers=headers,
                                   timeout=httpx.Timeout(config.timeout_s, connect=5.0))

    def stream(self, prompt: Prompt) -> Iterator[str]:
        import httpx

        body = {
            "model": self.config.model,
            "messages": [{"role": m.role, "content": m.content} for m in prompt.messages],
            "stream": True,
            "max_tokens": min(prompt.max_new_tokens or self.config.max_tokens, self.config.max_tokens),
            "temperature": self.config.temperature,
            **({"repetition_penalty": prompt.repetition_penalty} if prompt.repetition_penalty is not None else {}),
        }
        try:
            with self.client.stream("POST", "/chat/completions", json=body) as response:
                if response.status_code != 200:
                    response.read()
                    raise ModelUnavailable(f"the generation server answered {response.status_code}: {response.text[:200]}",
                                           hint="check SHOPASSIST_SERVE__REMOTE_URL, _REMOTE_MODEL and _REMOTE_API_KEY")
                for line in response.iter_lines():
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        break
                    choices = json.loads(data).get("choices") or [{}]
                    piece = (choices[0].get("delta") or {}).get("content")
                    if piece:
                        yield piece
        except httpx.HTTPError as exc:
            raise ModelUnavailable(f"cannot reach the generation server at {self.config.base_url}: {exc}",
                                   hint="start it, or unset SHOPASSIST_SERVE__REMOTE_URL to generate locally") from exc


def build_remote_generator(settings: Settings) -> RemoteGenerator | None:
    """A RemoteGenerator when `serve.remote_url` is set, else None (generate locally)."""
    serve = settings.serve
    if not serve.remote_url:
        return None
    return RemoteGenerator(RemoteConfig(base_url=serve.remote_url, model=serve.remote_model, api_key=serve.remote_api_key,
                                        max_tokens=settings.model.max_new_tokens, temperature=settings.model.temperature))
