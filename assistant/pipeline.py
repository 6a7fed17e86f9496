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
from dataclasses import dataclass, replace
from typing import Protocol

from assistant.generate import Generator
from assistant.grounding import GroundingGuard
from assistant.guard import clean_message
from assistant.intent import SHOPPING_INTENTS
from assistant.profile import ProfileBook
from assistant.prompt import build_prompt
from assistant.settings import Settings
from assistant.types import CustomerView, Done, Hit, Intent, IntentDetected, Products, Reply, Token, Turn, TurnEvent

log = logging.getLogger(__name__)
HANDOFF_INTENTS = frozenset({"contact_human_agent", "complaint"})


class IntentDetector(Protocol):
    def classify(self, text: str) -> Intent: ...


class Retriever(Protocol):
    def search(self, query: str, k: int, *, view: CustomerView | None = None) -> list[Hit]: ...


@dataclass
class Deps:
    settings: Settings
    intents: IntentDetector
    retriever: Retriever
    profiles: ProfileBook
    generator: Generator
    policies: dict[str, str]
    grounding: GroundingGuard | None = None  # drops ungrounded product names, prices and codes


def run_turn(turn: Turn, deps: Deps) -> Iterator[TurnEvent]:
    started = time.perf_counter()
    message = clean_message(turn.message, max_chars=deps.settings.serve.max_message_chars)
    turn = replace(turn, message=message)
    view = deps.profiles.view(turn.user_id)  # raises UnknownUser before any work is done
    intent = deps.intents.classify(message)
    yield IntentDetected(intent)
    timings = {"intent_s": time.perf_counter() - started}
    hits: list[Hit] = []
    if intent.label in SHOPPING_INTENTS:
        hits = deps.retriever.search(message, deps.settings.retrieval.top_k, view=view)
        yield Products(tuple(hits))
    timings["retrieval_s"] = time.perf_counter() - started - timings["intent_s"]
    prompt = build_prompt(turn, intent, hits, view, deps.policies)
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
    from assistant.intent import ModelIntentClassifier, intent_config_for, load_intent_head
    from assistant.model import load_chat_model
    from assistant.profile import load_profile_book
    from data.load import load_policies
    from retrieval.search import build_retriever

    say = progress or (lambda message: None)
    say("loading the product index")
    retriever = build_retriever(settings, progress=progress is not None)
    say("loading customer profiles")
    profiles = load_profile_book(settings.store_dir, retriever.catalog, home=settings.home)
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
    )
