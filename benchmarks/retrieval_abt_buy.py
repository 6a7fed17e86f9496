"""Abt-Buy retrieval benchmark: build the dev query set, then run `shopassist evaluate retrieval`.

    .venv/bin/python -m benchmarks.retrieval_abt_buy [--dataset ../shared/datasets/abt_buy] [--out artifacts/abt_buy_queries.csv]

Queries are Buy product names; the relevant item is the Abt product matched in
matches_dev.csv; the catalog is abt.csv. The query file goes under artifacts/ (not committed).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assistant.settings import REPO_ROOT

DEFAULT_DATASET = REPO_ROOT.parent / "shared" / "datasets" / "abt_buy"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET)
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "artifacts" / "abt_buy_queries.csv")
    parser.add_argument("--build-only", action="store_true", help="write the query file and stop")
    args = parser.parse_args(argv)

    from retrieval.evaluate import build_abt_buy_queries

    n = build_abt_buy_queries(args.dataset, args.out)
    print(f"wrote {n} queries to {args.out}", file=sys.stderr)
    if args.build_only:
        return
    from ui.cli import cli

    cli(["evaluate", "retrieval", "--catalog", str(args.dataset / "abt.csv"), "--queries", str(args.out),
         "--plot", str(REPO_ROOT / "artifacts" / "retrieval_abt_buy.png")])


if __name__ == "__main__":
    main()
