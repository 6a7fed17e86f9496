"""Continuous-batching generation engine: many chat sessions decoded together, streamed apart.

    engine = Engine(FastLlama(loaded.model), eos_ids={2}, settings=ModelSettings(batch_slots=8))
    request = engine.submit(prompt_ids, max_new_tokens=128)
    for token_id in request.tokens(): ...   # closing the iterator cancels the request

One scheduler thread owns the model. Every step it (1) admits waiting requests into free
slots of the preallocated KV cache, reusing the longest cached prefix of an earlier request
(the system prompt and history of a session's previous turn), (2) prefills one chunk of one
admitting request, round-robin, so a long prompt delays the others by one chunk at most,
(3) decodes one token for every running request in one batched forward. Tokens go to
unbounded per-request queues, so a slow reader never blocks the loop; a cancelled request
gives its slot back at the next step.
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field

import torch

from assistant.generation.engine_model import FastLlama
from assistant.settings import ModelSettings

log = logging.getLogger(__name__)
_END = object()  # queue sentinel: the request finished
MIN_PREFIX = 16  # shorter common prefixes are recomputed rather than copied


@dataclass(eq=False)
class Request:
    ids: list[int]
    max_new_tokens: int
    repetition_penalty: float = 1.0
    temperature: float = 0.0
    out: queue.Queue = field(default_factory=queue.Queue)
    cancelled: threading.Event = field(default_factory=threading.Event)
    slot: int | None = None
    cached: int = 0  # prompt positions already in the KV cache
    reused: int = 0  # of which came from the prefix cache
    generated: list[int] = field(default_factory=list)
    error: BaseException | None = None

    def cancel(self) -> None:
        self.cancelled.set()

    def tokens(self, timeout: float = 300.0) -> Iterator[int]:
        """Token ids as they are generated; leaving the loop early cancels the request."""
        try:
            while (item := self.out.get(timeout=timeout)) is not _END:
                yield item
            if self.error is not None:
                raise self.error
        finally:
            self.cancel()  # no-op when finished; frees the slot when the reader stopped early


class PrefixCache:
    """Least-recently-used KV copies of finished requests, matched by longest token prefix."""

    def __init__(self, entries: int) -> None:
        self.entries = entries
        self._store: OrderedDict[int, tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]] = OrderedDict()
        self._keys = itertools.count()

    def put(self, ids: list[int], kv: tuple[torch.Tensor, torch.Tensor]) -> None:
        if self.entries == 0:
            return
        self._store[next(self._keys)] = (torch.tensor(ids), kv)
        while len(self._store) > self.entries:
            self._store.popitem(last=False)

    def match(self, ids: list[int]) -> tuple[int, tuple[torch.Tensor, torch.Tensor] | None]:
        query = torch.tensor(ids)
        best, best_key = 0, None
        for key, (stored, _) in self._store.items():
            n = min(len(stored), len(query))
            diff = (stored[:n] != query[:n]).nonzero()
            common = int(diff[0]) if len(diff) else n
            if common > best:
                best, best_key = common, key
        if best_key is None:
            return 0, None
        self._store.move_to_end(best_key)
        return best, self._store[best_key][1]


class Engine:
    def __init__(self, model: FastLlama, *, eos_ids: set[int], settings: ModelSettings) -> None:
        """`settings` sets the batch (batch_slots), the KV cache (max_context), the prefill chunk and the prefix cache."""
        self.model, self.eos_ids = model, set(eos_ids)
        self.slots, self.prefill_chunk = settings.batch_slots, settings.prefill_chunk
        self.context = min(settings.max_context, model.shape.context)
        self.cache = model.new_cache(self.slots, self.context)
        self.prefixes = PrefixCache(settings.prefix_cache_entries)
        self.running: list[Request | None] = [None] * self.slots
        self.waiting: queue.Queue[Request] = queue.Queue()
        self._seen = torch.zeros(self.slots, model.shape.vocab, dtype=torch.bool, device=model.device)
        self._turn = 0  # round-robin pointer over prefilling slots
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="generation-engine", daemon=True)
        self._thread.start()

    # ---- public -------------------------------------------------------------------------
    def submit(self, ids: list[int], *, max_new_tokens: int, repetition_penalty: float = 1.0,
               temperature: float = 0.0) -> Request:
        if not ids:
            raise ValueError("empty prompt")
        if len(ids) + max_new_tokens > self.context:
            raise ValueError(f"prompt of {len(ids)} tokens + {max_new_tokens} new exceeds the context of {self.context}")
        request = Request(list(ids), max_new_tokens, repetition_penalty, temperature)
        self.waiting.put(request)
        self._wake.set()
        return request

    def busy_slots(self) -> int:
        return sum(r is not None for r in self.running)

    # ---- scheduler ----------------------------------------------------------------------
    def _loop(self) -> None:
        while True:
            try:
                self._admit()
                self._drop_cancelled()
                worked = self._prefill_step()
                worked = self._decode_step() or worked
            except BaseException as exc:  # a failing step fails its requests, not the engine
                log.exception("generation step failed")
                for slot, request in enumerate(self.running):
                    if request is not None:
                        request.error = exc
                        self._finish(slot, keep=False)
                continue
            if not worked:
                self._wake.wait(timeout=0.5)
                self._wake.clear()

    def _admit(self) -> None:
        for slot in range(self.slots):
            if self.running[slot] is not None:
                continue
            try:
                request = self.waiting.get_nowait()
            except queue.Empty:
                return
            if request.cancelled.is_set():
                request.out.put(_END)
                continue
            matched, kv = self.prefixes.match(request.ids)
            matched = min(matched, len(request.ids) - 1)  # the last prompt token is always run: it gives the logits
            if kv is not None and matched >= MIN_PREFIX:
                self.cache.load(slot, kv, matched)
                request.cached = request.reused = matched
            request.slot = slot
            self._seen[slot] = False
            self._seen[slot, torch.tensor(request.ids, device=self._seen.device)] = True
            self.running[slot] = request

    def _drop_cancelled(self) -> None:
        for slot, request in enumerate(self.running):
            if request is not None and request.cancelled.is_set():
                self._finish(slot, keep=False)

    def _prefill_step(self) -> bool:
        pending = [s for s, r in enumerate(self.running) if r is not None and r.cached < len(r.ids)]
        if not pending:
            return False
        slot = next((s for s in pending if s >= self._turn), pending[0])
        self._turn = slot + 1
        request = self.running[slot]
        start = request.cached
        stop = min(len(request.ids), start + self.prefill_chunk)
        device = self.model.device
        tokens = torch.tensor([request.ids[start:stop]], device=device)
        positions = torch.arange(start, stop, device=device)[None]
        mask = (torch.arange(stop, device=device) <= positions[..., None]).unsqueeze(1)  # causal
        logits = self.model.forward(tokens, positions, self.cache, slots=slice(slot, slot + 1), mask=mask, kv_len=stop)
        request.cached = stop
        if stop == len(request.ids):
            self._emit([slot], logits[:, -1])
        return True

    def _decode_step(self) -> bool:
        active = [s for s, r in enumerate(self.running) if r is not None and r.cached >= len(r.ids) and r.generated]
        if not active:
            return False
        lo, hi = active[0], active[-1] + 1
        device = self.model.device
        # Rows of the slice that are free or still prefilling decode a dummy token at a position
        # their next prefill chunk overwrites; cheaper than gathering the cache of scattered slots.
        positions = [0] * (hi - lo)
        tokens = [0] * (hi - lo)
        for slot in range(lo, hi):
            request = self.running[slot]
            if request is not None and slot in active:
                positions[slot - lo] = request.cached
                tokens[slot - lo] = request.generated[-1]
            elif request is not None:
                positions[slot - lo] = request.cached
        kv_len = max(positions) + 1
        pos = torch.tensor(positions, device=device)[:, None]
        mask = None if hi - lo == 1 else (torch.arange(kv_len, device=device) <= pos[..., None]).unsqueeze(1)
        logits = self.model.forward(torch.tensor(tokens, device=device)[:, None], pos, self.cache,
                                    slots=slice(lo, hi), mask=mask, kv_len=kv_len)
        for slot in active:
            self.running[slot].cached += 1
        self._emit(active, logits[[s - lo for s in active], -1])
        return True

    def _emit(self, slots: list[int], logits: torch.Tensor) -> None:
        """Pick the next token of each slot (greedy or sampled) and hand it to its reader."""
        penalties = torch.tensor([self.running[s].repetition_penalty for s in slots], device=logits.device)[:, None]
        seen = self._seen[slots]
        if bool((penalties != 1.0).any()):  # HF's repetition penalty over prompt + generated tokens
            logits = torch.where(seen, torch.where(logits < 0, logits * penalties, logits / penalties), logits)
        chosen = logits.argmax(-1)
        for row, slot in enumerate(slots):
            request = self.running[slot]
            if request.temperature > 0:
                probs = torch.softmax(logits[row] / request.temperature, -1)
                chosen[row] = torch.multinomial(probs, 1)[0]
        for slot, token in zip(slots, chosen.tolist()):
            request = self.running[slot]
            request.generated.append(token)
            self._seen[slot, token] = True
            if token in self.eos_ids:
                self._finish(slot, keep=True)
                continue
            request.out.put(token)
            if len(request.generated) >= request.max_new_tokens:
                self._finish(slot, keep=True)

    def _finish(self, slot: int, *, keep: bool) -> None:
        request = self.running[slot]
        self.running[slot] = None
        if keep and request.cached >= MIN_PREFIX:
            # positions [0, cached) hold the prompt and every generated token but the last
            ids = (request.ids + request.generated)[: request.cached]
            self.prefixes.put(ids, self.cache.export(slot, request.cached))
        request.out.put(_END)
