"""Load: concurrent shoppers streaming turns through the OpenAI-compatible API, as support tooling would.

    shopassist bench load --sessions 20 --turns 3 --url http://127.0.0.1:7860/v1
    shopassist bench load --sweep 1,5,10,20 --turns 3 --url http://127.0.0.1:7860/v1   # table + PNG
    shopassist bench load --sessions 20 --turns 3          # starts `shopassist serve` on a fresh home first

Each shopper is one customer of the demo store sending M streamed turns in a row through the official
`openai` client, continuing its session. Time to first token = request sent -> first non-empty content
chunk; a refused turn (429/503) or an error event counts as an error. Last stdout line: JSON with
`sessions`, `turns`, `errors`, `ttft_p50`, `ttft_p95`, `turn_p50`, `turn_p95`, `turns_per_s` (seconds),
and with --sweep a `sweep` list of the same per shopper count.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import tempfile
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

from benchmarks.serve_faults import REPO, free_port, start

QUESTIONS = ["waterproof jacket under $100", "do you have noise cancelling headphones?", "where is my order?",
             "how do returns work?", "a coffee maker for a small kitchen", "running shoes for beginners",
             "what payment methods do you accept?", "can I change my shipping address?", "a gift for a hiker",
             "which one is cheapest?", "hi there!", "is the first one in stock?"]


async def shopper(client, number: int, turns: int, results: list, bar) -> None:
    from openai import APIError

    user, session_id, history = f"C{number + 1:04d}", None, []
    for turn in range(turns):
        history.append({"role": "user", "content": QUESTIONS[(number * 5 + turn) % len(QUESTIONS)]})
        extra = {"shopassist": {"session_id": session_id}} if session_id else None
        sent, first, text, error = time.perf_counter(), None, "", None
        try:
            stream = await client.chat.completions.create(model="shopassist", messages=history, user=user, stream=True,
                                                          extra_body=extra)
            async for chunk in stream:
                data = chunk.model_extra or {}
                if "error" in data:
                    error = data["error"].get("message", "error event")
                if chunk.choices and chunk.choices[0].delta.content:
                    first = first or time.perf_counter()
                    text += chunk.choices[0].delta.content
                if data.get("shopassist"):
                    session_id = data["shopassist"]["session_id"]
        except APIError as exc:
            error = f"{type(exc).__name__}: {exc}"
        done = time.perf_counter()
        if first is None and error is None:
            error = "no content"
        history.append({"role": "assistant", "content": text})
        results.append({"ttft": (first or done) - sent, "total": done - sent, "error": error})
        bar.update(1)


async def run_load(base: str, sessions: int, turns: int) -> dict:
    import httpx
    from openai import AsyncOpenAI

    results: list[dict] = []
    http = httpx.AsyncClient(limits=httpx.Limits(max_connections=sessions + 5), timeout=httpx.Timeout(600))
    client = AsyncOpenAI(base_url=base, api_key=os.environ.get("SHOPASSIST_API_KEY", "none"), http_client=http,
                         max_retries=0)
    started = time.perf_counter()
    with tqdm(total=sessions * turns, desc=f"{sessions} shoppers") as bar:
        await asyncio.gather(*(shopper(client, i, turns, results, bar) for i in range(sessions)))
    wall = time.perf_counter() - started
    await http.aclose()
    ok = [r for r in results if not r["error"]]
    ttft, total = [r["ttft"] for r in ok], [r["total"] for r in ok]

    def pct(values: list[float], q: int) -> float | None:
        return round(float(np.percentile(values, q)), 3) if values else None

    errors = [r["error"] for r in results if r["error"]]
    return {"sessions": sessions, "turns": len(results), "errors": len(errors), "first_errors": errors[:3],
            "ttft_p50": pct(ttft, 50), "ttft_p95": pct(ttft, 95), "turn_p50": pct(total, 50), "turn_p95": pct(total, 95),
            "turns_per_s": round(len(results) / wall, 3), "wall_s": round(wall, 1)}


def plot(runs: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shoppers = [r["sessions"] for r in runs]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(shoppers, [r["ttft_p50"] for r in runs], "o-", label="TTFT p50")
    ax.plot(shoppers, [r["ttft_p95"] for r in runs], "s-", label="TTFT p95")
    ax.axhline(2.0, color="grey", ls="--", lw=0.8, label="p95 target 2.0 s")
    ax.axhline(0.8, color="grey", ls=":", lw=0.8, label="p50 target 0.8 s")
    ax.set_xlabel("concurrent shoppers")
    ax.set_ylabel("time to first token (s)")
    ax.set_xticks(shoppers)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def table(runs: list[dict]) -> str:
    lines = ["| shoppers | turns | errors | TTFT p50 | TTFT p95 | turn p50 | turn p95 | turns/s |", "|---|---|---|---|---|---|---|---|"]
    lines += [f"| {r['sessions']} | {r['turns']} | {r['errors']} | {r['ttft_p50']} s | {r['ttft_p95']} s | {r['turn_p50']} s | "
              f"{r['turn_p95']} s | {r['turns_per_s']} |" for r in runs]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="the /v1 base URL of a running server; omitted = start one on a fresh home")
    parser.add_argument("--sessions", type=int, default=20, help="concurrent shoppers")
    parser.add_argument("--turns", type=int, default=3, help="turns per shopper")
    parser.add_argument("--sweep", help="shopper counts to run one after another, e.g. 1,5,10,20 (a table and a PNG)")
    parser.add_argument("--plot", type=Path, default=REPO / "docs" / "benchmarks" / "load_ttft.png")
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.sweep.split(",")] if args.sweep else [args.sessions]
    server, base = None, args.url
    if base is None:
        port = free_port()
        env = dict(os.environ, SHOPASSIST_SERVE__RATE_LIMIT_PER_MINUTE="0")
        env.setdefault("SHOPASSIST_HOME", tempfile.mkdtemp(prefix="shopassist-load-"))
        server = start([str(REPO / ".venv" / "bin" / "shopassist"), "serve", "--port", str(port)], env, port, timeout=900)
        base = f"http://127.0.0.1:{port}/v1"
    load_before = os.getloadavg()[0]
    try:
        runs = [asyncio.run(run_load(base.rstrip("/"), n, args.turns)) for n in counts]
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
    result = dict(runs[-1])
    if args.sweep:
        plot(runs, args.plot)
        print(table(runs))
        result["sweep"] = runs
        result["plot"] = str(args.plot)
    result["loadavg_before"] = load_before
    print(json.dumps(result))


if __name__ == "__main__":
    main()
