"""The shopping gate: is this message a product search? Decided from the words and from the store's catalog.

    gate = load_gate(adapter_dir)
    features = gate_features(head_log_probs, evidence)       # evidence = retriever.evidence(text)
    gate.is_shopping(features)

The words alone send "sunscreen" or "gaming laptop" to out-of-scope (a 135M model and a small head
have seen few of the things a store sells); the catalog knows them. Five features: the embedding
head's log-odds of shopping against out-of-scope, against the best service intent and against small
talk; the cosine similarity of the nearest product; whether the message names a category, brand or
product type of the store. A logistic regression over them (`finetune/gate.py`, trained on rows of
every class, its threshold chosen on a calibration split) is saved beside the adapter as gate.json.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from assistant.understand.intent import INTENTS, OUT_OF_SCOPE, SHOPPING_INTENTS

GATE_FILE = "gate.json"
FEATURES = ("shop_vs_oos", "shop_vs_service", "shop_vs_social", "similarity", "names")
SOCIAL = ("greeting", "goodbye")
_LABELS = list(INTENTS)


def _logsumexp(values: list[float]) -> float:
    top = max(values)
    return top + math.log(sum(math.exp(v - top) for v in values))


def gate_features(head: list[float], similarity: float, names: bool) -> list[float]:
    """The gate's inputs, in FEATURES order; `head` holds the head's log-probabilities in INTENTS order."""
    lp = dict(zip(_LABELS, head))
    shop = _logsumexp([lp[label] for label in SHOPPING_INTENTS])
    service = max(v for k, v in lp.items() if k not in SHOPPING_INTENTS and k != OUT_OF_SCOPE and k not in SOCIAL)
    social = _logsumexp([lp[label] for label in SOCIAL])
    return [shop - lp[OUT_OF_SCOPE], shop - service, shop - social, similarity, float(names)]


@dataclass(frozen=True)
class ShoppingGate:
    coef: tuple[float, ...]
    intercept: float
    threshold: float  # probability at or above which a message is a product search
    mean: tuple[float, ...]  # feature standardization, fitted with the coefficients
    scale: tuple[float, ...]

    def probability(self, features: list[float]) -> float:
        z = self.intercept + sum(c * (x - m) / s for c, x, m, s in zip(self.coef, features, self.mean, self.scale))
        return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))

    def is_shopping(self, features: list[float]) -> bool:
        return self.probability(features) >= self.threshold

    def to_json(self) -> dict:
        return {"features": list(FEATURES), "coef": list(self.coef), "intercept": self.intercept,
                "threshold": self.threshold, "mean": list(self.mean), "scale": list(self.scale)}


def load_gate(adapter: Path | None) -> ShoppingGate | None:
    """The gate fitted with this adapter's head; None when there is none (the intent label alone decides)."""
    if adapter is None or not (adapter / GATE_FILE).exists():
        return None
    data = json.loads((adapter / GATE_FILE).read_text(encoding="utf-8"))
    if tuple(data.get("features", ())) != FEATURES:
        raise ValueError(f"{adapter / GATE_FILE} was fitted on other features: refit it with `shopassist finetune gate`")
    return ShoppingGate(tuple(data["coef"]), float(data["intercept"]), float(data["threshold"]), tuple(data["mean"]),
                        tuple(data["scale"]))
