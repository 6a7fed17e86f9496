"""Understanding in milliseconds without new decisions: the gate decides before the tuned model runs, the
message is embedded once (the product store's query vector feeds the head, the catalog evidence and the
policy score), and a classifier without the two stages still routes exactly as before."""

from __future__ import annotations

import math

import numpy as np
import pytest

from assistant.types import Intent
from assistant.understand import Understander
from assistant.understand.gate import ShoppingGate
from assistant.understand.intent import INTENTS, EmbeddingHead
from tests.conftest import shared_retriever

# Shopping exactly when the message names a category, brand or type of the store (the fifth feature).
NAMES_GATE = ShoppingGate(coef=(0.0, 0.0, 0.0, 0.0, 10.0), intercept=-5.0, threshold=0.5, mean=(0.0,) * 5, scale=(1.0,) * 5)


def _head(label: str) -> list[float]:
    """Log-probabilities in INTENTS order with `label` at 0.9."""
    rest = math.log(0.1 / (len(INTENTS) - 1))
    return [math.log(0.9) if name == label else rest for name in INTENTS]


class StagedIntent:
    """A two-stage classifier: the head is cheap, `intent_from` (the tuned model) is counted."""

    def __init__(self, label: str, confidence: float = 0.8, head_label: str = "out_of_scope") -> None:
        self.label, self.confidence, self.head_label = label, confidence, head_label
        self.model_calls, self.vectors = 0, []

    def head_log_probs(self, text: str, vector=None) -> list[float]:
        self.vectors.append(vector)
        return _head(self.head_label)

    def intent_from(self, text: str, head) -> Intent:
        self.model_calls += 1
        return Intent(self.label, self.confidence, scores=((self.label, self.confidence), ("out_of_scope", 0.15)))

    def analyse(self, text: str):
        return self.intent_from(text, None), self.head_log_probs(text)

    def classify(self, text: str) -> Intent:
        return self.analyse(text)[0]


class OneStage:
    """The same answers through `analyse` only (the simulation's cache, older classifiers)."""

    def __init__(self, staged: StagedIntent) -> None:
        self.staged = staged

    def analyse(self, text: str):
        return self.staged.intent_from(text, None), _head(self.staged.head_label)

    def classify(self, text: str) -> Intent:
        return self.analyse(text)[0]


@pytest.fixture
def retriever(settings):
    return shared_retriever(settings)


def test_a_message_the_gate_sends_to_search_never_runs_the_tuned_model(retriever):
    classifier = StagedIntent("out_of_scope", head_label="product_search")
    understood = Understander(classifier, NAMES_GATE, retriever, order_exists=lambda oid: False).understand("rain jacket", {})
    assert understood.route == "search" and classifier.model_calls == 0
    assert understood.intent.label == "product_search" and not understood.intent.abstained
    assert understood.intent.confidence == pytest.approx(0.9) and understood.shopping >= NAMES_GATE.threshold


def test_the_head_s_own_shopping_label_is_kept_and_any_other_reads_product_search(retriever):
    understander = Understander(StagedIntent("out_of_scope", head_label="place_order"), NAMES_GATE, retriever,
                                order_exists=lambda oid: False)
    assert understander.understand("rain jacket", {}).intent.label == "place_order"
    understander = Understander(StagedIntent("out_of_scope", head_label="greeting"), NAMES_GATE, retriever,
                                order_exists=lambda oid: False)
    assert understander.understand("rain jacket", {}).intent.label == "product_search"


def test_a_message_the_gate_doubts_is_labelled_by_the_tuned_model(retriever):
    classifier = StagedIntent("complaint")
    understood = Understander(classifier, NAMES_GATE, retriever, order_exists=lambda oid: False).understand(
        "this is the worst service ever", {})
    assert understood.route == "complaint" and classifier.model_calls == 1


@pytest.mark.parametrize(("label", "confidence", "text"), [
    ("out_of_scope", 0.8, "rain jacket"),  # the gate: search
    ("out_of_scope", 0.8, "what's the weather in Paris?"),  # decline
    ("product_search", 0.95, "a thing for the weekend"),  # the model is sure, the gate doubts: search
    ("product_search", 0.5, "a thing for the weekend"),  # neither is: the best other label
    ("out_of_scope", 0.8, "flamingo"),  # bare nouns: search
    ("contact_customer_service", 0.8, "the number for support?"),
    ("track_order", 0.8, "status of order"),
    ("delivery_options", 0.8, "do you ship abroad"),
    ("greeting", 0.8, "yo what's up with you"),
])
def test_two_stages_route_exactly_as_one(retriever, label, confidence, text):
    staged = StagedIntent(label, confidence)
    policy = lambda text: 0.3  # noqa: E731
    fast = Understander(staged, NAMES_GATE, retriever, order_exists=lambda oid: False, policy_score=policy).understand(text, {})
    slow = Understander(OneStage(StagedIntent(label, confidence)), NAMES_GATE, retriever, order_exists=lambda oid: False,
                        policy_score=policy).understand(text, {})
    assert (fast.route, fast.text, fast.social, fast.shopping) == (slow.route, slow.text, slow.social, slow.shopping)
    if fast.route != "search":
        assert fast.intent == slow.intent


def test_the_message_is_embedded_once_for_head_evidence_and_policy(retriever, monkeypatch):
    text = "what's the weather in Paris?"
    retriever.store.query_vector.cache_clear()
    embedded = []
    original = retriever.store.embed
    monkeypatch.setattr(retriever.store, "embed", lambda texts, **kw: embedded.extend(texts) or original(texts, **kw))
    got = []
    classifier = StagedIntent("out_of_scope")
    understander = Understander(classifier, NAMES_GATE, retriever, order_exists=lambda oid: False,
                                policy_score=lambda text, vector=None: got.append(vector) or 0.0)
    assert understander.understand(text, {}).route == "decline"
    assert embedded == [text]  # the head, the catalog evidence and the policy score shared one vector
    vector = retriever.store.query_vector(text)
    assert classifier.vectors[0] is vector and got == [vector]


def test_a_policy_score_without_a_vector_is_still_asked_by_the_text(retriever):
    asked = []
    understander = Understander(StagedIntent("out_of_scope"), NAMES_GATE, retriever, order_exists=lambda oid: False,
                                policy_score=lambda text: asked.append(text) or 0.99)
    assert understander.understand("when is my card charged?", {}).route == "policy" and asked == ["when is my card charged?"]


def test_the_head_reads_a_given_vector_as_it_reads_the_text(tmp_path, embedder):
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "head.npz", classes=np.array(list(INTENTS)), coef=rng.normal(size=(len(INTENTS), 384)),
             intercept=rng.normal(size=len(INTENTS)))
    head = EmbeddingHead(tmp_path / "head.npz", embedder)
    text = "do you have waterproof hiking boots?"
    vector = embedder.encode([text], normalize_embeddings=True)[0]
    assert head.log_probs(text, vector) == pytest.approx(head.log_probs(text), abs=1e-6)
