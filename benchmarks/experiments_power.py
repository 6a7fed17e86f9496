"""Do experiment reports find a real effect and stay quiet without one? Repeated simulated A/B and A/A tests.

    python -m benchmarks.experiments_power                 # 100 A/B + 100 A/A runs of 1,000 sessions
    python -m benchmarks.experiments_power --reps 10 --sessions 500   # a quick look

Each run re-randomizes customers (the experiment's name changes, so does the hash) and lets
scripted shoppers from the demo store chat with the assistant (intent, retrieval, profile,
experiment variant and prompt all real; replies are not written out, the shoppers react to the
products and the offer only). In the A/B runs the treatment's retention offer (the 10 % code)
truly raises a shopper's order probability by --effect; in the A/A runs both arms get the same
offer. The report's verdict on the primary metric (order) is counted: detection rate (power)
for A/B, false-positive rate for A/A. Last line: JSON. Also writes a PNG of the p-values.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent


def experiment(name: str, *, same_offer: bool):
    """Control keeps the store rules (A/B) or gets the code too (A/A); treatment offers the code."""
    from assistant.analytics.experiments import Experiment, ExperimentBook, Variant

    variants = (Variant("control", 0.5, "code" if same_offer else None), Variant("treatment", 0.5, "code"))
    return ExperimentBook([Experiment(name, "retention_offer", variants, metric="order", min_sessions=100)])


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=100, help="runs of each kind (A/B and A/A)")
    parser.add_argument("--sessions", type=int, default=1000, help="sessions per run")
    parser.add_argument("--effect", type=float, default=0.15, help="extra order probability after the code offer")
    parser.add_argument("--plot", type=Path, default=ROOT / "docs" / "benchmarks" / "experiments_power.png")
    args = parser.parse_args(argv)

    from sqlalchemy import create_engine

    from assistant.analytics.events import EventLog
    from assistant.analytics.experiment_report import report_experiment
    from assistant.deps import build_deps
    from assistant.settings import Settings
    from assistant.simulation import PlanRunner, ShopperModel, simulate

    started = time.perf_counter()
    deps = build_deps(Settings(), progress=lambda m: print(f"· {m}", file=sys.stderr))
    catalog = deps.retriever.catalog
    views = {c: deps.profiles.view(c) for c in deps.profiles.customers}
    shopper = ShopperModel(offer_effect=args.effect, effect_offer="code")
    runner = PlanRunner(deps, None)
    outcomes = {"ab": [], "aa": []}
    diffs = {"ab": [], "aa": []}
    for rep in tqdm(range(args.reps), desc="A/B + A/A runs", unit="pair", file=sys.stderr):
        for kind in ("ab", "aa"):
            name = f"{kind}-{rep}"
            deps.experiments = experiment(name, same_offer=kind == "aa")
            log = EventLog(create_engine("sqlite://"), b"benchmark-secret", known_customers=views, known_products=catalog)
            runner.log = log
            simulate(runner, log.record_many, views, catalog, shopper,
                     sessions=args.sessions, seed=1000 * rep + (kind == "aa"))
            report = report_experiment(log, deps.experiments.get(name))
            treated = report.variants[1].metrics["order"]
            outcomes[kind].append((treated.p_value, treated.significant and treated.diff > 0))
            diffs[kind].append(treated.diff)
    result = {
        "reps": args.reps, "sessions": args.sessions, "effect": args.effect, "alpha": 0.05, "customers": len(views),
        "ab_detection_rate": sum(s for _, s in outcomes["ab"]) / args.reps,
        "aa_false_positive_rate": sum(p is not None and p < 0.05 for p, _ in outcomes["aa"]) / args.reps,
        "ab_mean_diff": round(sum(diffs["ab"]) / args.reps, 4), "aa_mean_diff": round(sum(diffs["aa"]) / args.reps, 4),
        "seconds": round(time.perf_counter() - started, 1),
    }
    plot(outcomes, args.plot, result)
    print(json.dumps(result))
    return result


def plot(outcomes: dict, path: Path, result: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    bins = [i / 20 for i in range(21)]
    ax.hist([p for p, _ in outcomes["aa"] if p is not None], bins=bins, alpha=0.6, label=f"A/A (false positives {result['aa_false_positive_rate']:.0%})")
    ax.hist([p for p, _ in outcomes["ab"] if p is not None], bins=bins, alpha=0.6, label=f"A/B, +{result['effect']:.0%} order prob. after the offer (detected {result['ab_detection_rate']:.0%})")
    ax.axvline(0.05, color="k", linestyle="--", linewidth=1)
    ax.set_xlabel("p-value of the order-rate difference (clustered by customer)")
    ax.set_ylabel("runs")
    ax.set_title(f"{result['reps']} runs each, {result['sessions']} sessions per run", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    main()
