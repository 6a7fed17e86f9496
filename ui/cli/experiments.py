"""`shopassist experiments`: list, report and simulate the A/B tests of an experiment file."""

# shopassist experiments list --file data/demo/experiments.toml
# shopassist experiments simulate retention-offer --file data/demo/experiments.toml --sessions 40
# shopassist experiments report retention-offer --file data/demo/experiments.toml --plot offer.png
#
# Reports read the same database the server writes (SHOPASSIST_SERVE__DB_URL, SQLite under the
# home folder by default), so a running store and a simulation are reported the same way.

from __future__ import annotations

import json
from pathlib import Path

import click

from data.errors import BadInput
from ui.cli.common import friendly_errors, make_settings, status

FILE_OPTION = click.option("--file", "path", type=click.Path(path_type=Path),
                           help="Experiment file (TOML); default SHOPASSIST_EXPERIMENTS__FILE.")


def _settings(path: Path | None):
    settings = make_settings(**{"experiments.file": path})
    if settings.experiments.file is None:
        raise BadInput("no experiment file", hint="pass --file or set SHOPASSIST_EXPERIMENTS__FILE "
                                                  "(example: data/demo/experiments.toml)")
    return settings


def _event_log(settings, customers=None, products=None):
    from assistant.analytics.events import build_event_log
    from assistant.history import build_history

    store = build_history(settings)
    return store, build_event_log(settings, store.engine, customers=customers, products=products)


@click.group()
def experiments() -> None:
    """A/B tests of prompts, ranking and retention offers (docs/experiments.md)."""


@experiments.command("list")
@FILE_OPTION
@friendly_errors
def list_experiments(path: Path | None) -> None:
    """The experiments in the file, their knob, variants and traffic."""
    from assistant.analytics.experiments import load_experiments

    book = load_experiments(_settings(path).experiments.file)
    for e in book.experiments.values():
        variants = ", ".join(f"{v.name} {v.traffic:.0%}" for v in e.variants)
        click.echo(f"{e.name} [{e.status}] varies {e.parameter}, primary metric {e.metric}: {variants}")


def echo_report(report) -> None:
    from assistant.analytics.experiment_report import METRIC_LABELS

    click.echo(f"{report.experiment} (varies {report.parameter}; primary metric: {METRIC_LABELS[report.metric]})")
    header = f"{'variant':<18}{'sessions':>9}" + "".join(f"{METRIC_LABELS[m]:>22}" for m in METRIC_LABELS)
    click.echo(header)
    for v in report.variants:
        cells = []
        for metric in METRIC_LABELS:
            m = v.metrics[metric]
            if m.rate is None:
                cells.append(f"{'-':>22}")
                continue
            cell = f"{m.rate:.1%} [{m.ci[0]:.1%},{m.ci[1]:.1%}]"
            cells.append(f"{cell + ('*' if m.significant else ' '):>22}")
        click.echo(f"{v.name:<18}{v.sessions:>9}" + "".join(cells))
    click.echo("* significantly different from the control; [95% CI]")
    click.echo(report.verdict)


@experiments.command("report")
@click.argument("name")
@FILE_OPTION
@click.option("--plot", type=click.Path(path_type=Path), help="Write a PNG of the rates with their intervals.")
@friendly_errors
def report_command(name: str, path: Path | None, plot: Path | None) -> None:
    """Per-variant conversion, rating and handoff with CIs and tests; last line JSON."""
    from assistant.analytics.experiment_report import plot_report, report_experiment
    from assistant.analytics.experiments import load_experiments

    settings = _settings(path)
    experiment = load_experiments(settings.experiments.file).get(name)
    _, log = _event_log(settings)
    report = report_experiment(log, experiment)
    echo_report(report)
    if plot:
        plot_report(report, plot)
        status(f"plot written to {plot}")
    click.echo(json.dumps(report.as_dict()))


@experiments.command("simulate")
@click.argument("name")
@FILE_OPTION
@click.option("--sessions", type=click.IntRange(1, 100_000), default=40, show_default=True)
@click.option("--seed", type=int, default=7, show_default=True)
@click.option("--effect", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="Injected: extra order probability for shoppers whose reply made --effect-offer.")
@click.option("--effect-offer", type=click.Choice(["code", "free_shipping", "code_or_shipping"]), default="code",
              show_default=True)
@click.option("--replies/--no-replies", default=True, show_default=True,
              help="Write every reply with the model (real chat, slow on a CPU) or run the turn's decisions only.")
@friendly_errors
def simulate_command(name: str, path: Path | None, sessions: int, seed: int, effect: float, effect_offer: str,
                     replies: bool) -> None:
    """Scripted shoppers chat with the assistant and click, buy and rate; then the report. Example:
    shopassist experiments simulate retention-offer --file data/demo/experiments.toml --sessions 40 --effect 0.15
    """
    from assistant.analytics.experiment_report import report_experiment
    from assistant.deps import build_deps
    from assistant.simulation import PlanRunner, ShopperModel, TurnResult, simulate

    settings = _settings(path)
    deps = build_deps(settings, progress=status)
    experiment = deps.experiments.get(name)
    if experiment.status != "running":
        status(f"{name} is paused: sessions will not be assigned to it")
    catalog = deps.retriever.catalog
    store, log = _event_log(settings, deps.profiles.customers, catalog)
    if replies:
        from assistant.metrics import build_metrics
        from assistant.turn import Accepted, Finished, TurnService

        chat = TurnService(deps, store, build_metrics(), log)

        def run(user_id: str, session_id: str | None, message: str) -> TurnResult:
            session = None
            for event in chat.turn(message, user_id=user_id, session_id=session_id, channel="simulation"):
                if isinstance(event, Accepted):
                    session = event.session_id
                elif isinstance(event, Finished):
                    return TurnResult(session, event.intent.label, tuple(h.product.id for h in event.hits),
                                      event.offer, event.reply_id)
            raise RuntimeError("the turn ended without a reply")
    else:
        run = PlanRunner(deps, log, store=store)
    views = {c: deps.profiles.view(c) for c in deps.profiles.customers}
    shopper = ShopperModel(offer_effect=effect, effect_offer=effect_offer)
    result = simulate(run, log.record_many, views, catalog, shopper, sessions=sessions, seed=seed, progress=True)
    status(f"{result.sessions} sessions, {result.turns} turns, {result.events} shopper events "
           f"({result.rejected} rejected), {result.offers} retention offers")
    report = report_experiment(log, experiment)
    echo_report(report)
    click.echo(json.dumps({"simulation": {"sessions": result.sessions, "turns": result.turns, "events": result.events,
                                          "offers": result.offers, "effect": effect, "effect_offer": effect_offer},
                           **report.as_dict()}))
