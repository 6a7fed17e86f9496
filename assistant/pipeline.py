"""One chat turn, end to end: intent -> retrieval -> customer view -> prompt -> streamed reply.

    deps = build_deps(get_settings())
    for event in run_turn(Turn("waterproof jacket under $100", user_id="C0001"), deps):
        ...  # IntentDetected, Products, Token..., Done

Every front end (terminal, Gradio, HTTP) renders this one event stream.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from assistant.experiments import ExperimentBook, Treatment
from assistant.generate import Generator
from assistant.grounding import GroundingGuard
from assistant.guard import clean_message
from assistant.intent import SHOPPING_INTENTS
from assistant.profile import ProfileBook
from assistant.prompt import SYSTEM, build_prompt, retention_offer
from assistant.settings import Settings
from assistant.types import (CustomerView, Done, Hit, Intent, IntentDetected, Products, Prompt, Reply, Token, Turn,
                             TurnEvent)

log = logging.getLogger(__name__)
HANDOFF_INTENTS = frozenset({"contact_human_agent", "complaint"})


class IntentDetector(Protocol):
    def classify(self, text: str) -> Intent: ...


class Retriever(Protocol):
    def search(self, query: str, k: int, *, view: CustomerView | None = None) -> list[Hit]: ...

    def with_config(self, **changes: Any) -> Retriever: ...


@dataclass
class Deps:
    settings: Settings
    intents: IntentDetector
    retriever: Retriever
    profiles: ProfileBook
    generator: Generator
    policies: dict[str, str]
    grounding: GroundingGuard | None = None  # drops ungrounded product names, prices and codes
    experiments: ExperimentBook = field(default_factory=lambda: ExperimentBook([]))
    _variant_retrievers: dict[tuple, Any] = field(default_factory=dict, repr=False, init=False)

    def retriever_for(self, treatment: Treatment) -> Retriever:
        """The retriever a treatment asks for (other fusion or profile weights), built once per variant."""
        changes = dict(treatment.get("fusion") or {})
        if treatment.get("profile_weight") is not None:
            changes["profile_weight"] = treatment.get("profile_weight")
        if not changes:
            return self.retriever
        key = tuple(sorted(changes.items()))
        if key not in self._variant_retrievers:
            self._variant_retrievers[key] = self.retriever.with_config(**changes)
        return self._variant_retrievers[key]


@dataclass(frozen=True)
class TurnPlan:
    """Everything a turn decides before the model writes: the reply is generated from `prompt`."""

    intent: Intent
    hits: list[Hit]
    view: CustomerView
    prompt: Prompt
    offer: str | None
    treatment: Treatment


def plan_turn(turn: Turn, deps: Deps, timings: dict[str, float] | None = None) -> Iterator[IntentDetected | Products | TurnPlan]:
    """Intent, products, customer view, experiment variants and prompt; the plan comes last."""
    started = time.perf_counter()
    timings = timings if timings is not None else {}
    treatment = deps.experiments.treatment(turn.user_id, turn.session_id)
    churn_weight = treatment.get("churn_weight")  # raises UnknownUser below before any work is done
    view = deps.profiles.view(turn.user_id) if churn_weight is None else deps.profiles.view(turn.user_id, churn_weight=churn_weight)
    intent = deps.intents.classify(turn.message)
    yield IntentDetected(intent)
    timings["intent_s"] = time.perf_counter() - started
    hits: list[Hit] = []
    if intent.label in SHOPPING_INTENTS:
        hits = deps.retriever_for(treatment).search(turn.message, deps.settings.retrieval.top_k, view=view)
        yield Products(tuple(hits))
    timings["retrieval_s"] = time.perf_counter() - started - timings["intent_s"]
    offer_policy = treatment.get("retention_offer", "store_rules")
    prompt = build_prompt(turn, intent, hits, view, deps.policies, system=treatment.get("system_prompt", SYSTEM),
                          offer_policy=offer_policy)
    yield TurnPlan(intent, hits, view, prompt, retention_offer(view, intent, offer_policy), treatment)


def run_turn(turn: Turn, deps: Deps) -> Iterator[TurnEvent]:
    started = time.perf_counter()
    message = clean_message(turn.message, max_chars=deps.settings.serve.max_message_chars)
    turn = replace(turn, message=message)
    timings: dict[str, float] = {}
    plan = None
    for step in plan_turn(turn, deps, timings):
        if isinstance(step, TurnPlan):
            plan = step
        else:
            yield step
    intent, hits, view, prompt = plan.intent, plan.hits, plan.view, plan.prompt
    pieces: list[str] = []
    first_token_at = None
    stream = deps.generator.stream(prompt)
    if deps.grounding is not None:
        stream = deps.grounding.stream(stream, hits)
    for piece in stream:
        if first_token_at is None:
            first_token_at = time.perf_counter()
        pieces.append(piece)
        yield Token(piece)
    timings["first_token_s"] = (first_token_at or time.perf_counter()) - started
    timings["total_s"] = time.perf_counter() - started
    reply = Reply(
        text="".join(pieces).strip(),
        intent=intent,
        hits=tuple(hits),
        view=view,
        prompt_template=prompt.template,
        handoff=intent.label in HANDOFF_INTENTS,
        timings=timings,
        offer=plan.offer,
        experiments=dict(plan.treatment.variants),
    )
    log.info("turn user=%s intent=%s hits=%d template=%s %.2fs", turn.user_id, intent.label, len(hits), prompt.template, timings["total_s"])
    yield Done(reply)


def answer(turn: Turn, deps: Deps) -> Reply:
    """The final reply of a turn, for callers that do not stream."""
    for event in run_turn(turn, deps):
        if isinstance(event, Done):
            return event.reply
    raise RuntimeError("run_turn ended without a reply")


def build_deps(settings: Settings, *, progress: Callable[[str], None] | None = None) -> Deps:
    """Load models, data and the index (building or refreshing it on first run)."""
    from assistant.generate import ChatGenerator
    from assistant.experiments import load_experiments
    from assistant.intent import ModelIntentClassifier, intent_config_for, load_intent_head
    from assistant.model import load_chat_model
    from assistant.profile import load_profile_book, profile_config
    from data.load import load_policies
    from retrieval.search import build_retriever

    say = progress or (lambda message: None)
    experiments = load_experiments(settings.experiments.file)  # a bad file fails before models load
    say("loading the product index")
    retriever = build_retriever(settings, progress=progress is not None)
    say("loading customer profiles")
    profiles = load_profile_book(settings.store_dir, retriever.catalog, home=settings.home, config=profile_config(settings))
    say("loading the chat model")
    loaded = load_chat_model(settings)
    return Deps(
        settings=settings,
        intents=ModelIntentClassifier(loaded, intent_config_for(loaded, settings.model.intent_threshold), load_intent_head(loaded.adapter, retriever.store.embedder)),
        retriever=retriever,
        profiles=profiles,
        generator=ChatGenerator(loaded, settings.model),
        policies=(policies := load_policies(settings.store_dir / "policies")),
        grounding=GroundingGuard(retriever.catalog, policies),
        experiments=experiments,
    )
