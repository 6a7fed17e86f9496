"""Streamed reply generation with the chat model.

`ChatGenerator.stream(prompt)` yields text pieces as the model writes them; generation runs
in a worker thread so the caller can forward each piece (terminal, SSE, Gradio) at once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Protocol

from assistant.model import LoadedModel
from assistant.settings import ModelSettings
from assistant.types import Prompt


class Generator(Protocol):
    def stream(self, prompt: Prompt) -> Iterator[str]: ...


class ChatGenerator:
    def __init__(self, loaded: LoadedModel, settings: ModelSettings) -> None:
        self.loaded = loaded
        self.settings = settings
        self._lock = threading.Lock()  # one generate() at a time on a shared model

    def encode(self, prompt: Prompt):
        tokenizer = self.loaded.tokenizer
        messages = [{"role": m.role, "content": m.content} for m in prompt.messages]
        text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        return tokenizer(text, return_tensors="pt", add_special_tokens=False).to(self.loaded.device)

    def stream(self, prompt: Prompt) -> Iterator[str]:
        from transformers import TextIteratorStreamer

        inputs = self.encode(prompt)
        tokenizer = self.loaded.tokenizer
        streamer = TextIteratorStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True, timeout=120)
        sampling = self.settings.temperature > 0
        kwargs = dict(
            **inputs,
            streamer=streamer,
            max_new_tokens=self.settings.max_new_tokens,
            do_sample=sampling,
            repetition_penalty=self.settings.repetition_penalty,
            pad_token_id=tokenizer.pad_token_id,
        )
        if sampling:
            kwargs["temperature"] = self.settings.temperature
        errors: list[BaseException] = []

        def work() -> None:
            try:
                with self._lock:
                    self.loaded.model.generate(**kwargs)
            except BaseException as exc:  # surfaced in the caller's thread below
                errors.append(exc)
                streamer.end()

        thread = threading.Thread(target=work, daemon=True)
        thread.start()
        for piece in streamer:
            if piece:
                yield piece
        thread.join()
        if errors:
            raise errors[0]
