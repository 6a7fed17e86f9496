"""`shopassist setup` and `shopassist ingest`: the converted model and the product index."""

from __future__ import annotations

from pathlib import Path

import click

from ui.cli.common import friendly_errors, make_settings, status


@click.command()
@friendly_errors
def setup() -> None:
    """Prepare everything offline: convert the chat model once and build the demo index."""
    from assistant.deps import build_deps

    settings = make_settings()
    deps = build_deps(settings, progress=status)
    click.echo(f"ready: model cache {settings.model_cache}, index {settings.index_dir} "
               f"({deps.retriever.store.count()} products)")


@click.command()
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
    report = ingest_catalog(settings.retrieval, settings.index_dir, progress=True)
    click.echo(report.summary())
    click.echo(f"index: {settings.retrieval.chroma_server or settings.index_dir} ({report.store.count()} products)")
