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


@bench.command("load")
@click.option("--sessions", type=int, default=20, show_default=True, help="Concurrent shoppers.")
@click.option("--turns", type=int, default=3, show_default=True, help="Streamed turns per shopper.")
@click.option("--url", help="/v1 base URL of a running server (e.g. http://127.0.0.1:7860/v1); omitted = start one.")
@click.option("--sweep", help="Shopper counts run one after another, e.g. 1,5,10,20: a table and a PNG of TTFT.")
def bench_load(sessions: int, turns: int, url: str | None, sweep: str | None) -> None:
    """Concurrent streamed shoppers through the real API: TTFT and turn time p50/p95, turns/s. Example:
    shopassist bench load --sessions 20 --turns 3 --url http://127.0.0.1:7860/v1
    """
    from benchmarks.serve_load import main as run_benchmark

    run_benchmark(["--sessions", str(sessions), "--turns", str(turns)] + (["--url", url] if url else [])
                  + (["--sweep", sweep] if sweep else []))
