"""Fitting the shopping gate (`assistant/understand/gate.py`) on rows of every class.

    shopassist finetune gate --data runs/data --adapter finetune/adapter     # writes gate.json beside the adapter

Training rows: the intent training file (shopping queries from WANDS and from the store's own
catalog, service questions, greetings, out-of-scope requests). The head's probabilities for them
are cross-fitted (each fold scored by a head that did not train on it), so the gate learns how far
to trust the head on text it has not seen. Evidence comes from the store's catalog (nearest
product, named category/brand/type). The threshold is chosen on a calibration split that the
gate never trains on: even rows of `intents_dev_real.csv` (real service and out-of-scope
utterances) and even rows of the held-out WANDS query classes (real shopping queries).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.understand.intent import INTENTS, SHOPPING_INTENTS
from data.schema import Product

FOLDS = 5


@dataclass
class CatalogMatcher:
    """The catalog evidence of `ProductSearch.evidence`, for a catalog held in memory (no Chroma needed)."""

    vectors: object  # (products, dim) unit rows
    vocabulary: object  # retrieval.constraints.Vocabulary

    @classmethod
    def build(cls, products: Sequence[Product], embedder, *, max_tokens: int = 128) -> CatalogMatcher:
        from retrieval.constraints import Vocabulary

        previous = embedder.max_seq_length
        embedder.max_seq_length = max_tokens  # as the product index embeds them
        try:
            vectors = embedder.encode([p.text() for p in products], normalize_embeddings=True, batch_size=64)
        finally:
            embedder.max_seq_length = previous
        return cls(vectors, Vocabulary.from_products(products))

    def evidence(self, texts: Sequence[str], text_vectors) -> list[tuple[float, bool]]:
        similarity = (text_vectors @ self.vectors.T).max(axis=1)
        return [(float(s), self.vocabulary.names_something(t)) for s, t in zip(similarity, texts)]


def read_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def head_log_probs(train_x, train_y: list[str], x) -> object:
    """(rows, labels in INTENTS order) log-probabilities of a head trained on (train_x, train_y)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(max_iter=2000, C=10.0).fit(train_x, train_y)
    proba = clf.predict_proba(x)
    out = np.full((len(x), len(INTENTS)), -1e4)
    for j, label in enumerate(clf.classes_):
        out[:, list(INTENTS).index(label)] = np.log(np.maximum(proba[:, j], 1e-12))
    return out


def cross_fitted(x, y: list[str], *, seed: int = 13) -> object:
    """Each row scored by a head trained on the other folds."""
    import numpy as np

    rng = np.random.default_rng(seed)
    fold = rng.integers(0, FOLDS, len(y))
    out = np.zeros((len(y), len(INTENTS)))
    labels = np.array(y)
    for k in range(FOLDS):
        train, test = fold != k, fold == k
        out[test] = head_log_probs(x[train], labels[train].tolist(), x[test])
    return out


def features(head_rows, evidence: list[tuple[float, bool]]) -> object:
    import numpy as np

    from assistant.understand.gate import gate_features

    return np.array([gate_features(list(h), s, n) for h, (s, n) in zip(head_rows, evidence)])


def pick_threshold(probabilities, groups) -> tuple[float, dict]:
    """The threshold whose worst group does best: shopping queries must pass, out-of-scope requests and
    service questions must not (each group counts alone, so 360 easy service rows cannot outvote the
    out-of-scope ones). Ties go to the lowest threshold: a shopper dropped costs more than a stray search."""
    import numpy as np

    groups = np.asarray(groups)
    best = (-1.0, 0.5)
    table = {}
    for threshold in np.round(np.arange(0.05, 0.96, 0.05), 2):
        said = probabilities >= threshold
        recalls = {g: float((said[groups == g] if g == "shopping" else ~said[groups == g]).mean())
                   for g in ("shopping", "out_of_scope", "service") if (groups == g).any()}
        table[f"{threshold:.2f}"] = {g: round(r, 4) for g, r in recalls.items()}
        score = min(recalls.values()) + 1e-3 * sum(recalls.values())
        if score > best[0] + 1e-9:
            best = (score, float(threshold))
    return best[1], table


def group_of(intent: str) -> str:
    return "shopping" if intent in SHOPPING_INTENTS else intent if intent == "out_of_scope" else "service"


def fit_gate(data: Path, adapter: Path, *, catalog: Sequence[Product], dev: Path,
             progress: Callable[[str], None] = print) -> dict:
    """Fit the gate, choose its threshold on the calibration split, save gate.json; returns the fit's figures."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from assistant.understand.gate import FEATURES, GATE_FILE, ShoppingGate
    from retrieval.embed import load_embedder

    embedder = load_embedder()
    matcher = CatalogMatcher.build(catalog, embedder)
    train = read_rows(data / "intents_train.csv")
    texts, labels = [r["text"] for r in train], [r["intent"] for r in train]
    progress(f"embedding {len(texts)} training rows")
    x = embedder.encode(texts, normalize_embeddings=True, batch_size=64, show_progress_bar=True)
    train_features = features(cross_fitted(x, labels), matcher.evidence(texts, x))
    shopping = np.array([label in SHOPPING_INTENTS for label in labels])
    mean, scale = train_features.mean(axis=0), train_features.std(axis=0) + 1e-9
    model = LogisticRegression(max_iter=1000, C=1.0).fit((train_features - mean) / scale, shopping)
    calibration = calibration_rows(data, dev, part=0)
    cal_texts = [r["text"] for r in calibration]
    cal_x = embedder.encode(cal_texts, normalize_embeddings=True, batch_size=64)
    cal_features = features(head_log_probs(x, labels, cal_x), matcher.evidence(cal_texts, cal_x))
    z = model.intercept_[0] + ((cal_features - mean) / scale) @ model.coef_[0]
    threshold, table = pick_threshold(1 / (1 + np.exp(-z)), [group_of(r["intent"]) for r in calibration])
    gate = ShoppingGate(tuple(float(c) for c in model.coef_[0]), float(model.intercept_[0]), threshold,
                        tuple(float(m) for m in mean), tuple(float(s) for s in scale))
    saved = gate.to_json() | {"fitted_on": {"train": str(data / "intents_train.csv"), "rows": len(train),
                                            "calibration": f"even rows of {dev} and of the held-out WANDS classes",
                                            "calibration_rows": len(calibration)},
                              "threshold_table": table}
    (adapter / GATE_FILE).write_text(json.dumps(saved, indent=2) + "\n", encoding="utf-8")
    return {"gate": str(adapter / GATE_FILE), "threshold": threshold,
            "coefficients": dict(zip(FEATURES, (round(float(c), 3) for c in model.coef_[0])))}


def calibration_rows(data: Path, dev: Path, *, part: int) -> list[dict]:
    """Even (part 0: calibration) or odd (part 1: evaluation) rows of the dev set and the held-out WANDS queries."""
    dev_rows = read_rows(dev)
    wands = [r for r in read_rows(data / "intents_heldout.csv") if r["source"] == "wands-heldout"]
    return dev_rows[part::2] + wands[part::2]
