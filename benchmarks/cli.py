"""`shopassist bench`: the speed benchmarks as a command group, plugged into the CLI by an entry point."""

# Registered in pyproject.toml under [project.entry-points."shopassist.commands"]; ui/cli loads it
# from there, so the product never imports benchmarks/.

from __future__ import annotations

import click


@click.group()
def bench() -> None:
    """Speed benchmarks; the last line of stdout is JSON."""


@bench.command("generate")
@click.option("--quick", is_flag=True, help="Reduced run (one 300-token prompt, 1 and 4 sessions), under 3 minutes.")
@click.option("--threads", type=int, help="CPU threads for both engines (default: all cores).")
def bench_generate(quick: bool, threads: int | None) -> None:
    """Our engine vs llama.cpp on the same GGUF: TTFT, decode tok/s, 1/4/8 sessions. Example:
    shopassist bench generate --quick   (llama.cpp: pip install -e '.[bench]')
    """
    from benchmarks.generate import main as run_benchmark

    run_benchmark((["--quick"] if quick else []) + (["--threads", str(threads)] if threads else []))
