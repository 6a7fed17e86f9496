"""The tuned model words the reply from the turn's facts; the check decides whether its draft is sent.

    writer = ReplyWriter(generator, DraftCheck(titles, people), budget_s=1.5)
    written = writer.write(answer, "where is my order?", deadline=turn_started + 1.5)
    # Written(text, drafted=True) or the composed reply

The prompt holds only the facts (never the composed reply), so the model phrases, the facts decide.
Fine-tuning trains on exactly these prompts (`finetune/grounded.py`) with composed replies as targets.

A draft is checked whole before anything is sent, so it delays the first word by its full length.
It is therefore written only when it can be done by the turn's first-token deadline: `DraftPace`
learns from the model's own recent drafts how long one takes here and now (per character of reply,
per draft running beside it), a draft that is predicted late is not started, and one that runs late
is dropped at the deadline. Either way the composed reply, which is always right, goes out at once.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field, replace

from assistant.reply.answer import Answer
from assistant.reply.check import DraftCheck
from assistant.types import Message, Prompt

log = logging.getLogger(__name__)
TEMPLATE = "facts@1"
SYSTEM = ("You are ShopAssist, the shopping assistant of an online store. Reply to the customer's last message in "
          "one to three short sentences, using only the facts below. Say the facts that answer the customer; never "
          "add a price, number, date, code, product, name or link that is not in the facts.")
DRAFT_TOKENS = 110  # a three-sentence reply; longer drafts are cut and fail the check
RETRY_IDLE_S = 30.0  # a model judged too slow is measured again (in the background) after this long without a draft
MEASURE_TOKENS = 24  # a pace measurement writes the start of a draft only: enough to time, little to pay


def draft_prompt(answer: Answer, message: str, *, system: str | None = None) -> Prompt:
    """The chat the model completes: system rules (an experiment may vary them) + facts, then the shopper's message."""
    lines = [system or SYSTEM, "", "Facts:", *(f"- {fact}" for fact in answer.facts)]
    must = [group[0] for group in answer.required]
    if must:
        lines += ["", "Must mention: " + "; ".join(must)]
    # No repetition penalty: a draft must copy product names, prices and order ids from the facts, and a
    # penalty on every token already seen turns "Stride Terra 8" into "Stridge Terra 8".
    return Prompt(messages=(Message("system", "\n".join(lines)), Message("user", message)), template=TEMPLATE,
                  max_new_tokens=DRAFT_TOKENS, repetition_penalty=1.0)


@dataclass(frozen=True)
class Written:
    text: str
    drafted: bool  # True: the model's draft passed the check and is what the shopper reads
    problems: tuple[str, ...] = ()  # why a draft was not sent (or not written)
    timings: dict[str, float] = field(default_factory=dict)  # prefill_s (incl. waiting for the model), decode_s


class DraftPace:
    """Seconds per character of reply that a draft takes, learned from finished drafts and scaled by
    the drafts running at the same time (they share the model). Unknown until the first draft ends."""

    def __init__(self, *, weight: float = 0.3) -> None:
        self.weight = weight
        self.per_char: float | None = None
        self.running = 0
        self.last_start = 0.0
        self._lock = threading.Lock()

    def predict(self, chars: int) -> float | None:
        with self._lock:
            return None if self.per_char is None else self.per_char * max(chars, 1) * (self.running + 1)

    def worth_a_try(self, chars: int, seconds_left: float) -> bool:
        """Predicted in time, or nothing known yet."""
        predicted = self.predict(chars)
        return predicted is None or predicted <= seconds_left

    def stale(self) -> bool:
        """Judged too slow, and no draft has run for a while: time to measure again (the machine may be idle now)."""
        with self._lock:
            return self.running == 0 and time.monotonic() - self.last_start > RETRY_IDLE_S

    def start(self) -> int:
        with self._lock:
            self.running += 1
            self.last_start = time.monotonic()
            return self.running

    def finish(self, seconds: float, chars: int, beside: int, *, completed: bool, fresh: bool = False) -> None:
        """`beside`: drafts running when this one started (itself included). A draft cut at the deadline
        only says the pace is at least this slow; a `fresh` measurement replaces what was known."""
        observed = seconds / max(chars, 1) / max(beside, 1)
        with self._lock:
            self.running -= 1
            if not completed:
                self.per_char = max(self.per_char or 0.0, observed)
            elif self.per_char is None or fresh:
                self.per_char = observed
            else:
                self.per_char += self.weight * (observed - self.per_char)


class _Draft:
    """One draft streamed in a worker thread, so the turn can stop waiting at its deadline."""

    def __init__(self, generator, prompt: Prompt) -> None:
        self.pieces: list[str] = []
        self.first_at: float | None = None
        self.error: BaseException | None = None
        self.stop, self.done = threading.Event(), threading.Event()
        self.started = time.perf_counter()
        threading.Thread(target=self._run, args=(generator, prompt), name="draft", daemon=True).start()

    def _run(self, generator, prompt: Prompt) -> None:
        stream = None
        try:
            stream = generator.stream(prompt)
            for piece in stream:
                if self.first_at is None:
                    self.first_at = time.perf_counter()
                self.pieces.append(piece)
                if self.stop.is_set():
                    break
        except Exception as exc:  # a failed draft falls back to the composed reply; the log has why
            self.error = exc
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                close()  # cancels the request in the engine when the draft was stopped early
            self.done.set()

    def timings(self) -> dict[str, float]:
        end = time.perf_counter()
        first = self.first_at or end
        return {"prefill_s": first - self.started, "decode_s": end - first}


class ReplyWriter:
    def __init__(self, generator, check: DraftCheck, *, enabled: bool = True, budget_s: float | None = None) -> None:
        """`budget_s`: seconds from the turn's start to its first word; None = no limit (wait for every draft)."""
        self.generator = generator
        self.check = check
        self.enabled = enabled
        self.budget_s = budget_s
        self.pace = DraftPace()

    def _measure_in_background(self, answer: Answer, message: str, system: str | None) -> None:
        """The start of a draft nobody waits for, written only to learn the pace again: no shopper pays for it."""
        threading.Thread(target=self._measure, args=(answer, message, system, MEASURE_TOKENS), name="draft-pace",
                         daemon=True).start()

    def _measure(self, answer: Answer, message: str, system: str | None = None, tokens: int | None = None) -> None:
        """Seconds per character the model writes (prefill included), from one draft or its first `tokens`."""
        prompt = draft_prompt(answer, message, system=system)
        if tokens is not None:
            prompt = replace(prompt, max_new_tokens=tokens)
        beside = self.pace.start()
        started = time.perf_counter()
        try:
            written = "".join(self.generator.stream(prompt))
        except Exception:
            log.exception("pace measurement draft failed")
            self.pace.finish(0.0, 1, beside, completed=False)
            return
        self.pace.finish(time.perf_counter() - started, len(written), beside, completed=True, fresh=True)

    def warm_up(self, answer: Answer, message: str) -> None:
        """One draft with no deadline, so the model is warm and its pace known before the first shopper waits on it."""
        if self.enabled and self.generator is not None:
            self._measure(answer, message)

    def write(self, answer: Answer, message: str, *, system: str | None = None, deadline: float | None = None,
              idle: bool = True) -> Written:
        """`deadline` (time.perf_counter) by which the draft must be done; None = the writer's own budget from now.
        `idle`: no other turn is in flight, so a pace measurement in the background would slow nobody down."""
        if not self.enabled or self.generator is None:
            return Written(answer.text, drafted=False)
        if deadline is None and self.budget_s is not None:
            deadline = time.perf_counter() + self.budget_s
        chars = len(answer.text)
        seconds_left = None if deadline is None else deadline - time.perf_counter()
        if seconds_left is not None and not self.pace.worth_a_try(chars, seconds_left):
            if idle and self.pace.stale():
                self._measure_in_background(answer, message, system)
            return Written(answer.text, drafted=False, problems=("not written: the model is busy",))
        beside = self.pace.start()
        running = _Draft(self.generator, draft_prompt(answer, message, system=system))
        in_time = running.done.wait(timeout=None if seconds_left is None else max(seconds_left, 0.0))
        if not in_time:
            running.stop.set()
        elapsed = time.perf_counter() - running.started
        done = in_time and running.error is None
        self.pace.finish(elapsed, len("".join(running.pieces)) if done else chars, beside, completed=done)
        timings = running.timings()
        if not in_time:
            return Written(answer.text, drafted=False, problems=("not in time for the first-token budget",), timings=timings)
        if running.error is not None:
            log.warning("draft failed, the composed reply is sent: %r", running.error)
            return Written(answer.text, drafted=False, problems=(f"draft failed: {running.error!r}",), timings=timings)
        draft = "".join(running.pieces).strip()
        problems = self.check.problems(draft, answer, message)
        if problems:
            return Written(answer.text, drafted=False, problems=tuple(problems), timings=timings)
        return Written(draft, drafted=True, timings=timings)
