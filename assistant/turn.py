"""One chat turn, the one path of every front end (terminal, /v1, widget, Gradio).

    service = build_service(settings, deps)
    for event in service.turn("where is my order?", user_id="C0015"):
        ...  # Accepted, IntentDetected, Products, Token..., Finished

A turn: store the shopper's message (durable before anything else: an acknowledged message
survives a crash) -> understand it (`assistant/understand`) -> the room that answers gathers the
facts and acts (products, orders, policies, small talk) -> the tuned model words the reply from
those facts and the check decides whether its draft or the composed reply is sent
(`assistant/reply`) -> the safety screen -> handoff ticket, analytics, stored reply. The session's
state for the next turn (cards shown, the search behind them, a question asked) rides in the
stored reply's metadata, so any process serving the session can continue it.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from assistant.admission import Admission
from assistant.analytics.events import EventLog, TurnRecord
from assistant.commands import Greet, SessionState
from assistant.deps import Deps
from assistant.dispatch import Rooms
from assistant.handoff import handoff_reason
from assistant.history import ConversationStore
from assistant.metrics import Metrics
from assistant.orders import OrderBook, build_order_book
from assistant.orders.desk import OrderDesk
from assistant.policies import PolicyIndex
from assistant.products import ProductDesk
from assistant.reply.answer import ActionNote, Answer
from assistant.reply.check import DraftCheck
from assistant.reply.talk import UNKNOWN_POLICY, Talk
from assistant.reply.writer import TEMPLATE as DRAFT_TEMPLATE
from assistant.reply.writer import ReplyWriter
from assistant.safety.guard import clean_message
from assistant.safety.screen import ReplyScreen, ScreenConfig
from assistant.types import CustomerView, Intent, IntentDetected, Products, Token
from assistant.understand import Understanding
from assistant.understand.command_text import format_commands
from retrieval.types import Hit

log = logging.getLogger(__name__)
GESTURE_ROUTES = frozenset({"greeting", "search", "recommend", "follow_up"})  # where a welcome-back gesture fits
SHOPPING_ROUTES = frozenset({"search", "recommend", "follow_up"})
# Where a turn's time goes, in order: storing the message and reading the session, understanding it, the room
# gathering its facts (search, order lookup, policy), the model's draft (prefill: until its first token,
# waiting for the model included; decode: the rest) and its check, streaming through the screen, and
# recording the reply. Each is a `<stage>_s` timing of `Finished`, of the analytics row and a `/metrics` label.
STAGES = ("accept", "understand", "gather", "prefill", "decode", "check", "stream", "record")


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
    offer: str | None = None  # the retention gesture in this reply
    action: ActionNote | None = None  # what was done to an order, if anything
    drafted: bool = False  # the tuned model's draft passed the check and was sent

    @property
    def handoff(self) -> bool:
        return self.handoff_reason is not None


EdgeEvent = Accepted | IntentDetected | Products | Token | Finished


class TurnService:
    def __init__(self, deps: Deps, store: ConversationStore, metrics: Metrics, analytics: EventLog | None = None,
                 orders: OrderBook | None = None) -> None:
        self.deps, self.store, self.metrics, self.analytics = deps, store, metrics, analytics
        catalog = deps.retriever.catalog
        titles = [p.title for p in catalog.values()]
        self.store_rules = "\n".join([*deps.policies.values(), *titles])  # what a reply may quote verbatim
        index = deps.policy_index or PolicyIndex.build(deps.policies, deps.retriever.store.embedder)
        self.orders = orders or build_order_book(deps.settings, store.engine, catalog=catalog)
        customers = getattr(deps.profiles, "customers", {})
        self.order_desk = OrderDesk(self.orders, index, {c: r.email for c, r in customers.items()},
                                    today=lambda: deps.profiles.as_of)
        self.products = ProductDesk(deps.retriever, top_k=deps.settings.retrieval.top_k)
        self.talk = Talk(deps.policies.get("retention_offers", ""), index, return_window=self.order_desk.window,
                         loyal_window=self.order_desk.loyal_window)
        self.rooms = Rooms(self.products, self.order_desk, self.talk, self.orders)
        self.understander = deps.understander
        people = [p for c in customers.values() for p in (c.name, c.email)]
        # Understanding is a burst of torch work: as many at once as there are cores for their torch threads
        # beats twenty at once fighting over two (each would spin its threads while the others run).
        threads = deps.settings.model.threads or (os.cpu_count() or 1)
        self._thinking = threading.BoundedSemaphore(max(1, (os.cpu_count() or 1) // threads))
        self.admission = Admission(deps.settings.serve.max_turns_in_flight, refused=metrics.overloaded.inc)
        prices: dict[str, set[float]] = {}
        for p in catalog.values():
            if p.price is not None:
                prices.setdefault(p.title, set()).add(p.price)
        self.writer = ReplyWriter(deps.generator, DraftCheck(titles, people, prices), enabled=deps.settings.model.draft_replies,
                                  budget_s=deps.settings.serve.first_token_budget_s)

    # -- the turn ------------------------------------------------------------------------------
    def turn(self, message: str, *, user_id: str | None, session_id: str | None = None,
             history=None, channel: str = "api", key: str | None = None) -> Iterator[EdgeEvent]:
        """`history` is accepted for the front ends' sake; the session's own stored state is what counts. `key` is
        the client's idempotency key: a message sent again with it is stored once, and answered once.
        Raises `Overloaded` (before anything is stored) when the server already works on as many turns as it takes."""
        with self.admission.slot():
            yield from self._turn(message, user_id=user_id, session_id=session_id, channel=channel, key=key)

    def _turn(self, message: str, *, user_id: str | None, session_id: str | None, channel: str,
              key: str | None) -> Iterator[EdgeEvent]:
        started = time.perf_counter()
        stages: dict[str, float] = {}
        mark = _stopwatch(stages, started)
        message = clean_message(message, max_chars=self.deps.settings.serve.max_message_chars)
        session_id = self.store.ensure_session(session_id, user_id)
        context, failures_before, previous = self._context(session_id)
        message_id = self.store.add_message(session_id, "user", message, user_id=user_id, key=key)
        mark("accept")
        yield Accepted(session_id, message_id)
        answered = self.store.reply_to(session_id, message_id) if key is not None else None
        if answered is not None:  # answered before, by this replica or another: the same reply again, nothing redone
            yield from _replayed(session_id, answered, self.deps.retriever.catalog)
            return
        understood, answer, view, treatment = self.plan(message, user_id=user_id, session_id=session_id, context=context,
                                                        mark=mark, previous=previous)
        yield IntentDetected(understood.intent)
        if answer.hits:
            yield Products(answer.hits)
        planned = time.perf_counter()
        written = self.writer.write(answer, message, system=treatment.get("system_prompt"),
                                    deadline=started + self.writer.budget_s,
                                    idle=self.admission.in_flight <= 1)
        mark("check")
        for stage in ("prefill", "decode"):  # measured inside the draft; the check stage keeps the rest
            stages[stage] = written.timings.get(f"{stage}_s", 0.0)
            stages["check"] -= stages[stage]
        if self.writer.enabled:
            self.metrics.drafts.labels(outcome=_draft_outcome(written)).inc()
        screen = ReplyScreen(ScreenConfig(allowed_text=self.store_rules + "\n" + answer.text, user_id=user_id))
        first_token_at = None
        for piece in _pieces(written.text):
            safe = screen.feed(piece)
            if first_token_at is None:
                first_token_at = time.perf_counter()
                self.metrics.first_token.observe(first_token_at - started)
            if safe:
                yield Token(safe)
        rest = screen.finish()
        if rest:
            yield Token(rest)
        text = screen.final_text
        mark("stream")
        failed = (answer.kind == "search" and not answer.hits) or answer.text == UNKNOWN_POLICY or screen.blocked is not None
        reason = answer.handoff or handoff_reason(failed=failed, failures_before=failures_before,
                                                  after_failures=self.deps.settings.serve.handoff_after_failures)
        state = carry_state(context, answer)
        meta_understood = {"commands": format_commands(understood.commands), "source": understood.source,
                           "retried": understood.retried, "fallback": understood.fallback}
        meta = {"intent": understood.intent.label, "confidence": round(understood.intent.confidence, 4), "route": answer.kind,
                "failed": failed, "products": [h.product.id for h in answer.hits], "handoff": reason, "blocked": screen.blocked,
                "template": DRAFT_TEMPLATE, "drafted": written.drafted, "draft_problems": list(written.problems),
                "offer": answer.offer, "experiments": dict(treatment.variants), "state": state,
                "action": answer.action.__dict__ if answer.action else None, "understood": meta_understood}
        reply_id = self.store.add_message(session_id, "assistant", text, user_id=user_id, meta=meta)
        ticket_id = None
        if reason:
            ticket_id = self.store.open_ticket(session_id, user_id=user_id, reason=reason).id
            self.metrics.handoffs.labels(reason=re.sub(r"\d+", "N", reason)).inc()
        if screen.blocked:
            self.metrics.blocked.labels(reason=screen.blocked).inc()
            log.warning("reply blocked (%s) session=%s", screen.blocked, session_id)
        if self.analytics is not None:
            so_far = {f"{stage}_s": stages.get(stage, 0.0) for stage in STAGES if stage != "record"}
            self._record(understood, answer, view, message, session_id, user_id, reply_id, reason is not None, channel,
                         dict(treatment.variants), so_far)
        mark("record")
        self.metrics.turns.labels(intent=understood.intent.label, channel=channel).inc()
        self.metrics.turn_seconds.observe(time.perf_counter() - started)
        for stage in STAGES:
            self.metrics.stage_seconds.labels(stage=stage).observe(stages.get(stage, 0.0))
        timings = {"plan_s": planned - started, "total_s": time.perf_counter() - started,
                   "first_token_s": (first_token_at or time.perf_counter()) - started,
                   **{f"{stage}_s": stages.get(stage, 0.0) for stage in STAGES}}
        log.info("turn user=%s route=%s intent=%s drafted=%s %.2fs", user_id, answer.kind, understood.intent.label,
                 written.drafted, timings["total_s"])
        yield Finished(session_id, text, understood.intent, answer.hits, view, reason, ticket_id, screen.blocked, timings,
                       reply_id, dict(treatment.variants), answer.offer, answer.action, written.drafted)

    def warm_up(self, message: str = "hi, do you have waterproof jackets?", service: str = "how do returns work?") -> None:
        """Understand, gather and draft one message, storing nothing: the first shopper then finds the model warm
        and the writer knowing how fast a draft is here. A service question warms the intent label pass too,
        whose first call costs several times a warm one."""
        self.plan(service, user_id=None, session_id=None, context={})
        _, answer, _, _ = self.plan(message, user_id=None, session_id=None, context={})
        self.writer.warm_up(answer, message)

    def plan(self, message: str, *, user_id: str | None, session_id: str | None, context: dict,
             mark: Callable[[str], None] = lambda stage: None, previous: str | None = None):
        """Everything a turn decides before wording: (understanding, answer, customer view, experiment treatment).
        `mark` is told when understanding and gathering the facts end (the turn's stage timings)."""
        profiles = self.deps.profiles
        if user_id is not None and user_id not in profiles:
            profiles.register(user_id)  # an id the store does not know: a new shopper, served from a cold start
        treatment = self.deps.experiments.treatment(user_id, session_id)
        weight = treatment.get("churn_weight")
        view = profiles.view(user_id) if weight is None else profiles.view(user_id, churn_weight=weight)
        state = SessionState.from_dict(context)
        with self._thinking:
            understood = self.understander.understand(message, state, previous)
        self.metrics.understood.labels(source=understood.source).inc()
        if understood.retried:
            self.metrics.understanding_retries.inc()
        mark("understand")
        answer = self.rooms.answer(understood.commands, view=view, state=state, session_id=session_id,
                                   retriever=self.deps.retriever_for(treatment))
        if (answer.kind in GESTURE_ROUTES or isinstance(understood.commands[0], Greet)) and not state.offered:
            answer = self.talk.with_gesture(answer, view, treatment.get("retention_offer", "store_rules"))
        mark("gather")
        return understood, answer, view, treatment

    # -- session state ---------------------------------------------------------------------------
    def _context(self, session_id: str) -> tuple[dict, int, str | None]:
        """The state the last reply left for this session, how many replies in a row failed, and the shopper's
        last message (the understanding models read it beside the new one)."""
        context, streak, counting, previous = {}, 0, True, None
        for stored in reversed(self.store.messages(session_id)):
            if stored.role != "assistant":
                previous = previous or stored.content
                continue
            if not context:
                context = dict(stored.meta.get("state") or {})
            if counting and stored.meta.get("failed"):
                streak += 1
            else:
                counting = False
            if context and not counting and previous:
                break
        return context, streak, previous

    def _record(self, understood: Understanding, answer: Answer, view: CustomerView, message: str, session_id: str,
                user_id: str | None, reply_id: int, handoff: bool, channel: str, variants: dict, timings: dict) -> None:
        """The turn's analytics row; a failure here is logged, never felt by the shopper."""
        try:
            self.analytics.record_turn(TurnRecord(
                session_id=session_id, user_id=user_id, intent=understood.intent.label,
                confidence=understood.intent.confidence, query=message, products=tuple(h.product.id for h in answer.hits),
                shopping=answer.kind in SHOPPING_ROUTES, handoff=handoff, offer=answer.offer, segment=view.segment,
                churn_tier=view.churn_tier, reply_id=reply_id, channel=channel, experiments=variants, timings=timings))
        except Exception:
            log.exception("could not record analytics for session %s", session_id)


def carry_state(context: dict, answer: Answer) -> dict:
    """The session state the next turn starts from: what this answer set, over what it did not replace. A change
    waiting for the shopper's yes loses a turn each time it is not answered, and is gone after the last."""
    before = SessionState.from_dict(context).to_dict()
    pending = before.get("pending")
    if pending and "pending" not in answer.context:
        pending = {**pending, "turns_left": pending.get("turns_left", 1) - 1}
        before["pending"] = pending if pending["turns_left"] > 0 else None
    state = {k: v for k, v in (before | answer.context).items() if v is not None}
    if answer.offer:
        state["offered"] = True
    return state


def _draft_outcome(written) -> str:
    """sent, replaced (the check refused it), skipped (predicted too slow) or late (cut at the deadline)."""
    if written.drafted:
        return "sent"
    problems = " ".join(written.problems)
    return "skipped" if "not written" in problems else "late" if "not in time" in problems else "replaced"


def _pieces(text: str) -> Iterator[str]:
    """The reply in word-sized pieces, so every front end streams it the same way."""
    yield from re.findall(r"\S+\s*", text)


def _stopwatch(stages: dict[str, float], started: float) -> Callable[[str], None]:
    """`mark(stage)` records the seconds since the previous mark (or `started`) under `stage`."""
    last = [started]

    def mark(stage: str) -> None:
        now = time.perf_counter()
        stages[stage] = stages.get(stage, 0.0) + now - last[0]
        last[0] = now

    return mark


def _replayed(session_id: str, reply, catalog) -> Iterator[EdgeEvent]:
    """The events of a reply already stored, rebuilt from its metadata (the client lost the first stream)."""
    meta = reply.meta
    yield Token(reply.content)
    yield Finished(session_id, reply.content, Intent(meta.get("intent", "unknown"), meta.get("confidence", 0.0)),
                   tuple(Hit(catalog[pid], 0.0) for pid in meta.get("products", ()) if pid in catalog), None,
                   meta.get("handoff"), blocked=meta.get("blocked"), reply_id=reply.id,
                   experiments=meta.get("experiments", {}), offer=meta.get("offer"),
                   action=ActionNote(**meta["action"]) if meta.get("action") else None, drafted=meta.get("drafted", False))


def build_service(settings, deps: Deps, *, store: ConversationStore | None = None, metrics: Metrics | None = None) -> TurnService:
    """The turn service on the configured conversation store, with its order book and analytics log."""
    from assistant.analytics.events import build_event_log
    from assistant.history import build_history
    from assistant.metrics import build_metrics

    store = store or build_history(settings)
    # Any shopper id is welcome (the OpenAI `user` field is opaque): the log checks products, not customers.
    analytics = build_event_log(settings, store.engine, products=deps.retriever.catalog)
    orders = build_order_book(settings, store.engine, catalog=deps.retriever.catalog)
    return TurnService(deps, store, metrics or build_metrics(), analytics, orders)
