"""The `shopassist` command line.

    shopassist setup                         # convert the model, build the demo index
    shopassist chat --user C0001             # terminal chat as a demo customer
    shopassist chat --message "hi there"     # one answer on stdout, as a guest
    shopassist serve --port 7860             # browser chat, widget and /v1 API
    shopassist ingest catalog.csv            # (re)index a product catalog
"""

from __future__ import annotations

import functools
import json
import logging
import sys
from pathlib import Path

import click

from data.errors import ShopAssistError
from assistant.settings import Settings
from assistant.types import Token


def friendly_errors(command):
    """Turn our errors into one clear line plus a hint, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except ShopAssistError as exc:
            raise click.ClickException(exc.message + (f"\nhint: {exc.hint}" if exc.hint else "")) from exc

    return wrapper


def make_settings(**overrides) -> Settings:
    """Environment settings plus CLI flags (only the flags actually given)."""
    settings = Settings()
    for dotted, value in overrides.items():
        if value is None:
            continue
        group, _, field = dotted.partition(".")
        if field:
            settings = settings.model_copy(update={group: getattr(settings, group).model_copy(update={field: value})})
        else:
            settings = settings.model_copy(update={group: value})
        logging.getLogger(__name__).info("setting %s=%r from the command line", dotted, value)
    return settings


def status(message: str) -> None:
    click.echo(f"· {message}", err=True)


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log what each stage does.")
@click.version_option(package_name="shopassist")
def cli(verbose: bool) -> None:
    """ShopAssist: a conversational shopping assistant for online stores."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


@cli.command()
@friendly_errors
def setup() -> None:
    """Prepare everything offline: convert the chat model once and build the demo index."""
    from assistant.deps import build_deps

    settings = make_settings()
    deps = build_deps(settings, progress=status)
    click.echo(f"ready: model cache {settings.model_cache}, index {settings.index_dir} "
               f"({deps.retriever.store.count()} products)")


@cli.command()
@click.option("--user", "user_id", envvar="SHOPASSIST_USER", help="Customer id (e.g. C0001); omit to chat as a guest.")
@click.option("--message", "-m", help="Answer this one message on stdout and exit.")
@friendly_errors
def chat(user_id: str | None, message: str | None) -> None:
    """Chat in the terminal (the same turn as the API, the widget and the browser). Example: shopassist chat --user C0001"""
    from assistant.deps import build_deps
    from assistant.turn import build_service

    settings = make_settings()
    service = build_service(settings, build_deps(settings, progress=status))
    if message is not None:
        _print_turn(service, message, user_id, None)
        return
    status(f"chatting as {user_id or 'a guest'}; an empty line or Ctrl-D ends the chat")
    session = None
    while True:
        try:
            text = input("you> ")
        except (EOFError, KeyboardInterrupt):
            break
        if not text.strip():
            break
        try:
            session = _print_turn(service, text, user_id, session, prefix="shop> ")
        except ShopAssistError as exc:  # one bad message must not end the conversation
            click.echo(f"error: {exc.message}" + (f" (hint: {exc.hint})" if exc.hint else ""), err=True)


def _print_turn(service, text: str, user_id: str | None, session: str | None, prefix: str = "") -> str | None:
    """Stream one turn to the terminal; returns the session id, so the next message continues it."""
    from assistant.turn import Finished

    click.echo(prefix, nl=False)
    for event in service.turn(text, user_id=user_id, session_id=session, channel="terminal"):
        if isinstance(event, Token):
            click.echo(event.text, nl=False)
            sys.stdout.flush()
        elif isinstance(event, Finished):
            click.echo()
            for hit in event.hits:
                price = f"${hit.product.price:,.2f}" if hit.product.price is not None else "price on request"
                click.echo(f"  · {hit.product.title} ({price}) [{hit.product.id}]")
            notes = [f"intent {event.intent.label} ({event.intent.confidence:.2f})"]
            if event.action:
                notes.append(f"{event.action.kind} {event.action.order_id}: {event.action.outcome}")
            if event.handoff:
                notes.append(f"handed to a person (ticket #{event.ticket_id}: {event.handoff_reason})")
            status("; ".join(notes))
            return event.session_id
    return session


@cli.command()
@click.option("--host", envvar="SHOPASSIST_SERVE__HOST", help="Address to bind (default 127.0.0.1).")
@click.option("--port", type=int, envvar="SHOPASSIST_SERVE__PORT", help="Port (default 7860).")
@friendly_errors
def serve(host: str | None, port: int | None) -> None:
    """Serve the browser chat at / and the API under /v1."""
    import uvicorn

    from assistant.deps import build_deps
    from ui.app import create_app

    settings = make_settings(**{"serve.host": host, "serve.port": port})
    app = create_app(settings, build_deps(settings, progress=status))  # first start: progress of model + index
    status(f"open http://{settings.serve.host}:{settings.serve.port}/ in a browser")
    uvicorn.run(app, host=settings.serve.host, port=settings.serve.port, log_level="warning")


@cli.command()
@click.argument("catalog", type=click.Path(path_type=Path))
@click.option("--mapping", "-m", multiple=True, envvar="SHOPASSIST_RETRIEVAL__MAPPING",
              help="FIELD=COLUMN, repeatable or comma-separated, e.g. -m title=name -m brand=manufacturer.")
@click.option("--collection", envvar="SHOPASSIST_RETRIEVAL__COLLECTION", help="Chroma collection (default products).")
@friendly_errors
def ingest(catalog: Path, mapping: tuple[str, ...], collection: str | None) -> None:
    """Index a product catalog (CSV, JSON Lines, JSON or Parquet) into the Chroma store.

    Re-running upserts changed items and deletes removed ones. Example:
    shopassist ingest ../shared/datasets/abt_buy/abt.csv -m title=name
    """
    from retrieval.ingest import ingest_catalog

    settings = make_settings(**{"retrieval.catalog": catalog, "retrieval.mapping": ",".join(mapping) or None,
                                "retrieval.collection": collection})
    report = ingest_catalog(settings, progress=True)
    click.echo(report.summary())
    click.echo(f"index: {settings.retrieval.chroma_server or settings.index_dir} ({report.store.count()} products)")


@cli.group()
def finetune() -> None:
    """Build training data and train the LoRA adapter."""


@cli.group()
def evaluate() -> None:
    """Evaluate retrieval, intents and churn on real data; last line is JSON."""


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

    result = evaluate_retrieval(make_settings(), catalog, queries, plot=plot, progress=True)
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
    result = evaluate_fusion(make_settings(), catalog, queries, plot=plot, config=config, index_home=index_home, progress=True)
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
    import json

    from assistant.customers.churn_eval import evaluate_churn, load_transactions

    frame, report = load_transactions(transactions, fmt)
    status(f"{report.kept} of {report.rows} transactions kept" + (f"; dropped {report.dropped}" if report.dropped else ""))
    result = evaluate_churn(frame, calibration_end=calibration_end.date(), holdout_end=holdout_end.date(), out_dir=out)
    click.echo(json.dumps({**result, "dropped": report.dropped}))


@cli.group()
def profiles() -> None:
    """Customer profiles: build them all, export or forget one customer."""


def _profile_book(settings):
    from assistant.customers.profile import load_profile_book, profile_config
    from data.load import load_catalog

    catalog = {p.id: p for p in load_catalog(settings.retrieval.catalog).records}
    return load_profile_book(settings.store_dir, catalog, home=settings.home, config=profile_config(settings))


@profiles.command("build")
@friendly_errors
def profiles_build() -> None:
    """Rebuild every profile and churn score from the store's orders; writes profiles.jsonl."""
    import json
    from collections import Counter

    from assistant.customers.profile import profiles_dir, save_profiles

    settings = make_settings()
    book = _profile_book(settings)
    path = save_profiles(book, profiles_dir(settings.home))
    for problem in book.report[:10]:
        status(f"skipped {problem}")
    views = [book.view(c) for c in book.customers]
    click.echo(json.dumps({"customers": len(views), "path": str(path), "skipped_rows": len(book.report),
                           "segments": Counter(v.segment for v in views), "churn_tiers": Counter(str(v.churn_tier) for v in views)}))


@profiles.command("export")
@click.argument("user_id")
@friendly_errors
def profiles_export(user_id: str) -> None:
    """Print everything held about one customer as JSON (data-access request)."""
    import json

    click.echo(json.dumps(_profile_book(make_settings()).export(user_id), indent=2))


@profiles.command("forget")
@click.argument("user_id")
@click.confirmation_option(prompt="Erase this customer's profile for good?")
@friendly_errors
def profiles_forget(user_id: str) -> None:
    """Erase one customer's profile, scores and snapshots (right to be forgotten)."""
    _profile_book(make_settings()).forget(user_id)
    click.echo(f"forgot {user_id}")


@cli.group()
def retention() -> None:
    """Proactive retention: who is likely to leave and what to send them."""


@retention.command("report")
@click.option("--top", type=int, default=20, show_default=True, help="How many customers to list.")
@click.option("--sort", type=click.Choice(["risk", "value"]), default="risk", show_default=True)
@click.option("--out", type=click.Path(path_type=Path), default=Path("artifacts/retention"), show_default=True)
@friendly_errors
def retention_report(top: int, sort: str, out: Path) -> None:
    """CSV + HTML of the customers most at risk, with reasons, value at stake and a message each."""
    import json

    from assistant.customers.retention import plan_outreach, write_report
    from data.load import load_policies

    settings = make_settings()
    book = _profile_book(settings)
    rows = plan_outreach(book, load_policies(settings.store_dir / "policies"), top=top, sort=sort)
    csv_path, html_path = write_report(rows, book, out)
    click.echo(json.dumps({"customers": len(rows), "csv": str(csv_path), "html": str(html_path),
                           "value_at_stake": round(sum(r.value_at_stake for r in rows), 2)}))

@finetune.command("build-data")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Folder for the training files and manifest.json.")
@click.option("--datasets", type=click.Path(exists=True, path_type=Path), default=None, help="Shared datasets folder (default ../shared/datasets).")
@click.option("--seed", type=int, default=13, show_default=True)
@friendly_errors
def finetune_build_data(out: Path, datasets: Path | None, seed: int) -> None:
    """Seeded intent + dialogue training data. Example: shopassist finetune build-data --out runs/data"""
    from finetune.dataset import DataConfig, build_data

    config = DataConfig(seed=seed, **({"datasets_dir": datasets} if datasets else {}))
    built = build_data(out, config)
    click.echo(json.dumps({"out": str(built.out), **built.counts}))


@finetune.command("train")
@click.option("--data", type=click.Path(path_type=Path), default=Path("runs/data"), show_default=True)
@click.option("--out", type=click.Path(path_type=Path), default=Path("runs/lora"), show_default=True, help="Rerun with the same --out to resume.")
@click.option("--epochs", type=float, default=1.0, show_default=True)
@click.option("--seed", type=int, default=13, show_default=True)
@click.option("--max-steps", type=int, default=0, help="Stop after this many steps (0 = full schedule).")
@friendly_errors
def finetune_train(data: Path, out: Path, epochs: float, seed: int, max_steps: int) -> None:
    """LoRA training through accelerate (CPU or GPU). Example: shopassist finetune train --data runs/data"""
    from finetune.evaluate import fit_intent_head
    from finetune.train import TrainConfig, train

    summary = train(TrainConfig(data=data, out=out, epochs=epochs, seed=seed, max_steps=max_steps), make_settings())
    summary["intent_head"] = str(fit_intent_head(data / "intents_train.csv", Path(summary["adapter"])))
    click.echo(json.dumps(summary))


@finetune.command("head")
@click.option("--data", type=click.Path(path_type=Path), default=Path("runs/data"), show_default=True)
@click.option("--adapter", type=click.Path(exists=True, path_type=Path), default=Path("finetune/adapter"), show_default=True)
@friendly_errors
def finetune_head(data: Path, adapter: Path) -> None:
    """(Re)fit the embedding head fused with the adapter's label scores (`finetune train` does it too)."""
    from finetune.evaluate import fit_intent_head

    click.echo(json.dumps({"intent_head": str(fit_intent_head(data / "intents_train.csv", adapter))}))


@finetune.command("gate")
@click.option("--data", type=click.Path(exists=True, path_type=Path), default=Path("runs/data"), show_default=True)
@click.option("--adapter", type=click.Path(exists=True, path_type=Path), default=Path("finetune/adapter"), show_default=True)
@click.option("--dev", type=click.Path(exists=True, path_type=Path), default=Path("../shared/datasets/intents_dev_real.csv"), show_default=True)
@friendly_errors
def finetune_gate(data: Path, adapter: Path, dev: Path) -> None:
    """Fit the shopping gate (words + catalog evidence) and choose its threshold on a calibration split. Example:
    shopassist finetune gate --data runs/data
    """
    from data.load import load_catalog
    from finetune.gate import fit_gate

    catalog = load_catalog(make_settings().retrieval.catalog).records
    click.echo(json.dumps(fit_gate(data, adapter, catalog=catalog, dev=dev, progress=status)))


@finetune.command("eval")
@click.option("--adapter", type=click.Path(exists=True, path_type=Path), default=Path("finetune/adapter"), show_default=True)
@click.option("--dev", type=click.Path(path_type=Path), default=Path("../shared/datasets/intents_dev_real.csv"), show_default=True)
@click.option("--heldout", type=click.Path(exists=True, path_type=Path),
              help="Held-out training-source rows (text,intent) that choose the head's fusion weight; default: the one the build recorded.")
@friendly_errors
def finetune_eval(adapter: Path, dev: Path, heldout: Path | None) -> None:
    """Pick the fusion weight on held-out training sources, then the intent temperature and abstain threshold on dev."""
    from finetune.evaluate import calibrate

    click.echo(json.dumps(calibrate(adapter, dev, make_settings(), heldout=heldout)))


@evaluate.command("intents")
@click.option("--data", required=True, type=click.Path(path_type=Path), help="CSV with columns text,intent.")
@click.option("--train", "train_csv", type=click.Path(path_type=Path), default=Path("runs/data/intents_train.csv"), show_default=True, help="Training file for the baselines.")
@click.option("--out", type=click.Path(path_type=Path), default=Path("artifacts"), show_default=True, help="Folder for the confusion-matrix PNG.")
@friendly_errors
def evaluate_intents_command(data: Path, train_csv: Path, out: Path) -> None:
    """Tuned-model intents vs TF-IDF and MiniLM baselines. Example:
    shopassist evaluate intents --data ../shared/datasets/intents_dev_real.csv
    """
    from finetune.evaluate import evaluate_intents

    click.echo(json.dumps(evaluate_intents(data, train_csv, make_settings(), out_dir=out)))


@cli.group()
def bench() -> None:
    """Speed benchmarks; the last line of stdout is JSON."""


@bench.command("generate")
@click.option("--quick", is_flag=True, help="Reduced run (one 300-token prompt, 1 and 4 sessions), under 3 minutes.")
@click.option("--threads", type=int, help="CPU threads for both engines (default: all cores).")
def bench_generate(quick: bool, threads: int | None) -> None:
    """Our engine vs llama.cpp on the same GGUF: TTFT, decode tok/s, 1/4/8 sessions. Example:
    shopassist bench generate --quick   (llama.cpp: pip install -e '.[bench]')
    """
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # benchmarks/ sits beside ui/, not installed
    from benchmarks.generate import main as run_benchmark

    run_benchmark((["--quick"] if quick else []) + (["--threads", str(threads)] if threads else []))


from ui.experiments_cli import experiments  # noqa: E402  (its own module; it imports the helpers above)

cli.add_command(experiments)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
