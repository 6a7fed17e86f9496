"""`shopassist profiles` and `shopassist retention`: customer profiles and the outreach to those likely to leave."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import click

from ui.cli.common import friendly_errors, make_settings, status


def _profile_book(settings):
    """The same book the server answers with: the store's files plus the events and erasures in the database."""
    from assistant.deps import profile_book
    from data.load import load_catalog

    catalog = {p.id: p for p in load_catalog(settings.retrieval.catalog).records}
    return profile_book(settings, catalog)


@click.group()
def profiles() -> None:
    """Customer profiles: build them all, export or forget one customer."""


@profiles.command("build")
@friendly_errors
def profiles_build() -> None:
    """Rebuild every profile and churn score from the store's orders; writes profiles.jsonl."""
    from assistant.customers.profile_files import profiles_dir, save_profiles

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
    click.echo(json.dumps(_profile_book(make_settings()).export(user_id), indent=2))


@profiles.command("forget")
@click.argument("user_id")
@click.confirmation_option(prompt="Erase this customer's profile for good?")
@friendly_errors
def profiles_forget(user_id: str) -> None:
    """Erase one customer's profile, scores and snapshots (right to be forgotten)."""
    _profile_book(make_settings()).forget(user_id)
    click.echo(f"forgot {user_id}")


@click.group()
def retention() -> None:
    """Proactive retention: who is likely to leave and what to send them."""


@retention.command("report")
@click.option("--top", type=int, default=20, show_default=True, help="How many customers to list.")
@click.option("--sort", type=click.Choice(["risk", "value"]), default="risk", show_default=True)
@click.option("--out", type=click.Path(path_type=Path), default=Path("artifacts/retention"), show_default=True)
@friendly_errors
def retention_report(top: int, sort: str, out: Path) -> None:
    """CSV + HTML of the customers most at risk, with reasons, value at stake and a message each."""
    from assistant.customers.retention import plan_outreach, write_report
    from data.load import load_policies

    settings = make_settings()
    book = _profile_book(settings)
    rows = plan_outreach(book, load_policies(settings.store_dir / "policies"), top=top, sort=sort)
    csv_path, html_path = write_report(rows, book, out)
    click.echo(json.dumps({"customers": len(rows), "csv": str(csv_path), "html": str(html_path),
                           "value_at_stake": round(sum(r.value_at_stake for r in rows), 2)}))
