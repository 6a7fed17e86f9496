"""`shopassist finetune`: training data and training for the reply adapter and for understanding (the fast head and
the chat model's command adapter)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ui.cli.common import friendly_errors, make_settings


@click.group()
def finetune() -> None:
    """Build training data and train the LoRA adapter."""


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
    """The reply adapter (grounded reply turns) through accelerate (CPU or GPU). Example: shopassist finetune train --data runs/data"""
    from finetune.train import TrainConfig, train

    click.echo(json.dumps(train(TrainConfig(data=data, out=out, epochs=epochs, seed=seed, max_steps=max_steps), make_settings())))


@finetune.command("build-commands")
@click.option("--store", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="The store's folder (catalog.jsonl, orders.csv, customers.csv, policies/); default: SHOPASSIST_STORE_DIR.")
@click.option("--out", type=click.Path(path_type=Path), default=Path("runs/commands"), show_default=True)
@click.option("--examples", type=int, default=30_000, show_default=True, help="Generated training examples (before de-duplication).")
@click.option("--seed", type=int, default=13, show_default=True)
@friendly_errors
def finetune_build_commands(store: Path | None, out: Path, examples: int, seed: int) -> None:
    """Command data from the store's own files: train, dev and held-out phrasings. Example:
    shopassist finetune build-commands --out runs/commands
    """
    from finetune.commands.build import CommandDataConfig, build

    settings = make_settings()
    click.echo(json.dumps(build(CommandDataConfig(store=store or settings.store_dir, out=out, examples=examples, seed=seed))))


@finetune.command("train-head")
@click.option("--data", type=click.Path(exists=True, path_type=Path), default=Path("runs/commands"), show_default=True)
@click.option("--out", type=click.Path(path_type=Path), default=Path("runs/head"), show_default=True)
@click.option("--epochs", type=float, default=3.0, show_default=True)
@click.option("--max-steps", type=int, default=0, help="Stop after this many steps (0 = full schedule).")
@click.option("--encoder", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="A BERT-style encoder folder (e.g. a multilingual MiniLM); default: the packaged MiniLM.")
@friendly_errors
def finetune_train_head(data: Path, out: Path, epochs: float, max_steps: int, encoder: Path | None) -> None:
    """The fast head (MiniLM + LoRA + output layers) on the command data. Example: shopassist finetune train-head"""
    from finetune.commands.store import StoreFacts
    from finetune.commands.train_head import HeadConfig, train_head

    settings = make_settings()
    facts = StoreFacts.load(settings.store_dir, settings.retrieval.catalog)
    click.echo(json.dumps(train_head(HeadConfig(data=data, out=out, epochs=epochs, max_steps=max_steps,
                                                catalog=settings.retrieval.catalog, encoder=encoder), facts)))


@finetune.command("train-parser")
@click.option("--data", type=click.Path(exists=True, path_type=Path), default=Path("runs/commands"), show_default=True)
@click.option("--out", type=click.Path(path_type=Path), default=Path("runs/parser"), show_default=True, help="Rerun with the same --out to resume.")
@click.option("--epochs", type=float, default=1.0, show_default=True)
@click.option("--rows", type=int, default=12_000, show_default=True, help="Command rows to train on (0 = all).")
@click.option("--max-steps", type=int, default=0, help="Stop after this many steps (0 = full schedule).")
@friendly_errors
def finetune_train_parser(data: Path, out: Path, epochs: float, rows: int, max_steps: int) -> None:
    """The chat model's command adapter (the same LoRA recipe as the reply adapter). Example: shopassist finetune train-parser"""
    from finetune.train import TrainConfig, train

    settings = make_settings()
    config = TrainConfig(data=data, out=out, epochs=epochs, max_rows=rows, max_steps=max_steps, rank=16, alpha=32,
                         batch_tokens=2048, max_len=512, catalog=settings.retrieval.catalog)
    click.echo(json.dumps(train(config, settings)))


@finetune.command("understanding")
@click.option("--store", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="The store's folder (catalog.jsonl, orders.csv, customers.csv, policies/); default: SHOPASSIST_STORE_DIR.")
@click.option("--out", type=click.Path(path_type=Path), default=Path("runs/understanding"), show_default=True,
              help="Folder for the data, the head and the command adapter.")
@click.option("--parser/--no-parser", default=True, show_default=True, help="Also train the chat model's command adapter (about an hour on 2 cores).")
@friendly_errors
def finetune_understanding(store: Path | None, out: Path, parser: bool) -> None:
    """A store's understanding in one command: its command data, the fast head, the command adapter. Point
    SHOPASSIST_UNDERSTANDING__HEAD / __PARSER at the folders it prints. Example: shopassist finetune understanding --store my_store"""
    from finetune.commands.build import CommandDataConfig, build
    from finetune.commands.store import StoreFacts
    from finetune.commands.train_head import HeadConfig, train_head
    from finetune.train import TrainConfig, train

    settings = make_settings()
    store = store or settings.store_dir
    catalog = store / "catalog.jsonl" if (store / "catalog.jsonl").exists() else settings.retrieval.catalog
    data = out / "commands"
    summary = {"data": build(CommandDataConfig(store=store, out=data))}
    summary["head"] = train_head(HeadConfig(data=data, out=out / "head", catalog=catalog), StoreFacts.load(store, catalog))
    if parser:
        summary["parser"] = train(TrainConfig(data=data, out=out / "parser", max_rows=12_000, rank=16, alpha=32,
                                              batch_tokens=2048, max_len=512, catalog=catalog), settings)
    summary["use"] = {"SHOPASSIST_UNDERSTANDING__HEAD": str(out / "head"),
                      "SHOPASSIST_UNDERSTANDING__PARSER": str(out / "parser" / "adapter") if parser else ""}
    click.echo(json.dumps(summary))
