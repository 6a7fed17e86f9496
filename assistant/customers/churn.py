"""Churn risk: the probability that a customer makes no purchase in the next period, with reasons.

    histories = histories_from_frame(transactions)            # customer_id, date, amount rows
    model = fit_churn_model(histories, as_of=date(2026, 10, 31), config=ChurnConfig(horizon_days=90))
    risk, tier, reasons = model.score(histories["C0001"], as_of)

Two models side by side: BG/NBD (assistant/customers/btyd.py, a probabilistic buy-till-you-die baseline)
and a calibrated HistGradientBoostingClassifier on behavioural features, with the BG/NBD
scores among its inputs. The risk shown is an explicit blend of the two probabilities,
``model_weight * classifier + (1 - model_weight) * BG/NBD P(no purchase in horizon)``, so the
weight is configuration (and an experiment's variant); `shopassist evaluate churn` picks the
default on half the customer folds and checks it on the other half. Training uses a calibration
cut: features up to ``as_of - horizon``, label = no purchase in the following ``horizon`` days.
Features are purchase behaviour only: no name, city, age, gender or any other attribute of the
person (fairness).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import numpy as np

from assistant.customers.btyd import BetaGeo, GammaGamma
from assistant.settings import PersonalizationSettings

WEEK = 7.0  # BG/NBD runs in weeks: better conditioned than days
FEATURES = (
    "days_since_last", "repeat_purchases", "days_since_first", "mean_gap_days", "overdue_ratio", "last_gap_days",
    "purchases_30d", "purchases_90d", "purchases_180d", "purchase_rate_per_30d", "spend_90d", "mean_spend",
    "last_spend", "first_spend", "total_spend", "bgnbd_p_no_purchase", "bgnbd_expected", "bgnbd_p_alive",
)
TIERS = ("low", "medium", "high")


def check_weight(weight, name: str = "churn model weight") -> float:
    """A blend weight as a float in [0, 1]; anything else is refused with the value named."""
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 <= weight <= 1:
        raise ValueError(f"{name} must be a number from 0 to 1 (0 = BG/NBD only, 1 = classifier only), got {weight!r}")
    return float(weight)


def blend(model_risk, bgnbd_risk, weight: float):
    """weight * classifier probability + (1 - weight) * BG/NBD P(no purchase in the horizon)."""
    return weight * np.asarray(model_risk, dtype=float) + (1.0 - weight) * np.asarray(bgnbd_risk, dtype=float)


@dataclass(frozen=True)
class ChurnConfig:
    horizon_days: int = 90  # "churn" = no purchase in this many days
    medium_at: float = 0.5  # risk >= this -> medium
    high_at: float = 0.75  # risk >= this -> high
    max_iter: int = 80  # boosting rounds of the classifier (about where early stopping ends on CDNOW)
    min_customers: int = 40  # fewer training customers (or one class only) -> BG/NBD score alone
    # Risk = model_weight * classifier + (1 - model_weight) * BG/NBD; 1 = classifier only, 0 = BG/NBD only.
    # The default is the settings' one (PersonalizationSettings.churn_model_weight, chosen offline on CDNOW).
    model_weight: float = field(default_factory=lambda: PersonalizationSettings().churn_model_weight)

    def __post_init__(self) -> None:
        check_weight(self.model_weight)
        if self.horizon_days < 1:
            raise ValueError("horizon_days must be >= 1")
        if not 0 < self.medium_at < self.high_at < 1:
            raise ValueError("need 0 < medium_at < high_at < 1")

    def tier(self, risk: float) -> str:
        return "high" if risk >= self.high_at else "medium" if risk >= self.medium_at else "low"


@dataclass(frozen=True)
class History:
    """One customer's purchase days (date ordinals, ascending, unique) and spend per day."""

    days: tuple[int, ...]
    amounts: tuple[float, ...]

    def until(self, cutoff: int) -> History:
        end = bisect_right(self.days, cutoff)
        return History(self.days[:end], self.amounts[:end])

    def bought_between(self, start: int, end: int) -> bool:
        """Any purchase with start < day <= end."""
        return bisect_right(self.days, end) > bisect_right(self.days, start)


def histories_from_rows(rows) -> dict[str, History]:
    """(customer_id, date, amount) rows -> one History per customer; same-day rows are one purchase."""
    per_customer: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for customer_id, day, amount in rows:
        per_customer[customer_id][day.toordinal()] += float(amount)
    return {c: History(tuple(sorted(d)), tuple(d[k] for k in sorted(d))) for c, d in per_customer.items()}


def histories_from_frame(frame) -> dict[str, History]:
    """A pandas frame with customer_id, date (datetime64), amount -> histories (vectorised grouping)."""
    daily = frame.assign(day=frame["date"].dt.date).groupby(["customer_id", "day"], sort=True)["amount"].sum()
    out: dict[str, History] = {}
    customers = daily.index.get_level_values(0).to_numpy()
    days = [d.toordinal() for d in daily.index.get_level_values(1)]
    amounts = daily.to_numpy(dtype=float)
    bounds = np.flatnonzero(np.r_[True, customers[1:] != customers[:-1], True])
    for start, end in zip(bounds[:-1], bounds[1:]):
        out[str(customers[start])] = History(tuple(days[start:end]), tuple(amounts[start:end].tolist()))
    return out


def rfm(history: History, cutoff: int) -> tuple[float, float, float, float]:
    """BG/NBD inputs in weeks: repeat purchases x, recency t_x, age T; and mean repeat spend."""
    first, last = history.days[0], history.days[-1]
    x = len(history.days) - 1
    repeat_spend = sum(history.amounts[1:]) / x if x else 0.0
    return float(x), (last - first) / WEEK, (cutoff - first) / WEEK, repeat_spend


def fit_btyd(histories: dict[str, History], cutoff: int) -> tuple[BetaGeo, GammaGamma | None]:
    """BG/NBD + Gamma-Gamma on everyone with a purchase on or before `cutoff`."""
    rows = np.array([rfm(h.until(cutoff), cutoff) for h in histories.values() if h.days and h.days[0] <= cutoff])
    if len(rows) < 2:
        raise ValueError("need at least two customers with purchases before the cut-off")
    bgnbd = BetaGeo.fit(rows[:, 0], rows[:, 1], rows[:, 2])
    try:
        spend = GammaGamma.fit(rows[:, 0], rows[:, 3])
    except ValueError:  # no repeat buyers with positive spend: no CLV model
        spend = None
    return bgnbd, spend


def base_features(history: History, cutoff: int) -> list[float]:
    """Purchase-behaviour part of a FEATURES row (history must hold purchases <= cutoff only)."""
    days, amounts = history.days, history.amounts
    since_last, age = cutoff - days[-1], cutoff - days[0]
    gaps = [b - a for a, b in zip(days, days[1:])]
    mean_gap = sum(gaps) / len(gaps) if gaps else math.nan
    recent = [len(days) - bisect_right(days, cutoff - w) for w in (30, 90, 180)]
    spend_90 = sum(a for d, a in zip(days, amounts) if d > cutoff - 90)
    return [
        since_last, len(days) - 1, age, mean_gap, since_last / mean_gap if gaps else math.nan,
        gaps[-1] if gaps else math.nan, *recent, 30.0 * len(days) / max(age, 30), spend_90,
        sum(amounts) / len(amounts), amounts[-1], amounts[0], sum(amounts),
    ]


def feature_rows(histories: list[History], cutoff: int, bgnbd: BetaGeo, horizon_days: int) -> np.ndarray:
    """(customers, len(FEATURES)): behaviour features plus the BG/NBD scores, computed in one pass."""
    if not histories:
        return np.zeros((0, len(FEATURES)))
    base = np.array([base_features(h, cutoff) for h in histories], dtype=float)
    x, t_x, T = np.array([rfm(h, cutoff)[:3] for h in histories], dtype=float).T
    t = horizon_days / WEEK
    btyd = np.column_stack([bgnbd.p_no_purchase(x, t_x, T, t), bgnbd.expected_purchases(x, t_x, T, t), bgnbd.p_alive(x, t_x, T)])
    return np.hstack([base, btyd])


def feature_matrix(histories: dict[str, History], cutoff: int, bgnbd: BetaGeo, horizon_days: int) -> tuple[list[str], np.ndarray]:
    ids = [c for c, h in histories.items() if h.days and h.days[0] <= cutoff]
    return ids, feature_rows([histories[c].until(cutoff) for c in ids], cutoff, bgnbd, horizon_days)


def few_threads(n_rows: int):
    """One OpenMP thread for the booster. On this busy 2-core machine spinning OpenMP threads made a
    200-customer fit take 25 s instead of 0.3 s, a 10k-customer fit 90 s, and a one-row score
    several milliseconds; one thread is also what a web worker should use."""
    return _threadpools().limit(limits=1, user_api="openmp")


@lru_cache(maxsize=1)
def _threadpools():
    """Finding the loaded thread pools reads /proc (about 18 ms): do it once per process."""
    import sklearn.ensemble  # noqa: F401  load the OpenMP runtime first, or the limit misses it
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def make_classifier(n_rows: int, max_iter: int):
    """Gradient boosting calibrated by Platt scaling on cross-validated scores.

    Sigmoid rather than isotonic: isotonic's steps tie thousands of customers and cost ROC AUC
    (0.771 -> 0.763 on CDNOW); a monotone sigmoid keeps the ranking and still fixes the Brier score.
    """
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.feature_selection import VarianceThreshold
    from sklearn.pipeline import make_pipeline

    small = n_rows < 2000
    booster = HistGradientBoostingClassifier(
        max_iter=60 if small else max_iter, learning_rate=0.05, max_leaf_nodes=15, early_stopping=False,
        min_samples_leaf=max(5, min(40, n_rows // 50)), l2_regularization=1.0, random_state=0)
    # ensemble=False: one booster refit on all rows, mapped by a sigmoid learnt on 3-fold scores. No
    # early stopping, so the refit has the same number of rounds (and score scale) as the fold models;
    # with early stopping the scales differed and the pooled out-of-fold ROC AUC fell to 0.764.
    # Constant or all-missing columns (a store where nobody buys twice) crash the booster's binning.
    model = make_pipeline(VarianceThreshold(), booster)
    return CalibratedClassifierCV(model, method="sigmoid", cv=3, ensemble=False)


def explain(row: list[float] | np.ndarray, risk: float, tier: str) -> tuple[str, ...]:
    """Top reasons for a score, in words a store manager understands."""
    f = dict(zip(FEATURES, row))
    since, gap, x = int(f["days_since_last"]), f["mean_gap_days"], int(f["repeat_purchases"])
    reasons = []
    if x == 0:
        reasons.append(f"only one order so far, {since} days ago")
    elif since > 1.5 * gap:
        reasons.append(f"no order for {since} days, was ordering every {round(gap)} days")
    else:
        reasons.append(f"last order {since} days ago, orders about every {round(gap)} days")
    if x and f["purchases_90d"] == 0 and f["purchases_180d"] > 0:
        reasons.append(f"{int(f['purchases_180d'])} orders in the last 6 months, none in the last 3")
    elif f["purchases_90d"] >= 2:
        reasons.append(f"{int(f['purchases_90d'])} orders in the last 3 months")
    if x and f["last_spend"] < 0.5 * f["mean_spend"]:
        reasons.append(f"last order ${f['last_spend']:.0f}, well below the usual ${f['mean_spend']:.0f}")
    if x >= 5 and tier == "low":
        reasons.append(f"{x + 1} orders in {int(f['days_since_first'])} days")
    return tuple(reasons[:3])


@dataclass
class ChurnModel:
    """Scores customers at any date with the BG/NBD fitted at `fitted_at` and the trained classifier."""

    config: ChurnConfig
    bgnbd: BetaGeo
    spend: GammaGamma | None
    classifier: object | None  # None -> the BG/NBD probability is the score
    fitted_at: int  # date ordinal of the latest data the models saw

    def rows(self, histories: list[History], cutoff: int) -> np.ndarray:
        return feature_rows(histories, cutoff, self.bgnbd, self.config.horizon_days)

    def parts(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(classifier probability, BG/NBD P(no purchase in the horizon)), each (rows,).
        Without a classifier (too few customers) both are the BG/NBD probability."""
        if not len(rows):
            return np.zeros(0), np.zeros(0)
        bgnbd = rows[:, FEATURES.index("bgnbd_p_no_purchase")]
        if self.classifier is None:
            return bgnbd, bgnbd
        with few_threads(len(rows)):
            return self.classifier.predict_proba(rows)[:, 1], bgnbd

    def risks(self, rows: np.ndarray, *, weight: float | None = None) -> np.ndarray:
        """Blended risk per row; `weight` None = the configured model_weight."""
        return blend(*self.parts(rows), self.config.model_weight if weight is None else check_weight(weight))

    def score_many(self, histories: list[History], cutoff: int, *, weight: float | None = None) -> list[tuple[float, str, tuple[str, ...]]]:
        rows = self.rows(histories, cutoff)
        out = []
        for row, risk in zip(rows, self.risks(rows, weight=weight)):
            tier = self.config.tier(float(risk))
            out.append((round(float(risk), 4), tier, explain(row, float(risk), tier)))
        return out

    def score(self, history: History, cutoff: int, *, weight: float | None = None) -> tuple[float, str, tuple[str, ...]]:
        return self.score_many([history], cutoff, weight=weight)[0]

    def clv_many(self, histories: list[History], cutoff: int, *, days: int = 365) -> np.ndarray:
        """Expected spend in the next `days` (BG/NBD purchases x Gamma-Gamma value; undiscounted)."""
        if not histories:
            return np.zeros(0)
        x, t_x, T, repeat_spend = np.array([rfm(h, cutoff) for h in histories], dtype=float).T
        purchases = np.maximum(self.bgnbd.expected_purchases(x, t_x, T, days / WEEK), 0.0)
        mean_spend = np.array([sum(h.amounts) / len(h.amounts) for h in histories])
        value = mean_spend if self.spend is None else self.spend.expected_value(x, np.where(x > 0, repeat_spend, 0.0))
        # Gamma-Gamma conditions on repeat purchases; a one-order customer is valued at that order.
        value = np.where(np.isfinite(value) & (x > 0), value, mean_spend)
        return np.round(purchases * value, 2)

    def clv(self, history: History, cutoff: int, *, days: int = 365) -> float:
        return float(self.clv_many([history], cutoff, days=days)[0])


def labels(histories: dict[str, History], ids: list[str], cutoff: int, end: int) -> np.ndarray:
    """1 = churned: no purchase in (cutoff, end]."""
    return np.array([0 if histories[c].bought_between(cutoff, end) else 1 for c in ids])


def fit_churn_model(histories: dict[str, History], *, as_of: date, config: ChurnConfig = ChurnConfig()) -> ChurnModel:
    """Train on a calibration cut (features up to as_of - horizon, label = silent until as_of)."""
    end = as_of.toordinal()
    cut = end - config.horizon_days
    bgnbd_cut, _ = fit_btyd(histories, cut)
    ids, X = feature_matrix(histories, cut, bgnbd_cut, config.horizon_days)
    y = labels(histories, ids, cut, end)
    classifier = None
    if len(ids) >= config.min_customers and 5 <= y.sum() <= len(y) - 5:
        with few_threads(len(ids)):
            classifier = make_classifier(len(ids), config.max_iter).fit(X, y)
    bgnbd, spend = fit_btyd(histories, end)
    return ChurnModel(config=config, bgnbd=bgnbd, spend=spend, classifier=classifier, fitted_at=end)
