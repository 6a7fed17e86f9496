"""The shopping gate: its features, its threshold rule, and the shipped gate on real messages."""

from __future__ import annotations

import json

import numpy as np
import pytest

from assistant.understand.gate import FEATURES, GATE_FILE, ShoppingGate, gate_features, load_gate
from assistant.understand.intent import INTENTS
from finetune.gate import group_of, pick_threshold


def head_for(label: str, strength: float = 4.0) -> list[float]:
    """Log-probabilities of a head that puts most of its mass on `label`."""
    scores = np.full(len(INTENTS), -strength)
    scores[list(INTENTS).index(label)] = 0.0
    return list(scores - np.log(np.exp(scores).sum()))


def test_features_lean_to_shopping_for_a_shopping_head_and_away_for_out_of_scope():
    shop, oos = gate_features(head_for("product_search"), 0.6, True), gate_features(head_for("out_of_scope"), 0.2, False)
    assert len(shop) == len(FEATURES) and shop[0] > 0 > oos[0] and shop[3] > oos[3]


def test_the_threshold_serves_the_worst_group_not_the_biggest():
    probabilities = np.array([0.9, 0.8, 0.7, 0.35, 0.3, 0.2, 0.1, 0.05, 0.05, 0.05])
    groups = ["shopping", "shopping", "shopping", "out_of_scope", "out_of_scope", "out_of_scope", "service", "service",
              "service", "service"]
    threshold, table = pick_threshold(probabilities, groups)
    assert 0.35 < threshold <= 0.7 and table[f"{threshold:.2f}"] == {"shopping": 1.0, "out_of_scope": 1.0, "service": 1.0}
    assert group_of("place_order") == "shopping" and group_of("out_of_scope") == "out_of_scope" and group_of("track_order") == "service"


def test_a_gate_fitted_on_other_features_is_refused(tmp_path):
    gate = ShoppingGate((1.0,) * len(FEATURES), 0.0, 0.5, (0.0,) * len(FEATURES), (1.0,) * len(FEATURES))
    (tmp_path / GATE_FILE).write_text(json.dumps(gate.to_json() | {"features": ["old"]}))
    with pytest.raises(ValueError, match="refit"):
        load_gate(tmp_path)
    assert load_gate(None) is None


@pytest.mark.e2e
def test_the_shipped_gate_tells_shoppers_from_stray_requests(embedder):
    from assistant.settings import REPO_ROOT
    from assistant.understand.intent import load_intent_head
    from data.load import load_catalog
    from finetune.gate import CatalogMatcher

    adapter = REPO_ROOT / "finetune" / "adapter"
    gate, head = load_gate(adapter), load_intent_head(adapter, embedder)
    matcher = CatalogMatcher.build(load_catalog(REPO_ROOT / "data" / "demo" / "catalog.jsonl").records, embedder)
    texts = ["noise cancelling headphones under $60", "sunscreen", "gaming laptop", "something warm for skiing",
             "how tall is mount everest", "book me a flight to rome", "what's 17 times 23", "play some jazz"]
    vectors = embedder.encode(texts, normalize_embeddings=True)
    said = [gate.is_shopping(gate_features(head.log_probs(t), s, n)) for t, (s, n) in zip(texts, matcher.evidence(texts, vectors))]
    assert said == [True] * 4 + [False] * 4
