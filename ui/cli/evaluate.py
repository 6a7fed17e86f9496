"""`shopassist evaluate`: retrieval, fusion, conversations, churn and understanding measured on held-out data."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ui.cli.common import friendly_errors, make_settings, status


@click.group()
def evaluate() -> None:
    """Evaluate retrieval, understanding and churn on held-out data; last line is JSON."""


@evaluate.command("retrieval")
@click.option("--catalog", required=True, type=click.Path(exists=True, path_type=Path), help="Catalog to search (e.g. ../shared/datasets/abt_buy/abt.csv).")
@click.option("--queries", required=True, type=click.Path(exists=True, path_type=Path), help="CSV with columns query,relevant_id.")
@click.option("--plot", type=click.Path(path_type=Path), default=Path("artifacts/retrieval_eval.png"), show_default=True, help="PNG chart of the methods.")
@friendly_errors
def evaluate_retrieval_command(catalog: Path, queries: Path, plot: Path) -> None:
    """Recall@1/10, MRR@10 and latency of BM25, dense and hybrid search. Example:
    shopassist evaluate retrieval --catalog ../shared/datasets/abt_buy/abt.csv --queries QUERIES.csv
    """
    from retrieval.evaluate import dumps, evaluate_retrieval

    result = evaluate_retrieval(make_settings().retrieval, catalog, queries, plot=plot, progress=True)
    status(f"chart written to {plot}")
    click.echo(dumps(result))


def _numbers(kind):
    """Click callback: "1,2,5" -> (1, 2, 5)."""
    def parse(ctx, param, value):
        try:
            return tuple(kind(v) for v in value.split(",") if v.strip())
        except ValueError:
            raise click.BadParameter(f"expected comma-separated numbers, got {value!r}") from None
    return parse


@evaluate.command("fusion")
@click.option("--catalog", required=True, type=click.Path(exists=True, path_type=Path), help="Catalog to search (e.g. ../shared/datasets/abt_buy/abt.csv).")
@click.option("--queries", required=True, type=click.Path(exists=True, path_type=Path), help="CSV with columns query,relevant_id.")
@click.option("--rrf-k", default="1,2,3,5,10,20,60", show_default=True, callback=_numbers(int), help="RRF constants to try.")
@click.option("--dense-weights", default="0.5,1,1.5,2", show_default=True, callback=_numbers(float), help="Dense-list weights to try.")
@click.option("--bm25-weights", default="0.5,1,1.5,2,3,4", show_default=True, callback=_numbers(float), help="Keyword-list weights to try.")
@click.option("--seed", type=int, default=9, show_default=True, help="Seed of the hash that splits the queries in two halves.")
@click.option("--index", "index_home", type=click.Path(path_type=Path), help="Keep the evaluation index in this folder (default: a temporary one).")
@click.option("--plot", type=click.Path(path_type=Path), default=Path("artifacts/fusion_grid.png"), show_default=True, help="PNG heatmaps of the grid.")
@friendly_errors
def evaluate_fusion_command(catalog: Path, queries: Path, rrf_k, dense_weights, bm25_weights, seed: int,
                            index_home: Path | None, plot: Path) -> None:
    """Grid over rrf_k x dense_weight x bm25_weight: pick on half the queries, confirm on the other. Example:
    shopassist evaluate fusion --catalog ../shared/datasets/abt_buy/abt.csv --queries QUERIES.csv
    """
    from retrieval.evaluate import FusionGridConfig, dumps, evaluate_fusion

    try:
        config = FusionGridConfig(rrf_k=rrf_k, dense_weight=dense_weights, bm25_weight=bm25_weights, seed=seed)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    result = evaluate_fusion(make_settings().retrieval, catalog, queries, plot=plot, config=config,
                             index_home=index_home, progress=True)
    status(f"{result['decision']}; heatmap written to {plot}")
    click.echo(dumps(result))


@evaluate.command("conversations")
@click.option("--cases", "cases_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path), help="JSON Lines of scripted conversations (e.g. benchmarks/cases/demo_conversations.jsonl).")
@click.option("--url", help="A running server's API base, e.g. http://127.0.0.1:7860/v1 (default: run the assistant in-process).")
@click.option("--store", type=click.Path(exists=True, file_okay=False, path_type=Path), help="Store folder with catalog.jsonl, orders.csv, customers.csv, policies/ (default: the settings' store_dir).")
@click.option("--key", envvar="SHOPASSIST_API_KEY", help="API key for --url (or set SHOPASSIST_API_KEY).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write every turn's reply, extras and reasons here (JSON Lines).")
@friendly_errors
def evaluate_conversations_command(cases_path: Path, url: str | None, store: Path | None, key: str | None, out: Path | None) -> None:
    """Run scripted shopper conversations and check every reply: one line per case. Example:
    shopassist evaluate conversations --cases benchmarks/cases/demo_conversations.jsonl
    """
    from ui.conversation_eval import evaluate_conversations

    settings = make_settings(store_dir=store, **{"retrieval.catalog": store and store / "catalog.jsonl"})
    summary = evaluate_conversations(settings, cases_path, url=url, key=key, out=out, progress=lambda r: click.echo(r.line()))
    click.echo(json.dumps(summary))


@evaluate.command("churn")
@click.option("--transactions", required=True, type=click.Path(exists=True, path_type=Path), help="CDNOW_master.txt or a customer_id,date,amount CSV.")
@click.option("--format", "fmt", type=click.Choice(["cdnow", "csv"]), default="csv", show_default=True)
@click.option("--calibration-end", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Last day of the feature period.")
@click.option("--holdout-end", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Last day of the label window.")
@click.option("--out", type=click.Path(path_type=Path), default=Path("artifacts/churn"), show_default=True, help="Folder for the PNG plots.")
@friendly_errors
def evaluate_churn_command(transactions: Path, fmt: str, calibration_end, holdout_end, out: Path) -> None:
    """Churn classifier vs BG/NBD vs recency, and the classifier/BG-NBD blend weight sweep. Example:
    shopassist evaluate churn --transactions ../shared/datasets/cdnow/CDNOW_master.txt --format cdnow --calibration-end 1997-09-30 --holdout-end 1998-06-30
    """
    from assistant.customers.churn_eval import evaluate_churn, load_transactions

    frame, report = load_transactions(transactions, fmt)
    status(f"{report.kept} of {report.rows} transactions kept" + (f"; dropped {report.dropped}" if report.dropped else ""))
    result = evaluate_churn(frame, calibration_end=calibration_end.date(), holdout_end=holdout_end.date(), out_dir=out)
    click.echo(json.dumps({**result, "dropped": report.dropped}))


@evaluate.command("understanding")
@click.option("--cases", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=Path("benchmarks/cases/commands_heldout.jsonl"), show_default=True,
              help="Held-out turns: JSON lines with state, previous, say and the expected command lines.")
@click.option("--reader", type=click.Choice(["cascade", "head", "model", "untuned"]), default="cascade", show_default=True,
              help="What reads the turns: as served (the head, the chat model where it is unsure), one of the two alone, "
                   "or the base chat model without the command adapter (told the language in its instruction).")
@click.option("--plot", type=click.Path(path_type=Path), default=Path("docs/benchmarks/understanding_commands.png"), show_default=True)
@click.option("--misses", type=click.Path(path_type=Path), default=Path("artifacts/understanding_misses.jsonl"), show_default=True,
              help="Every turn read wrong, to look at.")
@friendly_errors
def evaluate_understanding_command(cases: Path, reader: str, plot: Path, misses: Path) -> None:
    """Command-type accuracy and per-slot precision/recall of understanding, beside the rules-only router. Example:
    shopassist evaluate understanding --cases benchmarks/cases/commands_heldout.jsonl
    """
    from assistant.deps import build_understander
    from assistant.understand import Understander
    from assistant.understand.models import HINT
    from data.load import load_catalog, load_policies
    from finetune.commands.evaluate import evaluate_understanding
    from finetune.rules_baseline import RulesRouter

    settings = make_settings()
    catalog = {p.id: p for p in load_catalog(settings.retrieval.catalog).records}
    policies = load_policies(settings.store_dir / "policies")
    if reader == "untuned":  # the base chat model alone: no head
        no_head = settings.model_copy(update={"understanding": settings.understanding.model_copy(update={"head": ""})})
        understander = build_understander(no_head, catalog, policies, untuned=True)
    else:
        understander = build_understander(settings, catalog, policies)
        if reader != "cascade":
            kept = understander.head if reader == "head" else understander.parser
            if kept is None:
                raise click.ClickException(f"no {reader} to read with: {HINT}")
            understander = Understander(kept if reader == "head" else None, kept if reader == "model" else None,
                                        understander.names, understander.titles)
    result = evaluate_understanding(cases, understander, RulesRouter(catalog), plot=plot)
    misses.parent.mkdir(parents=True, exist_ok=True)
    misses.write_text("".join(json.dumps(m, ensure_ascii=False) + "\n" for m in result.pop("misses")), encoding="utf-8")
    status(f"chart written to {plot}; turns read wrong in {misses}")
    click.echo(json.dumps({"reader": reader, **result}))

@evaluate.command("cascade")
@click.option("--cases", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=Path("runs/commands/dev.jsonl"),
              show_default=True, help="Turns to choose on: the dev split of the command data (never the held-out set).")
@click.option("--p95-budget", type=float, default=0.3, show_default=True, help="Seconds per message the cascade's p95 may take.")
@friendly_errors
def evaluate_cascade_command(cases: Path, p95_budget: float) -> None:
    """Where the fast head should hand a turn to the chat model (SHOPASSIST_UNDERSTANDING__SURE), by measurement. Example:
    shopassist evaluate cascade --cases runs/commands/dev.jsonl
    """
    from assistant.deps import build_understander
    from assistant.understand import Understander
    from data.load import load_catalog, load_policies
    from finetune.commands.cascade import choose_sure
    from finetune.commands.evaluate import read_cases

    settings = make_settings()
    catalog = {p.id: p for p in load_catalog(settings.retrieval.catalog).records}
    both = build_understander(settings, catalog, load_policies(settings.store_dir / "policies"))
    if both.head is None or both.parser is None:
        raise click.ClickException("the cascade needs both the fast head and the chat model's command adapter")
    head_only = Understander(both.head, None, both.names, both.titles)
    model_only = Understander(None, both.parser, both.names, both.titles)
    click.echo(json.dumps(choose_sure(read_cases(cases), head_only, model_only, p95_budget_s=p95_budget)))
