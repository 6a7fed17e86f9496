"""Streamed reply generation with the chat model.

`ChatGenerator.stream(prompt)` yields text pieces as the model writes them. By default the
pieces come from the fast engine (`assistant/generation/engine.py`): a lean decode loop with a
preallocated KV cache, continuous batching of concurrent sessions and prefix reuse across a
session's turns. `SHOPASSIST_MODEL__ENGINE=hf` switches to transformers `generate`, the
unoptimized reference the engine is tested against; `onnx` to ONNX Runtime GenAI on the CPU
(`assistant/generation/onnx_engine.py`: the model + adapter exported once into the model cache).

Conversations longer than the context lose their oldest turns (the system prompt is kept);
`encode` reports what it dropped and a warning is logged.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from assistant.generation.model import LoadedModel
from assistant.settings import ModelSettings
from assistant.types import Prompt

log = logging.getLogger(__name__)


class Generator(Protocol):
    def stream(self, prompt: Prompt) -> Iterator[str]: ...


@dataclass(frozen=True)
class Encoded:
    ids: list[int]
    dropped_messages: int = 0  # oldest turns left out to fit the context
    dropped_tokens: int = 0  # tokens cut when even the newest turn alone was too long

    @property
    def truncated(self) -> bool:
        return bool(self.dropped_messages or self.dropped_tokens)


def engine_dtype(loaded: LoadedModel, settings: ModelSettings):
    """bf16 where the hardware computes it natively (CUDA, AVX512-BF16/AMX CPUs), else float32."""
    import torch

    if settings.engine_dtype != "auto":
        return getattr(torch, settings.engine_dtype)
    if loaded.device == "cuda":
        return torch.bfloat16
    return torch.bfloat16 if torch.ops.mkldnn._is_mkldnn_bf16_supported() else torch.float32


def eos_ids(loaded: LoadedModel) -> set[int]:
    eos = loaded.model.generation_config.eos_token_id
    return set(eos if isinstance(eos, list) else [eos]) | {loaded.tokenizer.eos_token_id}


def build_engine(loaded: LoadedModel, settings: ModelSettings):
    from assistant.generation.engine import Engine
    from assistant.generation.engine_model import FastLlama

    fast = FastLlama(loaded.model, dtype=engine_dtype(loaded, settings), weights=settings.engine_weights,
                     adapter=loaded.adapter)
    return Engine(fast, eos_ids=eos_ids(loaded), settings=settings)


def resolve_engine(settings: ModelSettings, device: str) -> str:
    """The engine "auto" stands for: ONNX Runtime GenAI on a CPU, our torch loop on CUDA."""
    if settings.engine != "auto":
        return settings.engine
    return "onnx" if device == "cpu" else "fast"


def build_onnx_engine(loaded: LoadedModel, settings: ModelSettings, cache=None):
    """ONNX Runtime GenAI serving the loaded model's folder + adapter; exports it first if needed
    (`cache`: where the export lives, default beside the converted model folder)."""
    import os

    from assistant.generation.onnx_engine import OnnxEngine, export_onnx

    if loaded.device != "cpu":
        raise ValueError("engine=onnx runs on the CPU; use engine=fast on CUDA")
    precision = settings.onnx_precision
    folder = export_onnx(loaded.path, loaded.adapter, cache or loaded.path.parent, precision=precision)
    return OnnxEngine(folder, eos_ids=eos_ids(loaded), threads=settings.threads or os.cpu_count() or 1,
                      slots=settings.batch_slots)


class ChatGenerator:
    def __init__(self, loaded: LoadedModel, settings: ModelSettings, *, onnx_cache=None) -> None:
        self.loaded = loaded
        self.settings = settings
        self.context = min(settings.max_context, loaded.model.config.max_position_embeddings)
        self._lock = threading.Lock()  # the hf path runs one generate() at a time on a shared model
        engine = resolve_engine(settings, loaded.device)
        if engine == "fast":
            self.engine = build_engine(loaded, settings)
        elif engine == "onnx":
            self.engine = build_onnx_engine(loaded, settings, onnx_cache)
        else:
            self.engine = None

    def _render(self, messages) -> list[int]:
        chat = [{"role": m.role, "content": m.content} for m in messages]
        text = self.loaded.tokenizer.apply_chat_template(chat, tokenize=False, add_generation_prompt=True)
        return self.loaded.tokenizer(text, add_special_tokens=False)["input_ids"]

    def encode(self, prompt: Prompt) -> Encoded:
        """Prompt token ids that leave room for the reply: oldest turns go first, the system prompt stays."""
        budget = self.context - self.settings.max_new_tokens
        system = [m for m in prompt.messages[:1] if m.role == "system"]
        turns = list(prompt.messages[len(system):])
        ids = self._render(prompt.messages)
        dropped = 0
        while len(ids) > budget and len(turns) > 1:
            turns.pop(0)
            dropped += 1
            ids = self._render(system + turns)
        cut = max(0, len(ids) - budget)
        if cut:  # the newest turn alone is too long: keep the system prompt and the end of the turn
            head = len(self._render(system)) if system else 0
            ids = ids[:head] + ids[head + cut:]
        encoded = Encoded(ids, dropped, cut)
        if encoded.truncated:
            log.warning("prompt longer than the %d-token context: dropped the %d oldest messages and %d tokens "
                        "(system prompt kept)", self.context, dropped, cut)
        return encoded

    def stream(self, prompt: Prompt) -> Iterator[str]:
        ids = self.encode(prompt).ids
        limit = min(prompt.max_new_tokens or self.settings.max_new_tokens, self.settings.max_new_tokens)
        penalty = self.settings.repetition_penalty if prompt.repetition_penalty is None else prompt.repetition_penalty
        tokens = self._engine_tokens(ids, limit, penalty) if self.engine is not None else self._hf_tokens(ids, limit, penalty)
        yield from self._detokenize(tokens)

    def _engine_tokens(self, ids: list[int], limit: int, penalty: float) -> Iterator[int]:
        request = self.engine.submit(ids, max_new_tokens=limit,
                                     repetition_penalty=penalty,
                                     temperature=self.settings.temperature)
        try:
            yield from request.tokens()
        finally:
            request.cancel()  # the reader went away: give the slot back now

    def _detokenize(self, tokens: Iterator[int]) -> Iterator[str]:
        """Text pieces of a token stream, holding back bytes of a character not yet complete."""
        tokenizer, generated, emitted = self.loaded.tokenizer, [], ""
        try:
            for token in tokens:
                generated.append(token)
                text = tokenizer.decode(generated, skip_special_tokens=True)
                if text.endswith("\ufffd") or not text.startswith(emitted) or len(text) == len(emitted):
                    continue
                yield text[len(emitted):]
                emitted = text
        finally:
            close = getattr(tokens, "close", None)
            if close is not None:
                close()

    def _hf_tokens(self, ids: list[int], limit: int, penalty: float) -> Iterator[int]:
        """Reference path: transformers `generate` in a worker thread, one request at a time."""
        import queue

        import torch
        from transformers.generation.streamers import BaseStreamer

        out: queue.Queue = queue.Queue()
        end = object()

        class Collect(BaseStreamer):
            first = True

            def put(self, value):
                if self.first:  # generate() first hands over the prompt
                    self.first = False
                    return
                for token in value.reshape(-1).tolist():
                    out.put(token)

            def end(self):
                out.put(end)

        tokenizer = self.loaded.tokenizer
        sampling = self.settings.temperature > 0
        kwargs = dict(
            input_ids=torch.tensor([ids], device=self.loaded.device),
            attention_mask=torch.ones((1, len(ids)), dtype=torch.long, device=self.loaded.device),
            streamer=Collect(),
            max_new_tokens=limit,
            do_sample=sampling,
            repetition_penalty=penalty,
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
                out.put(end)

        thread = threading.Thread(target=work, daemon=True)
        thread.start()
        eos = eos_ids(self.loaded)
        while (token := out.get(timeout=300)) is not end:
            if token not in eos:
                yield token
        thread.join()
        if errors:
            raise errors[0]
