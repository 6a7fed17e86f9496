"""Intent evaluation: the tuned model's label scores against two baselines from the same run.

    shopassist evaluate intents --data ../shared/datasets/intents_dev_real.csv --train runs/data/intents_train.csv
    shopassist finetune eval --adapter finetune/adapter        # calibrate T + threshold on the dev set

Last stdout line is JSON: n, accuracy (out_of_scope is a class), in_scope_accuracy, oos_recall,
oos_auroc, macro_f1, latency_ms_p50, and `baselines` (TF-IDF + LR, MiniLM + LR) trained on the
same training file. A confusion-matrix PNG is written beside.
"""

from __future__ import annotations

import json
import math
import statistics
import time
from pathlib import Path

from assistant.understand.intent import CALIBRATION_FILE, INTENTS, OUT_OF_SCOPE
from data.errors import BadInput
from finetune.dataset import read_table

LABELS = list(INTENTS)


def load_labelled(path: Path) -> tuple[list[str], list[str]]:
    rows = read_table(Path(path), ("text", "intent"))
    unknown = sorted({r["intent"] for r in rows} - set(INTENTS))
    if unknown:
        raise BadInput(f"{path} has labels outside the taxonomy: {', '.join(unknown)}",
                       hint="use the 31 labels of assistant.understand.intent.INTENTS (see datasets/README.md)")
    return [r["text"] for r in rows], [r["intent"] for r in rows]


def decide(probs: list[float], threshold: float) -> tuple[str, float]:
    """(label, out-of-scope score): abstain below the threshold; score = 1 - best in-scope prob."""
    oos = LABELS.index(OUT_OF_SCOPE)
    best = max(range(len(probs)), key=probs.__getitem__)
    in_scope = max(p for i, p in enumerate(probs) if i != oos)
    label = LABELS[best] if probs[best] >= threshold or best == oos else OUT_OF_SCOPE
    return label, 1.0 - in_scope


def metrics(gold: list[str], pred: list[str], oos_scores: list[float]) -> dict:
    from sklearn.metrics import f1_score, roc_auc_score

    n = len(gold)
    inscope = [(g, p) for g, p in zip(gold, pred) if g != OUT_OF_SCOPE]
    oos = [p for g, p in zip(gold, pred) if g == OUT_OF_SCOPE]
    is_oos = [int(g == OUT_OF_SCOPE) for g in gold]
    return {
        "n": n,
        "accuracy": round(sum(g == p for g, p in zip(gold, pred)) / n, 4),
        "in_scope_accuracy": round(sum(g == p for g, p in inscope) / len(inscope), 4) if inscope else None,
        "oos_recall": round(sum(p == OUT_OF_SCOPE for p in oos) / len(oos), 4) if oos else None,
        "oos_auroc": round(roc_auc_score(is_oos, oos_scores), 4) if 0 < sum(is_oos) < n else None,
        "macro_f1": round(f1_score(gold, pred, labels=sorted(set(gold)), average="macro", zero_division=0), 4),
    }


def fit_temperature(log_scores: list[list[float]], gold: list[str]) -> float:
    """Temperature minimizing the negative log-likelihood of the gold labels (grid search)."""
    best, best_nll = 1.0, math.inf
    for t in [0.25 * 1.25**k for k in range(25)]:
        nll = 0.0
        for scores, g in zip(log_scores, gold):
            scaled = [s / t for s in scores]
            top = max(scaled)
            nll -= scaled[LABELS.index(g)] - top - math.log(sum(math.exp(s - top) for s in scaled))
        if nll < best_nll:
            best, best_nll = t, nll
    return best


def pick_threshold(probs: list[list[float]], gold: list[str]) -> float:
    """The abstain threshold with the best accuracy on the dev set."""
    grid = [i / 100 for i in range(0, 96)]
    return max(grid, key=lambda th: (sum(decide(p, th)[0] == g for p, g in zip(probs, gold)), -th))


def softmax(scores: list[float], temperature: float) -> list[float]:
    top = max(s / temperature for s in scores)
    weights = [math.exp(s / temperature - top) for s in scores]
    total = sum(weights)
    return [w / total for w in weights]


def baselines(train_csv: Path, texts: list[str], gold: list[str]) -> dict:
    """TF-IDF + LR and MiniLM + LR trained on the same training file, scored the same way."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from retrieval.embed import load_embedder

    train_texts, train_gold = load_labelled(train_csv)
    out = {}
    tfidf = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)
    embedder = load_embedder()
    features = {
        "tfidf_lr": (tfidf.fit_transform(train_texts), lambda: tfidf.transform(texts)),
        "minilm_lr": (embedder.encode(train_texts, normalize_embeddings=True), lambda: embedder.encode(texts, normalize_embeddings=True)),
    }
    for name, (x_train, x_test) in features.items():
        clf = LogisticRegression(max_iter=2000, C=10.0).fit(x_train, train_gold)
        started = time.perf_counter()
        proba = clf.predict_proba(x_test())
        latency = (time.perf_counter() - started) * 1000 / max(1, len(texts))
        probs = [[row[list(clf.classes_).index(l)] if l in clf.classes_ else 0.0 for l in LABELS] for row in proba]
        decided = [decide(p, 0.0) for p in probs]
        out[name] = metrics(gold, [d[0] for d in decided], [d[1] for d in decided]) | {"latency_ms_mean": round(latency, 3)}
    return out


def fit_intent_head(train_csv: Path, adapter: Path) -> Path:
    """Train the embedding head on the adapter's training file and save it beside the adapter."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from assistant.understand.intent import HEAD_FILE
    from retrieval.embed import load_embedder

    texts, gold = load_labelled(train_csv)
    features = load_embedder().encode(texts, normalize_embeddings=True, show_progress_bar=True)
    clf = LogisticRegression(max_iter=2000, C=10.0).fit(features, gold)
    path = adapter / HEAD_FILE
    np.savez(path, coef=clf.coef_.astype("float32"), intercept=clf.intercept_.astype("float32"), classes=np.array(clf.classes_, dtype=str))
    return path


def plot_confusion(gold: list[str], pred: list[str], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import ConfusionMatrixDisplay

    labels = sorted(set(gold) | set(pred))
    fig, ax = plt.subplots(figsize=(11, 10))
    ConfusionMatrixDisplay.from_predictions(gold, pred, labels=labels, ax=ax, xticks_rotation=90, colorbar=False, include_values=len(labels) <= 16)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def score_texts(classifier, texts: list[str]) -> tuple[list[list[float]], list[float]]:
    """Raw label log-scores and per-message latency (ms), batch of one, with a progress bar."""
    from tqdm.auto import tqdm

    scores, latencies = [], []
    classifier.scores("hello")  # warm-up: builds the prefix cache, loads the head's embedder
    for text in tqdm(texts, desc="intents", leave=False):
        started = time.perf_counter()
        scores.append(classifier.scores(text))
        latencies.append((time.perf_counter() - started) * 1000)
    return scores, latencies


def evaluate_intents(data: Path, train_csv: Path, settings, *, out_dir: Path) -> dict:
    from assistant.generation.model import load_chat_model
    from assistant.understand.intent import ModelIntentClassifier, intent_config_for, load_intent_head

    texts, gold = load_labelled(data)
    if not train_csv.exists():
        raise BadInput(f"training file {train_csv} does not exist", hint="run `shopassist finetune build-data --out runs/data` first")
    loaded = load_chat_model(settings)
    config = intent_config_for(loaded, settings.model.intent_threshold)
    scores, latencies = score_texts(ModelIntentClassifier(loaded, config, load_intent_head(loaded.adapter)), texts)
    decided = [decide(softmax(s, config.temperature), config.threshold) for s in scores]
    pred = [d[0] for d in decided]
    result = metrics(gold, pred, [d[1] for d in decided])
    result["latency_ms_p50"] = round(statistics.median(latencies), 2)
    result["adapter"] = str(loaded.adapter) if loaded.adapter else None
    result["baselines"] = baselines(train_csv, texts, gold)
    out_dir.mkdir(parents=True, exist_ok=True)
    plot_confusion(gold, pred, out_dir / "intent_confusion.png")
    result["confusion_png"] = str(out_dir / "intent_confusion.png")
    return result


HEAD_WEIGHTS = [i / 10 for i in range(11)]
PER_SOURCE = 300  # rows per held-out source scored for the fusion weight (seeded sample; keeps it to about a minute)


def heldout_for(adapter: Path) -> Path | None:
    """The builder's held-out intents file of the data the adapter was trained on (train_config.json)."""
    config = adapter / "train_config.json"
    if not config.exists():
        return None
    path = Path(json.loads(config.read_text(encoding="utf-8")).get("data", "")) / "intents_heldout.csv"
    return path if path.exists() else None


def pick_head_weight(lm: list[list[float]], head: list[list[float]], gold: list[str], sources: list[str]) -> tuple[float, dict]:
    """Fusion weight with the best source-balanced accuracy (mean over held-out sources, so the
    981 Bitext rows do not outvote the real Banking77 ones); ties go to the weight nearest 0.5."""
    from assistant.understand.intent import fuse

    def balanced(weight: float) -> float:
        hits: dict[str, list[int]] = {}
        for l, h, g, src in zip(lm, head, gold, sources):
            fused = fuse(l, h, weight)
            hits.setdefault(src.split("-")[0] if src.startswith("oos-") else src, []).append(int(LABELS[max(range(len(fused)), key=fused.__getitem__)] == g))
        return sum(sum(v) / len(v) for v in hits.values()) / len(hits)

    table = {w: round(balanced(w), 4) for w in HEAD_WEIGHTS}
    best = max(HEAD_WEIGHTS, key=lambda w: (table[w], -abs(w - 0.5)))
    return best, table


def fit_head_weight(classifier, heldout: Path, *, seed: int = 13) -> tuple[float, dict]:
    """Score the held-out training sources (never the dev set) with the model and the head separately."""
    import random

    rows = read_table(heldout, ("text", "intent", "source"))
    by_source: dict[str, list[dict]] = {}
    for row in rows:
        by_source.setdefault(row["source"], []).append(row)
    rng = random.Random(seed)
    sample = [r for src in sorted(by_source) for r in (rng.sample(by_source[src], PER_SOURCE) if len(by_source[src]) > PER_SOURCE else by_source[src])]
    from tqdm.auto import tqdm

    lm, head = [], []
    for row in tqdm(sample, desc="fusion weight", leave=False):
        lm.append(classifier.log_likelihoods(row["text"]))
        head.append(classifier.head.log_probs(row["text"]))
    weight, table = pick_head_weight(lm, head, [r["intent"] for r in sample], [r["source"] for r in sample])
    return weight, {"n": len(sample), "balanced_accuracy_by_weight": table}


def calibrate(adapter: Path, dev: Path, settings, *, heldout: Path | None = None) -> dict:
    """Pick the fusion weight on the held-out training sources, then fit the temperature and abstain
    threshold on the dev set (the only things chosen on it); save them beside the adapter."""
    from assistant.generation.model import load_chat_model
    from assistant.understand.intent import HEAD_WEIGHT, IntentConfig, ModelIntentClassifier, load_intent_head

    texts, gold = load_labelled(dev)
    loaded = load_chat_model(settings.model_copy(update={"adapter": str(adapter)}))
    head = load_intent_head(loaded.adapter)
    heldout = heldout or heldout_for(adapter)
    weight, fusion = HEAD_WEIGHT, None
    if head is not None and heldout is not None:
        weight, fusion = fit_head_weight(ModelIntentClassifier(loaded, IntentConfig(short_prompt=True), head), heldout)
    classifier = ModelIntentClassifier(loaded, IntentConfig(short_prompt=True, head_weight=weight), head)
    scores, _ = score_texts(classifier, texts)
    temperature = fit_temperature(scores, gold)
    threshold = pick_threshold([softmax(s, temperature) for s in scores], gold)
    saved = {"temperature": round(temperature, 4), "threshold": threshold, "dev": str(dev), "n": len(texts), "head_weight": weight}
    if fusion is not None:
        saved["head_weight_chosen_on"] = {"file": str(heldout), **fusion}
    (adapter / CALIBRATION_FILE).write_text(json.dumps(saved, indent=2) + "\n", encoding="utf-8")
    return saved
