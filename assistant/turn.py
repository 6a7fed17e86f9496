"""One chat turn at the edge: store the message, run the pipeline, screen the reply, hand off.

All three front ends (the /v1 API, the widget, the Gradio page) call `ChatService.turn` and
render its events. The shopper's message is committed to the conversation store before the
first token is generated, so an acknowledged message survives a crash.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from assistant.analytics import EventLog, TurnRecord
from assistant.guard import clean_message
from assistant.intent import SHOPPING_INTENTS
from assistant.handoff import HandoffConfig, handoff_reason, is_failed_turn
from assistant.history import ConversationStore
from assistant.pipeline import Deps, run_turn
from assistant.types import CustomerView, Done, Hit, Intent, IntentDetected, Message, Products, Token, Turn
from assistant.metrics import Metrics
from assistant.screen import ReplyScreen, ScreenConfig

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Accepted:
    """The message is stored (durable); the reply follows."""

    session_id: str
    message_id: int


@dataclass(frozen=True)
class Finished:
    session_id: str
    text: str
    intent: Intent
    hits: tuple[Hit, ...]
    view: CustomerView | None
    handoff_reason: str | None = None
    ticket_id: int | None = None
    blocked: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    reply_id: int | None = None  # the stored reply, which thumbs up/down point at
    experiments: dict[str, str] = field(default_factory=dict)
    offer: str | None = None  # the retention gesture the prompt allowed

    @property
    def handoff(self) -> bool:
        return self.handoff_reason is not None


EdgeEvent = Accepted | IntentDetected | Products | Token | Finished


class ChatService:
    def __init__(self, deps: Deps, store: ConversationStore, metrics: Metrics, analytics: EventLog | None = None) -> None:
        self.deps = deps
        self.store = store
        self.metrics = metrics
        self.analytics = analytics
        self.handoff = HandoffConfig(after_failures=deps.settings.serve.handoff_after_failures)
        titles = [p.title for p in getattr(deps.retriever, "catalog", {}).values()]
        self.store_rules = "\n".join([*deps.policies.values(), *titles])  # what a reply may quote verbatim

    def turn(self, message: str, *, user_id: str | None, session_id: str | None = None,
             history: tuple[Message, ...] | None = None, channel: str = "api") -> Iterator[EdgeEvent]:
        started = time.perf_counter()
        message = clean_message(message, max_chars=self.deps.settings.serve.max_message_chars)
        self.deps.profiles.view(user_id)  # unknown customers are refused before anything is stored
        session_id = self.store.ensure_session(session_id, user_id)
        if history is None:
            history = self.store.history(session_id)
        failures_before = self.store.failure_streak(session_id)
        message_id = self.store.add_message(session_id, "user", message, user_id=user_id)
        yield Accepted(session_id, message_id)
        screen = ReplyScreen(ScreenConfig(allowed_text=self.store_rules, user_id=user_id))
        first_token_at = None
        reply = None
        for event in run_turn(Turn(message, user_id=user_id, history=history, session_id=session_id), self.deps):
            if isinstance(event, Token):
                safe = screen.feed(event.text)
                if first_token_at is None:
                    first_token_at = time.perf_counter()
                    self.metrics.first_token.observe(first_token_at - started)
                if safe:
                    yield Token(safe)
            elif isinstance(event, Done):
                reply = event.reply
            else:
                yield event
        rest = screen.finish()
        if rest:
            yield Token(rest)
        text = screen.final_text if screen.blocked or reply is None else reply.text
        failed = is_failed_turn(reply.intent, reply.hits) or screen.blocked is not None
        reason = handoff_reason(reply.intent, message, failed=failed, failures_before=failures_before, config=self.handoff)
        if reason is None and reply.handoff:
            reason = f"intent {reply.intent.label}"
        meta = {"intent": reply.intent.label, "confidence": round(reply.intent.confidence, 4), "failed": failed,
                "products": [h.product.id for h in reply.hits], "handoff": reason, "blocked": screen.blocked,
                "template": reply.prompt_template, "offer": reply.offer, "experiments": reply.experiments}
        reply_id = self.store.add_message(session_id, "assistant", text, user_id=user_id, meta=meta)
        ticket_id = None
        if reason:
            ticket_id = self.store.open_ticket(session_id, user_id=user_id, reason=reason).id
            self.metrics.handoffs.labels(reason=re.sub(r"\d+", "N", reason)).inc()
        if screen.blocked:
            self.metrics.blocked.labels(reason=screen.blocked).inc()
            log.warning("reply blocked (%s) session=%s", screen.blocked, session_id)
        if self.analytics is not None:
            self._record(reply, message, session_id, user_id, reply_id, reason is not None, channel)
        self.metrics.turns.labels(intent=reply.intent.label, channel=channel).inc()
        self.metrics.turn_seconds.observe(time.perf_counter() - started)
        timings = dict(reply.timings)
        timings["first_token_s"] = (first_token_at or time.perf_counter()) - started
        yield Finished(session_id, text, reply.intent, reply.hits, reply.view, reason, ticket_id, screen.blocked, timings,
                       reply_id, reply.experiments, reply.offer)

    def _record(self, reply, message: str, session_id: str, user_id: str | None, reply_id: int, handoff: bool,
                channel: str) -> None:
        """The turn's analytics row; a failure here is logged, never felt by the shopper."""
        view = reply.view
        try:
            self.analytics.record_turn(TurnRecord(
                session_id=session_id, user_id=user_id, intent=reply.intent.label, confidence=reply.intent.confidence,
                query=message, products=tuple(h.product.id for h in reply.hits),
                shopping=reply.intent.label in SHOPPING_INTENTS, handoff=handoff, offer=reply.offer,
                segment=view.segment if view else None, churn_tier=view.churn_tier if view else None,
                reply_id=reply_id, channel=channel, experiments=reply.experiments))
        except Exception:
            log.exception("could not record analytics for session %s", session_id)
