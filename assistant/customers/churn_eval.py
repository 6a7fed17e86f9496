"""Churn evaluation on real transactions: calibrated classifier vs BG/NBD vs recency alone.

    shopassist evaluate churn --transactions ../shared/datasets/cdnow/CDNOW_master.txt --format cdnow \
        --calibration-end 1997-09-30 --holdout-end 1998-06-30

Features come from the calibration period only; label = no purchase in the holdout window.
The classifier's scores are out-of-fold (5 folds over customers), so no customer is scored by
a model that saw its label; every metric is the mean over the same 5 test folds for all models. BG/NBD needs no labels: it is fitted on the calibration period.

The blend sweep scores risk = w * classifier + (1 - w) * BG/NBD for w = 0, 0.1, ..., 1 on the same
out-of-fold scores: w is chosen on the first two folds (highest ROC AUC averaged with the
neighbouring weights, then lowest Brier) and confirmed on the other three against the current default.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from assistant.customers.churn import (
    FEATURES,
    ChurnConfig,
    blend,
    feature_matrix,
    few_threads,
    fit_btyd,
    histories_from_frame,
    labels,
    make_classifier,
)
from data.errors import BadInput

FORMATS = ("cdnow", "csv")
BLEND_WEIGHTS = tuple(round(0.1 * i, 1) for i in range(11))  # classifier weight in the churn blend


@dataclass
class TransactionReport:
    """What loading kept and what it dropped, with counts per reason."""

    rows: int = 0
    kept: int = 0
    dropped: dict[str, int] = field(default_factory=dict)

    def drop(self, reason: str, count: int) -> None:
        if count:
            self.dropped[reason] = self.dropped.get(reason, 0) + int(count)


def load_transactions(path: str | Path, fmt: str = "csv", *, today: date | None = None):
    """CDNOW (`id YYYYMMDD cds dollars`, whitespace) or CSV `customer_id,date,amount[,order_id]`.

    Returns (frame with customer_id/date/amount, TransactionReport). Bad rows are dropped and
    counted: unreadable fields, negative amounts, dates in the future, duplicate orders.
    """
    import pandas as pd

    path = Path(path)
    if fmt not in FORMATS:
        raise BadInput(f"unknown transactions format {fmt!r}", hint=f"use one of {', '.join(FORMATS)}")
    try:
        if fmt == "cdnow":
            raw = pd.read_csv(path, sep=r"\s+", dtype=str)
            raw.columns = ["customer_id", "date", "quantity", "amount"][: len(raw.columns)]
            dates = pd.to_datetime(raw["date"], format="%Y%m%d", errors="coerce")
        else:
            raw = pd.read_csv(path, dtype=str)
            missing = {"customer_id", "date", "amount"} - set(raw.columns)
            if missing:
                raise BadInput(f"{path} lacks columns {sorted(missing)}", hint="the CSV needs customer_id,date,amount")
            dates = pd.to_datetime(raw["date"], errors="coerce", format="mixed")
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise BadInput(f"cannot read {path}: {exc}", hint="check the path and --format") from exc
    report = TransactionReport(rows=len(raw))
    frame = pd.DataFrame({"customer_id": raw["customer_id"].str.strip(), "date": dates,
                          "amount": pd.to_numeric(raw["amount"].str.replace("$", "", regex=False), errors="coerce")})
    if "order_id" in raw.columns:
        frame["order_id"] = raw["order_id"]
    checks = [
        ("missing customer id", frame["customer_id"].isna() | (frame["customer_id"] == "")),
        ("unreadable date", frame["date"].isna()),
        ("unreadable amount", frame["amount"].isna()),
        ("negative amount", frame["amount"] < 0),
        ("date in the future", frame["date"] > pd.Timestamp(today or date.today())),
    ]
    bad = np.zeros(len(frame), dtype=bool)
    for reason, mask in checks:
        mask = mask.fillna(False).to_numpy(dtype=bool) & ~bad
        report.drop(reason, mask.sum())
        bad |= mask
    frame = frame[~bad]
    key = ["order_id"] if "order_id" in frame.columns else (["customer_id", "date", "amount"] if fmt == "csv" else None)
    if key:  # CDNOW has no order id and same-day rows are real repeat orders: they are summed instead
        duplicated = frame.duplicated(subset=key)
        report.drop("duplicate order", duplicated.sum())
        frame = frame[~duplicated]
    report.kept = len(frame)
    if frame.empty:
        raise BadInput(f"no usable transactions in {path}", hint=f"dropped: {report.dropped}")
    return frame[["customer_id", "date", "amount"]].reset_index(drop=True), report


def metrics(y: np.ndarray, score: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

    return {"roc_auc": round(float(roc_auc_score(y, score)), 4), "pr_auc": round(float(average_precision_score(y, score)), 4),
            "brier": round(float(brier_score_loss(y, np.clip(score, 0, 1))), 4)}


def out_of_fold(X: np.ndarray, y: np.ndarray, make, folds, *, progress=None) -> np.ndarray:
    scores = np.zeros(len(y))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-missing gap columns in some folds
        for train, test in folds:
            scores[test] = make().fit(X[train], y[train]).predict_proba(X[test])[:, 1]
            if progress:
                progress.update(1)
    return scores


def fold_metrics(y: np.ndarray, score: np.ndarray, folds) -> dict[str, float]:
    """Mean over the test folds: each fold is scored by one model, as a deployed model would be.

    Pooling out-of-fold scores mixes five models whose calibration maps differ slightly; that
    costs the classifier about 0.007 ROC AUC on CDNOW, so it is reported too (`roc_auc_pooled`).
    """
    per_fold = [metrics(y[test], score[test]) for _, test in folds]
    return {k: round(float(np.mean([m[k] for m in per_fold])), 4) for k in per_fold[0]}


def evaluate_churn(frame, *, calibration_end: date, holdout_end: date, out_dir: Path, max_iter: int = 80) -> dict:
    """Fit both models on the calibration period and score the holdout; writes two PNG plots."""
    from sklearn.linear_model import LogisticRegression
    from tqdm import tqdm

    if not calibration_end < holdout_end:
        raise BadInput("calibration end must be before holdout end", hint="e.g. 1997-09-30 and 1998-06-30")
    cut, end = calibration_end.toordinal(), holdout_end.toordinal()
    histories = histories_from_frame(frame)
    bgnbd, _ = fit_btyd(histories, cut)
    ids, X = feature_matrix(histories, cut, bgnbd, end - cut)
    if len(ids) < 50:
        raise BadInput(f"only {len(ids)} customers bought before {calibration_end}", hint="move --calibration-end later")
    y = labels(histories, ids, cut, end)
    if y.min() == y.max():
        raise BadInput("every customer has the same label", hint="choose a holdout window where some buy and some do not")
    from sklearn.model_selection import StratifiedKFold

    folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(X, y))
    with tqdm(total=10, desc="churn folds", unit="fold") as bar, few_threads(len(y)):
        classifier = out_of_fold(X, y, lambda: make_classifier(len(y), max_iter), folds, progress=bar)
        recency_col = X[:, [FEATURES.index("days_since_last")]]
        recency = out_of_fold(recency_col, y, lambda: LogisticRegression(), folds, progress=bar)
    bgnbd_score = X[:, FEATURES.index("bgnbd_p_no_purchase")]
    sweep = blend_sweep(y, classifier, bgnbd_score, folds)
    result = {"n": int(len(y)), **fold_metrics(y, classifier, folds), "churn_rate": round(float(y.mean()), 4),
              "roc_auc_pooled": metrics(y, classifier)["roc_auc"], "folds": len(folds),
              "baselines": {"bgnbd": fold_metrics(y, bgnbd_score, folds), "recency": fold_metrics(y, recency, folds)}}
    out_dir.mkdir(parents=True, exist_ok=True)
    scores = {"classifier (calibrated)": classifier, "BG/NBD": bgnbd_score, "recency": recency}
    result["plots"] = {"calibration": str(plot_calibration(y, scores, out_dir / "churn_calibration.png")),
                       "lift": str(plot_lift(y, scores, out_dir / "churn_lift.png"))}
    result["blend"] = {**sweep, "plot": str(plot_blend(sweep, out_dir / "churn_blend.png"))}
    return result


def blend_sweep(y: np.ndarray, model: np.ndarray, bgnbd: np.ndarray, folds, *, weights=BLEND_WEIGHTS,
                default: float | None = None, tolerance: float = 5e-4) -> dict:
    """ROC AUC / Brier of w * model + (1 - w) * bgnbd per w; pick on the first half of the folds, confirm on the rest.

    Pick: the highest choose-half ROC AUC averaged with the neighbouring weights (a flat optimum
    travels better than a sharp one), then among weights within `tolerance` of it the lowest Brier.
    The pick replaces the default only if, on the confirm folds, its ROC AUC is not lower by more
    than `tolerance` and it is better on the same criterion: a Brier gain whose 95 % interval (paired,
    per customer) is above 0, or a ROC AUC gain above `tolerance` with Brier no worse.
    """
    default = ChurnConfig().model_weight if default is None else default
    half = len(folds) // 2
    choose, confirm = folds[:half], folds[half:]
    keep = ("roc_auc", "brier")
    rows = []
    for w in weights:
        score = blend(model, bgnbd, w)
        rows.append({"w": w, **{name: {k: v for k, v in fold_metrics(y, score, part).items() if k in keep}
                                for name, part in (("choose", choose), ("confirm", confirm), ("all", folds))}})
    auc = np.array([r["choose"]["roc_auc"] for r in rows])
    smooth = np.array([auc[max(i - 1, 0): i + 2].mean() for i in range(len(auc))])
    near = [i for i in range(len(rows)) if smooth[i] >= smooth.max() - tolerance]
    pick = min(near, key=lambda i: (rows[i]["choose"]["brier"], -smooth[i], abs(rows[i]["w"] - default)))
    confirm_of = lambda w: next((r["confirm"] for r in rows if np.isclose(r["w"], w)), None) or {
        k: v for k, v in fold_metrics(y, blend(model, bgnbd, w), confirm).items() if k in keep}
    mine, current = rows[pick]["confirm"], confirm_of(default)
    test = np.concatenate([t for _, t in confirm])
    squared = lambda w: (np.clip(blend(model[test], bgnbd[test], w), 0, 1) - y[test]) ** 2
    gain = squared(default) - squared(rows[pick]["w"])  # (confirm customers,) > 0: the pick is closer
    half_width = 1.96 * gain.std(ddof=1) / np.sqrt(len(gain)) if len(gain) > 1 else np.inf
    brier_gain_ci = [round(float(gain.mean() - half_width), 5), round(float(gain.mean() + half_width), 5)]
    auc_gain = mine["roc_auc"] - current["roc_auc"]
    holds = auc_gain >= -tolerance and (brier_gain_ci[0] > 0 or (auc_gain > tolerance and mine["brier"] <= current["brier"]))
    same = np.isclose(rows[pick]["w"], default)
    decision = ("keep: the pick is the current default" if same else
                "change: on the confirm folds the pick is as good in ROC AUC and better in Brier (or better in ROC AUC)"
                if holds else "keep: the pick does not beat the default on the confirm folds")
    return {"per_weight": rows, "pick": rows[pick]["w"], "choose_folds": list(range(half)),
            "confirm_folds": list(range(half, len(folds))), "current_default": default,
            "confirm": {"pick": mine, "current_default": current, "roc_auc_gain": round(auc_gain, 4),
                        "brier_gain_ci95": brier_gain_ci}, "decision": decision}


def _pyplot():
    """matplotlib without a display (evaluations run headless)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    _pyplot().close(fig)
    return path


def plot_calibration(y, scores: dict[str, np.ndarray], path: Path) -> Path:
    plt = _pyplot()
    from sklearn.calibration import calibration_curve

    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], "k:", label="perfect")
    for name, score in scores.items():
        observed, predicted = calibration_curve(y, np.clip(score, 0, 1), n_bins=10, strategy="quantile")
        ax.plot(predicted, observed, marker="o", label=name)
    ax.set(xlabel="predicted churn probability", ylabel="observed churn rate", title="Churn calibration (holdout)")
    ax.legend()
    return _save(fig, path)


def plot_blend(sweep: dict, path: Path) -> Path:
    """ROC AUC and Brier against the classifier weight w, choose and confirm folds, pick marked."""
    plt = _pyplot()

    fig, axes = plt.subplots(1, 2, figsize=(8, 3.4))
    w = [r["w"] for r in sweep["per_weight"]]
    for ax, metric in zip(axes, ("roc_auc", "brier")):
        for part, style in (("choose", "o-"), ("confirm", "s--")):
            folds = sweep[f"{part}_folds"]
            ax.plot(w, [r[part][metric] for r in sweep["per_weight"]], style, ms=3,
                    label=f"{part} folds {','.join(str(f + 1) for f in folds)}")
        ax.axvline(sweep["pick"], color="red", linestyle=":", label=f"pick w={sweep['pick']:g}")
        ax.set(xlabel="w (0 = BG/NBD only, 1 = classifier only)", ylabel=metric.replace("_", " ").upper() if metric == "roc_auc" else "Brier",
               title=("ROC AUC (higher is better)" if metric == "roc_auc" else "Brier (lower is better)"))
        ax.legend(fontsize=7)
    return _save(fig, path)


def plot_lift(y, scores: dict[str, np.ndarray], path: Path) -> Path:
    plt = _pyplot()

    fig, ax = plt.subplots(figsize=(6, 4))
    base = y.mean()
    for name, score in scores.items():
        order = np.argsort(-score, kind="stable")
        deciles = np.array_split(y[order], 10)
        ax.plot(range(1, 11), [d.mean() / base for d in deciles], marker="o", label=name)
    ax.axhline(1.0, color="k", linestyle=":")
    ax.set(xlabel="decile by predicted risk (1 = riskiest)", ylabel="lift (churn rate / base rate)", title="Churn lift chart")
    ax.legend()
    return _save(fig, path)
