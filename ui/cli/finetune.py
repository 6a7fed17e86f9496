"""`shopassist finetune`: training data, the LoRA adapter, the intent head, the shopping gate, calibration."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ui.cli.common import friendly_errors, make_settings, status


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
