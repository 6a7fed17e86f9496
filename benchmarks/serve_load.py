"""Load: 20 concurrent chat sessions x 5 turns against a running ShopAssist server.

    .venv/bin/python -m benchmarks.serve_load                      # starts `shopassist serve` (real model)
    .venv/bin/python -m benchmarks.serve_load --url http://127.0.0.1:7860 --sessions 20 --turns 5

Each session is one customer streaming 5 turns in a row over /v1/chat/completions (SSE).
Time to first token = request sent -> first non-empty content chunk. Writes a PNG histogram
(docs/benchmarks/serve_load.png). Last stdout line: JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from tqdm import tqdm

from benchmarks.serve_faults import REPO, free_port, start

QUESTIONS = ["waterproof jacket under $100", "do you have noise cancelling headphones?", "where is my order?",
             "how do returns work?", "a coffee maker for a small kitchen", "running shoes for beginners",
             "what payment methods do you accept?", "can I change my shipping address?", "a gift for a hiker",
             "I want to talk to a person"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


async def session(client: httpx.AsyncClient, base: str, number: int, turns: int, results: list, bar) -> None:
    user, session_id = f"C{number + 1:04d}", None
    for turn in range(turns):
        body = {"messages": [{"role": "user", "content": QUESTIONS[(number + turn) % len(QUESTIONS)]}], "user": user,
                "stream": True}
        if session_id:
            body["shopassist"] = {"session_id": session_id}
        sent, first, chars, error = time.perf_counter(), None, 0, None
        try:
            async with client.stream("POST", f"{base}/v1/chat/completions", json=body) as response:
                if response.status_code != 200:
                    error = f"HTTP {response.status_code}"
                async for line in response.aiter_lines():
                    if not line.startswith("data: ") or line == "data: [DONE]":
                        continue
                    data = json.loads(line[6:])
                    if "error" in data:
                        error = data["error"]["message"]
                        continue
                    content = data["choices"][0]["delta"].get("content")
                    if content:
                        first = first or time.perf_counter()
                        chars += len(content)
                    if data.get("shopassist"):
                        session_id = data["shopassist"]["session_id"]
        except httpx.HTTPError as exc:
            error = repr(exc)
        done = time.perf_counter()
        results.append({"ttft": (first or done) - sent, "total": done - sent, "chars": chars, "error": error})
        bar.update(1)


async def run_load(base: str, sessions: int, turns: int) -> dict:
    results: list[dict] = []
    limits = httpx.Limits(max_connections=sessions + 5)
    started = time.perf_counter()
    with tqdm(total=sessions * turns, desc="turns") as bar:
        async with httpx.AsyncClient(timeout=httpx.Timeout(1800), limits=limits) as client:
            await asyncio.gather(*(session(client, base, i, turns, results, bar) for i in range(sessions)))
    wall = time.perf_counter() - started
    ttft = [r["ttft"] for r in results if not r["error"]]
    errors = [r["error"] for r in results if r["error"]]
    return {"sessions": sessions, "turns_per_session": turns, "turns": len(results), "errors": len(errors),
            "first_errors": errors[:3], "ttft_p50_s": round(statistics.median(ttft), 2) if ttft else None,
            "ttft_p95_s": round(percentile(ttft, 0.95), 2) if ttft else None,
            "turn_p50_s": round(statistics.median(r["total"] for r in results), 2),
            "wall_s": round(wall, 1), "turns_per_s": round(len(results) / wall, 3),
            "chars_per_s": round(sum(r["chars"] for r in results) / wall, 1), "_ttft": ttft}


def plot(ttft: list[float], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.hist(ttft, bins=20)
    ax.set_xlabel("time to first token (s)")
    ax.set_ylabel("turns")
    ax.set_title(title)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running server; omitted = start `shopassist serve` with a fresh home")
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--turns", type=int, default=5)
    parser.add_argument("--max-new-tokens", type=int, default=64, help="reply length for the started server")
    parser.add_argument("--plot", type=Path, default=REPO / "docs" / "benchmarks" / "serve_load.png")
    args = parser.parse_args()
    server = None
    base = args.url
    if base is None:
        port = free_port()
        env = dict(os.environ, SHOPASSIST_MODEL__MAX_NEW_TOKENS=str(args.max_new_tokens),
                   SHOPASSIST_SERVE__RATE_LIMIT_PER_MINUTE="0")
        env.setdefault("SHOPASSIST_HOME", tempfile.mkdtemp(prefix="shopassist-load-"))
        server = start([str(REPO / ".venv" / "bin" / "shopassist"), "serve", "--port", str(port)], env, port, timeout=900)
        base = f"http://127.0.0.1:{port}"
    try:
        result = asyncio.run(run_load(base.rstrip("/"), args.sessions, args.turns))
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
    plot(result.pop("_ttft"), args.plot, f"{args.sessions} sessions x {args.turns} turns")
    print(json.dumps({**result, "max_new_tokens": args.max_new_tokens if args.url is None else None}))


if __name__ == "__main__":
    main()
