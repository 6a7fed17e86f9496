"""Experiment results: per-variant rates with confidence intervals, tests against the control, a verdict.

    report = report_experiment(event_log, book.get("retention-offer"))
    print(report.verdict); report.as_dict()

The unit of a rate is the session: a session converts when a card click, add-to-cart or order
follows its first exposure. Customers, not sessions, are randomized, and one customer's sessions
move together, so every interval and test is clustered by customer (statsmodels OLS with
cluster-robust errors; Wilson intervals on the effective sample size). Each variant is compared
with the control (the first variant), Holm-corrected across variants. A result is conclusive only when every variant
has its minimum sessions and the primary metric's corrected p-value is below alpha; otherwise
the verdict says how large a change the data could have detected.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from assistant.analytics.events import EventLog, SessionOutcome
from assistant.analytics.experiments import Experiment

METRIC_LABELS = {"click": "card click", "add_to_cart": "add to cart", "order": "order", "handoff": "handoff",
                 "rating": "thumbs up"}
POWER = 0.8  # for the detectable-effect statement of an inconclusive test


@dataclass(frozen=True)
class MetricResult:
    successes: int
    trials: int  # sessions (rating: rated replies)
    rate: float | None
    ci: tuple[float, float] | None
    diff: float | None = None  # variant minus control; None for the control itself
    diff_ci: tuple[float, float] | None = None
    p_value: float | None = None  # Holm-corrected for the primary metric, raw for the others
    significant: bool = False


@dataclass(frozen=True)
class VariantResult:
    name: str
    sessions: int
    metrics: dict[str, MetricResult]


@dataclass(frozen=True)
class ExperimentReport:
    experiment: str
    parameter: str
    metric: str
    alpha: float
    conclusive: bool
    verdict: str
    variants: tuple[VariantResult, ...]

    def as_dict(self) -> dict:
        def metric(m: MetricResult) -> dict:
            out = asdict(m)
            out["ci"] = list(m.ci) if m.ci else None
            out["diff_ci"] = list(m.diff_ci) if m.diff_ci else None
            return out

        return {"experiment": self.experiment, "parameter": self.parameter, "metric": self.metric, "alpha": self.alpha,
                "conclusive": self.conclusive, "verdict": self.verdict,
                "variants": [{"name": v.name, "sessions": v.sessions, "metrics": {k: metric(m) for k, m in v.metrics.items()}}
                             for v in self.variants]}


def _observations(outcomes: list[SessionOutcome], metric: str) -> tuple[list[int], list[str]]:
    """0/1 per session (rating: per rated reply) and the randomization unit each belongs to."""
    if metric == "rating":
        pairs = [(int(r > 0), o.unit) for o in outcomes for r in o.ratings]
    else:
        field = {"click": "clicked", "add_to_cart": "added_to_cart", "order": "ordered", "handoff": "handoff"}[metric]
        pairs = [(int(getattr(o, field)), o.unit) for o in outcomes]
    return [y for y, _ in pairs], [u for _, u in pairs]


def _cluster_fit(y, x, units, alpha: float):
    """OLS of the 0/1 outcome on the arm, standard errors clustered by randomization unit."""
    import numpy as np
    import statsmodels.api as sm

    _, groups = np.unique(np.asarray(units), return_inverse=True)
    design = np.ones((len(y), 1)) if x is None else sm.add_constant(np.asarray(x, dtype=float), has_constant="add")
    return sm.OLS(np.asarray(y, dtype=float), design).fit(cov_type="cluster", cov_kwds={"groups": groups})


def rate_with_interval(y: list[int], units: list[str], alpha: float = 0.05) -> tuple[float | None, tuple[float, float] | None]:
    """The rate and a Wilson interval on the effective sample size (n over the design effect of clustering)."""
    from statsmodels.stats.proportion import proportion_confint

    n, k = len(y), sum(y)
    if n == 0:
        return None, None
    rate, design_effect = k / n, 1.0
    if 0 < k < n and len(set(units)) > 1:
        se_cluster = float(_cluster_fit(y, None, units, alpha).bse[0])
        se_plain = math.sqrt(rate * (1 - rate) / n)
        if math.isfinite(se_cluster):
            design_effect = max(1.0, (se_cluster / se_plain) ** 2)
    low, high = proportion_confint(k / design_effect, n / design_effect, alpha=alpha, method="wilson")
    return rate, (round(float(low), 5), round(float(high), 5))


def compare(y: list[int], units: list[str], control_y: list[int], control_units: list[str],
            alpha: float = 0.05) -> tuple[float, tuple[float, float], float] | None:
    """Difference of rates (variant - control), its interval and two-sided p-value.

    Sessions of one customer are not independent (they share the customer's tastes and the
    variant), so the test is a regression on the arm with cluster-robust errors by customer:
    with one session per unit it reduces to the usual two-proportion z-test.
    """
    if not y or not control_y:
        return None
    diff = sum(y) / len(y) - sum(control_y) / len(control_y)
    if len(set(y) | set(control_y)) == 1 or len(set(units) | set(control_units)) < 3:
        return diff, (0.0, 0.0), 1.0
    fit = _cluster_fit(control_y + y, [0] * len(control_y) + [1] * len(y), control_units + units, alpha)
    low, high = fit.conf_int(alpha)[1]
    p = float(fit.pvalues[1])
    if not math.isfinite(p):  # degenerate clusters (e.g. every unit identical): no evidence either way
        return diff, (0.0, 0.0), 1.0
    return diff, (round(float(low), 5), round(float(high), 5)), p


def detectable_change(rate: float, sessions: int, alpha: float) -> float | None:
    """The smallest absolute change this many sessions per variant detect with 80 % power."""
    from statsmodels.stats.power import NormalIndPower

    if sessions < 2 or not 0 < rate < 1:
        return None
    h = NormalIndPower().solve_power(nobs1=sessions, alpha=alpha, power=POWER, ratio=1.0)
    # Cohen's h back to proportions: h = 2 asin(sqrt(p2)) - 2 asin(sqrt(p1)).
    upper = math.sin(min(math.asin(math.sqrt(rate)) + h / 2, math.pi / 2)) ** 2
    return upper - rate


def holm(p_values: list[float], alpha: float) -> tuple[list[bool], list[float]]:
    """Holm's step-down correction (statsmodels' multipletests forces a gc.collect(), ~0.4 s in a server)."""
    order = sorted(range(len(p_values)), key=p_values.__getitem__)
    adjusted, running = [0.0] * len(p_values), 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(p_values) - rank) * p_values[i]))
        adjusted[i] = running
    return [p < alpha for p in adjusted], adjusted


def report_experiment(log: EventLog, experiment: Experiment) -> ExperimentReport:
    outcomes = log.session_outcomes(experiment.name)
    by_variant = {v.name: [o for o in outcomes if o.variant == v.name] for v in experiment.variants}
    control = experiment.control.name
    results: dict[str, dict[str, MetricResult]] = {name: {} for name in by_variant}
    primary_p: dict[str, float] = {}
    for metric in METRIC_LABELS:
        base = _observations(by_variant[control], metric)
        for name, rows in by_variant.items():
            y, units = _observations(rows, metric)
            rate, ci = rate_with_interval(y, units, experiment.alpha)
            test = None if name == control else compare(y, units, *base, alpha=experiment.alpha)
            if test is None:
                results[name][metric] = MetricResult(sum(y), len(y), rate, ci)
                continue
            diff, diff_ci, p = test
            if metric == experiment.metric:
                primary_p[name] = p
            results[name][metric] = MetricResult(sum(y), len(y), rate, ci, round(diff, 5), diff_ci, round(p, 6),
                                                 p < experiment.alpha)
    if primary_p:  # Holm across the variants compared with the control, on the primary metric only
        names = list(primary_p)
        reject, adjusted = holm([primary_p[n] for n in names], experiment.alpha)
        for name, significant, p in zip(names, reject, adjusted):
            m = results[name][experiment.metric]
            results[name][experiment.metric] = MetricResult(m.successes, m.trials, m.rate, m.ci, m.diff, m.diff_ci,
                                                            round(float(p), 6), bool(significant))
    variants = tuple(VariantResult(name, len(rows), results[name]) for name, rows in by_variant.items())
    conclusive, verdict = _verdict(experiment, variants)
    return ExperimentReport(experiment.name, experiment.parameter, experiment.metric, experiment.alpha, conclusive,
                            verdict, variants)


def _verdict(experiment: Experiment, variants: tuple[VariantResult, ...]) -> tuple[bool, str]:
    label = METRIC_LABELS[experiment.metric]
    short = [v for v in variants if v.sessions < experiment.min_sessions]
    if short:
        need = ", ".join(f"{v.name} {v.sessions}/{experiment.min_sessions}" for v in short)
        return False, f"Not conclusive yet: too few sessions ({need})."
    control = variants[0]
    winners = [v for v in variants[1:] if v.metrics[experiment.metric].significant]
    if winners:
        parts = []
        for v in winners:
            m = v.metrics[experiment.metric]
            direction = "raises" if m.diff > 0 else "lowers"
            parts.append(f"{v.name} {direction} the {label} rate by {abs(m.diff) * 100:.1f} points "
                         f"(95% CI {m.diff_ci[0] * 100:+.1f} to {m.diff_ci[1] * 100:+.1f}; p = {m.p_value:.3g}, Holm-corrected)")
        return True, "Conclusive: " + "; ".join(parts) + f" against {control.name}."
    base = control.metrics[experiment.metric]
    smallest = min(v.sessions for v in variants)
    mde = detectable_change(base.rate or 0.0, smallest, experiment.alpha)
    detail = f"; with {smallest} sessions per variant it would detect a change of about {mde * 100:.1f} points 80% of the time" if mde else ""
    return False, f"Not conclusive: no significant difference in the {label} rate at alpha {experiment.alpha}{detail}."


def plot_report(report: ExperimentReport, path) -> None:
    """Rates with 95 % intervals per variant, one panel per metric."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metrics = list(METRIC_LABELS)
    fig, axes = plt.subplots(1, len(metrics), figsize=(3 * len(metrics), 3.2), sharey=False)
    for ax, metric in zip(axes, metrics):
        names, rates, errors = [], [], [[], []]
        for v in report.variants:
            m = v.metrics[metric]
            names.append(v.name)
            rates.append(m.rate or 0.0)
            low, high = m.ci or (0.0, 0.0)
            errors[0].append(max((m.rate or 0.0) - low, 0.0))
            errors[1].append(max(high - (m.rate or 0.0), 0.0))
        colours = ["#888"] + ["#2a7" if v.metrics[metric].significant else "#58c" for v in report.variants[1:]]
        ax.bar(names, rates, yerr=errors, capsize=4, color=colours)
        ax.set_title(METRIC_LABELS[metric] + (" (primary)" if metric == report.metric else ""), fontsize=9)
        ax.tick_params(axis="x", labelsize=8, rotation=20)
    fig.suptitle(f"{report.experiment}: rate per session, 95% CI (green = significant vs {report.variants[0].name})", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
