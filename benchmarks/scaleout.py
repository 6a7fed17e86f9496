"""Scale-out on real engines: replicas of `shopassist serve` on one PostgreSQL and one Chroma server.

    .venv/bin/python -m benchmarks.scaleout load          # 20 shoppers x 3 turns x 3 rounds: 1 replica on SQLite, 2 on PostgreSQL
    .venv/bin/python -m benchmarks.scaleout kill          # kill -9 replica A mid-stream; its shoppers fail over to B
    .venv/bin/python -m benchmarks.scaleout pg-restart    # restart PostgreSQL under streaming shoppers
    .venv/bin/python -m benchmarks.scaleout consistency   # an event, a cancellation and a session seen across replicas
    .venv/bin/python -m benchmarks.scaleout kill --fake --shoppers 4 --turns 3   # slow fake generator (the tests)

Every replica has its own SHOPASSIST_HOME whose `models/` and `embedder/` are links into one prepared home
(--prepared, default ~/.cache/shopassist): the converted model and the ONNX embedder are made once (by the
first replica, when that home lacks them), then every replica loads them. The churn fit is copied, the
embedded index too (SQLite setup only). With --fake a replica is tests/ui/fake_server.py --replica: the real
stores and index, a fixed intent and a slow fake generator, so it starts in seconds. Last stdout line: one JSON
object; a progress line per step and a table on stderr. The parts `kill` and `pg-restart` are in
benchmarks/scaleout_faults.py.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from benchmarks.servers import chroma_server, free_port, postgres

REPO = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "shopassist"  # settings' default home


def say(message: str) -> None:
    print(f"[scaleout {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def table(title: str, rows: dict[str, dict]) -> None:
    """One markdown table on stderr: a row per setup, a column per figure."""
    columns = list(dict.fromkeys(k for row in rows.values() for k, v in row.items() if not isinstance(v, (list, dict))))
    lines = [f"### {title}", "| | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    lines += [f"| {name} | " + " | ".join(str(row.get(c, "")) for c in columns) + " |" for name, row in rows.items()]
    print("\n".join(lines), file=sys.stderr, flush=True)


# -- replicas -------------------------------------------------------------------------------------
def replica_home(folder: Path, prepared: Path, *, index: bool) -> Path:
    """A fresh home that shares the prepared home's converted model and embedder export (links, read-only use)."""
    folder.mkdir(parents=True)
    for name in ("models", "embedder"):
        (prepared / name).mkdir(parents=True, exist_ok=True)
        (folder / name).symlink_to((prepared / name).resolve(), target_is_directory=True)
    (folder / "profiles").mkdir()
    for fit in (prepared / "profiles").glob("churn-*.pkl"):
        shutil.copy2(fit, folder / "profiles" / fit.name)
    if index and (prepared / "index").is_dir():  # the embedded Chroma index: synced with the catalog, not rebuilt
        shutil.copytree(prepared / "index", folder / "index")
    return folder


@dataclass
class Replica:
    name: str
    home: Path
    env: dict
    fake: bool
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    startup_s: float | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.home / "server.log"

    def command(self) -> list[str]:
        if self.fake:
            return [sys.executable, "-m", "tests.ui.fake_server", "--replica", "--port", str(self.port), "--token-delay", "0.1"]
        return [str(Path(sys.executable).with_name("shopassist")), "serve", "--port", str(self.port)]

    def start(self, timeout: float = 1200) -> None:
        """Start and wait for /readyz, as a load balancer would: warm, not only alive (the first start of a fresh
        prepared home converts the model: minutes)."""
        started = time.monotonic()
        with self.log.open("ab") as log:  # a file, not a pipe nobody reads
            self.process = subprocess.Popen(self.command(), cwd=REPO, env={**self.env, "SHOPASSIST_HOME": str(self.home)},
                                            stdout=subprocess.DEVNULL, stderr=log)
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"replica {self.name} exited: {self.log.read_text()[-3000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.base}/readyz", timeout=2).status_code == 200:
                    self.startup_s = round(time.monotonic() - started, 1)
                    return
            time.sleep(0.5)
        raise RuntimeError(f"replica {self.name} not healthy after {timeout:.0f} s: {self.log.read_text()[-3000:]}")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """kill -9: no shutdown, no flush, connections cut."""
        os.kill(self.process.pid, signal.SIGKILL)

    def stop(self) -> None:
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if self.process is not None:
            self.process.wait()


@dataclass
class Deployment:
    replicas: list[Replica]
    pg: object | None = None  # benchmarks.servers.Postgres
    chroma: object | None = None


@contextlib.contextmanager
def deployment(work: Path, *, replicas: int, shared: bool, fake: bool, prepared: Path, threads: int | None = None):
    """`replicas` servers, started one after another: on one PostgreSQL + one Chroma server (`shared`), or on
    SQLite + the embedded index in their home; `threads` = torch threads per replica (None: the default, all
    cores). Everything is stopped at the end, also on failure."""
    env = {k: v for k, v in os.environ.items() if k not in ("SHOPASSIST_SERVE__DB_URL", "SHOPASSIST_RETRIEVAL__CHROMA_SERVER")}
    env |= {"SHOPASSIST_SERVE__RATE_LIMIT_PER_MINUTE": "0", "ANONYMIZED_TELEMETRY": "False"}
    if threads:
        env["SHOPASSIST_MODEL__THREADS"] = str(threads)
    if fake:  # wait for the whole slow fake draft: a turn streams for ~1 s, so a kill lands mid-reply
        env |= {"SHOPASSIST_SERVE__FIRST_TOKEN_BUDGET_S": "30"}
    work.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        pg = chroma = None
        if shared:
            pg = stack.enter_context(postgres())  # under /tmp: the postgres user must reach its folder
            chroma = stack.enter_context(chroma_server(work))
            env |= {"SHOPASSIST_SERVE__DB_URL": pg.url, "SHOPASSIST_RETRIEVAL__CHROMA_SERVER": chroma.address}
            say(f"PostgreSQL on {pg.url.rsplit('@', 1)[1]}, Chroma server on {chroma.address}")
        running: list[Replica] = []
        stack.callback(lambda: [r.stop() for r in running])  # replicas stop before the servers (exit order)
        for i in range(replicas):
            name = "AB"[i] if replicas <= 2 else str(i)
            replica = Replica(name, replica_home(work / f"replica-{name}", prepared, index=not shared), env, fake)
            running.append(replica)
            say(f"starting replica {name} on port {replica.port} ({'fake' if fake else 'real'} model, "
                f"{'PostgreSQL' if shared else 'SQLite'})")
            replica.start()
            say(f"replica {name} healthy after {replica.startup_s} s")
            for fit in (replica.home / "profiles").glob("churn-*.pkl"):  # a fresh prepared home: the next one reuses it
                if not (prepared / "profiles" / fit.name).exists():
                    (prepared / "profiles").mkdir(parents=True, exist_ok=True)
                    shutil.copy2(fit, prepared / "profiles" / fit.name)
        yield Deployment(running, pg, chroma)


# -- a streamed turn, as a client sees it -----------------------------------------------------------
async def turn(client: httpx.AsyncClient, base: str, user: str, text: str, session: str | None = None, *,
               read_timeout: float = 120, key: str | None = None) -> dict:
    """One streamed turn (with `key` as its Idempotency-Key, so a resend is stored and answered once).
    acked: the first chunk named the stored message; answered: the last chunk came.
    error: "HTTP 503", "event 503" (an error event in the stream), "refused", "broken", "timeout" or None."""
    body = {"model": "shopassist", "messages": [{"role": "user", "content": text}], "user": user, "stream": True}
    if session:
        body["shopassist"] = {"session_id": session}
    out = {"sent": time.monotonic(), "status": None, "retry_after": None, "acked": False, "message_id": None,
           "acked_at": None, "answered": False, "extras": None, "error": None, "first_token": None, "text": ""}
    try:
        async with client.stream("POST", f"{base}/v1/chat/completions", json=body,
                                 headers={"Idempotency-Key": key} if key else None, timeout=httpx.Timeout(read_timeout, connect=5)) as response:
            out["status"], out["retry_after"] = response.status_code, response.headers.get("retry-after")
            if response.status_code != 200:
                await response.aread()
                out["error"], out["detail"] = f"HTTP {response.status_code}", response.text[:300]
                return out | {"done": time.monotonic()}
            async for line in response.aiter_lines():
                if not line.startswith("data: ") or line == "data: [DONE]":
                    continue
                event = json.loads(line[6:])
                if "error" in event:
                    out["error"], out["detail"] = f"event {event['error'].get('code')}", event["error"].get("message")
                extra = event.get("shopassist") or {}
                if extra.get("message_id") is not None:
                    out["acked"], out["message_id"], out["acked_at"] = True, extra["message_id"], time.monotonic()
                choice = (event.get("choices") or [{}])[0]
                if (choice.get("delta") or {}).get("content"):
                    out["first_token"] = out["first_token"] or time.monotonic()
                    out["text"] += choice["delta"]["content"]
                if choice.get("finish_reason") == "stop" and extra:
                    out["answered"], out["extras"] = True, extra
    except httpx.ConnectError:
        out["error"] = "refused"
    except httpx.TimeoutException:
        out["error"] = "timeout"
    except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError):
        out["error"] = "broken"
    if not out["answered"] and out["error"] is None:
        out["error"] = "no final chunk"
    return out | {"done": time.monotonic()}


def read_rows(url: str, query: str, **params) -> list:
    """Rows straight from the shared database (not through a replica)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(query), params).all()
    finally:
        engine.dispose()


# -- load --------------------------------------------------------------------------------------------
async def drive(bases: list[str], sessions: int, turns: int, rounds: int = 1) -> dict:
    """serve_load's shoppers and messages, spread round-robin over the replicas' base URLs; `rounds` times in a
    row with new sessions, figures pooled (one 20 x 3 round lasts seconds: its p95 is a few turns)."""
    import numpy as np
    from openai import AsyncOpenAI
    from tqdm import tqdm

    from benchmarks.serve_load import shopper

    http = httpx.AsyncClient(limits=httpx.Limits(max_connections=sessions + 5), timeout=httpx.Timeout(600))
    clients = [AsyncOpenAI(base_url=f"{b}/v1", api_key="none", http_client=http, max_retries=0) for b in bases]
    results: list[dict] = []
    round_p95, wall = [], 0.0

    def pct(values: list[float], q: int) -> float | None:
        return round(float(np.percentile(values, q)), 3) if values else None

    for _ in range(rounds):
        started, before = time.perf_counter(), len(results)
        with tqdm(total=sessions * turns, desc=f"{sessions} shoppers on {len(bases)}", file=sys.stderr) as bar:
            await asyncio.gather(*(shopper(clients[i % len(clients)], i, turns, results, bar) for i in range(sessions)))
        wall += time.perf_counter() - started
        round_p95.append(pct([r["ttft"] for r in results[before:] if not r["error"]], 95))
    await http.aclose()
    ok = [r for r in results if not r["error"]]
    ttft, total = [r["ttft"] for r in ok], [r["total"] for r in ok]
    return {"turns": len(results), "errors": len(results) - len(ok), "ttft_p50": pct(ttft, 50), "ttft_p95": pct(ttft, 95),
            "turn_p50": pct(total, 50), "turn_p95": pct(total, 95), "turns_per_s": round(len(results) / wall, 3),
            "wall_s": round(wall, 1), "ttft_p95_by_round": round_p95,
            "first_errors": [r["error"] for r in results if r["error"]][:3]}


def part_load(args, work: Path) -> dict:
    result = {}
    for key, replicas, shared in (("one_sqlite", 1, False), ("two_postgres", 2, True)):
        threads = args.replica_threads if replicas > 1 else None
        with deployment(work / key, replicas=replicas, shared=shared, fake=args.fake, prepared=args.prepared,
                        threads=threads) as d:
            say(f"{key}: {args.shoppers} shoppers x {args.turns} turns, {args.rounds} rounds")
            figures = asyncio.run(drive([r.base for r in d.replicas], args.shoppers, args.turns, args.rounds))
            result[key] = figures | {"startup_s": [r.startup_s for r in d.replicas], "threads": threads}
            say(f"{key}: {figures['errors']} errors, TTFT p50 {figures['ttft_p50']} s p95 {figures['ttft_p95']} s")
    table(f"load: {args.shoppers} shoppers x {args.turns} turns x {args.rounds} rounds", result)
    return result


# -- consistency ------------------------------------------------------------------------------------------
async def consistency_run(d: Deployment, trials: int, seed: int) -> dict:
    from data import DEMO_DIR

    a, b = d.replicas
    rng = random.Random(seed)
    catalog = [json.loads(line) for line in (DEMO_DIR / "catalog.jsonl").read_text().splitlines() if line.strip()]
    with (DEMO_DIR / "customers.csv").open() as f:
        customers = [row["customer_id"] for row in csv.DictReader(f)]
    async with httpx.AsyncClient(timeout=60) as client:
        # 1. an order event posted to A changes the profile B answers with, within a second
        seen, delays = 0, []
        for trial in range(trials):
            user, product = f"SCALE{trial:03d}{uuid.uuid4().hex[:6]}", rng.choice(catalog)  # a new shopper: 0 orders before
            before = (await client.get(f"{b.base}/v1/users/{user}/profile")).json()
            event = {"type": "order", "user_id": user, "product_id": product["id"], "quantity": 1, "price": product["price"]}
            posted = await client.post(f"{a.base}/v1/events", json=event)
            posted.raise_for_status()
            at = time.monotonic()
            while time.monotonic() - at < 1.0:
                profile = (await client.get(f"{b.base}/v1/users/{user}/profile")).json()
                if profile["orders"] == before["orders"] + 1 and product["category"] in profile["top_categories"]:
                    seen += 1
                    delays.append(time.monotonic() - at)
                    break
                await asyncio.sleep(0.02)
        say(f"profile: {seen} of {trials} order events seen on B within 1 s")
        # 2. a cancellation on A is seen on B, and a second one on B does nothing
        order, owner = None, None
        for customer in rng.sample(customers, len(customers)):
            mine = (await client.get(f"{a.base}/v1/users/{customer}/orders")).json()["orders"]
            found = [o for o in mine if o["status"] == "processing"]
            if found:
                order, owner = found[0]["order_id"], customer
                break
        cancel = {"order_id": order}
        if order is not None:  # asked and confirmed on A (a change is never made without the shopper's yes), again on B
            asked = await turn(client, a.base, owner, f"please cancel my order {order}")
            first = await turn(client, a.base, owner, "yes", (asked["extras"] or {}).get("session_id"))
            status_on_b = (await client.get(f"{b.base}/v1/orders/{order}")).json()["status"]
            second = await turn(client, b.base, owner, f"please cancel my order {order}")
            rows = read_rows(d.pg.url, "SELECT count(*) FROM order_actions WHERE order_id = :o AND kind = 'cancel'", o=order)
            outcome = lambda r: ((r["extras"] or {}).get("action") or {}).get("outcome")  # noqa: E731
            cancel |= {"on_a": outcome(first), "status_on_b": status_on_b, "again_on_b": outcome(second),
                       "action_rows": rows[0][0]}
        cancel_once = (order is not None and cancel["on_a"] == "done" and cancel["status_on_b"] == "cancelled"
                       and cancel["again_on_b"] == "already" and cancel["action_rows"] == 1)
        say(f"cancel: {cancel}")
        # 3. a session started on A goes on on B: "which one is cheapest?" picks among A's cards
        session, shopper = uuid.uuid4().hex, rng.choice(customers)
        first = await turn(client, a.base, shopper, "show me rain jackets", session)
        second = await turn(client, b.base, shopper, "which one is cheapest?", session)
        shown = {p["id"]: p for p in (first["extras"] or {}).get("products", [])}
        picked = [p["id"] for p in (second["extras"] or {}).get("products", [])]
        cheapest = min(shown.values(), key=lambda p: p["price"]) if shown else None
        named = cheapest is not None and (cheapest["title"] in second["text"] or f"{cheapest['price']:.2f}" in second["text"])
        session_continues = bool(shown and set(picked) == set(shown) and named
                                 and (second["extras"] or {}).get("session_id") == session)
        say(f"session: A showed {sorted(shown)}, B answered with {picked}: {second['text'][:120]!r}")
    return {"trials": trials, "seen_within_1s": seen, "share": round(seen / trials, 3) if trials else None,
            "seen_p50_ms": round(1000 * sorted(delays)[len(delays) // 2], 1) if delays else None,
            "cancel_once": cancel_once, "cancel": cancel, "session_continues": session_continues,
            "session": {"shown_on_a": sorted(shown), "answered_on_b": picked, "cheapest_named": named}}


def part_consistency(args, work: Path) -> dict:
    with deployment(work, replicas=2, shared=True, fake=args.fake, prepared=args.prepared) as d:
        result = asyncio.run(consistency_run(d, args.trials, args.seed))
    table("consistency across two replicas", {"A -> B": result})
    return result


PARTS = ("load", "kill", "pg-restart", "consistency")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", choices=PARTS)
    parser.add_argument("--fake", action="store_true", help="replicas with a slow fake generator (seconds to start)")
    parser.add_argument("--prepared", type=Path, default=CACHE, help="home whose models/ and embedder/ replicas share")
    parser.add_argument("--shoppers", type=int, help="concurrent shoppers (load 20, kill 20, pg-restart 8)")
    parser.add_argument("--turns", type=int, help="turns per shopper (load 3, kill 5)")
    parser.add_argument("--rounds", type=int, default=3, help="load: rounds of shoppers per setup, pooled")
    parser.add_argument("--trials", type=int, default=30, help="consistency: order events posted to A, read on B")
    parser.add_argument("--kill-after", type=float, default=1 / 3, help="kill: share of the turns done before kill -9")
    parser.add_argument("--before-s", type=float, default=10, help="pg-restart: seconds of traffic before the restart")
    parser.add_argument("--after-s", type=float, default=20, help="pg-restart: seconds of traffic after it is back")
    parser.add_argument("--down-s", type=float, default=3, help="pg-restart: seconds PostgreSQL stays down")
    parser.add_argument("--replica-threads", type=int, help="load: torch threads of each of the two replicas "
                        "(default: all cores each; on one machine, cores / 2 gives each its share)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    defaults = {"load": (20, 3), "kill": (20, 5), "pg-restart": (8, 0), "consistency": (0, 0)}[args.part]
    args.shoppers = args.shoppers or defaults[0]
    args.turns = args.turns or defaults[1]
    work = Path(tempfile.mkdtemp(prefix="shopassist-scaleout-"))
    say(f"{args.part}: work folder {work}, prepared home {args.prepared}")
    if args.part == "load":
        result = part_load(args, work)
    elif args.part == "consistency":
        result = part_consistency(args, work)
    else:
        from benchmarks import scaleout_faults

        result = (scaleout_faults.part_kill if args.part == "kill" else scaleout_faults.part_pg_restart)(args, work)
    shutil.rmtree(work, ignore_errors=True)  # kept after a failure: the replicas' server.log are there
    print(json.dumps({"part": args.part, "fake": args.fake, **result}))


if __name__ == "__main__":
    main()
