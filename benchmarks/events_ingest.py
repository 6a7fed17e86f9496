"""Event ingestion speed: shopper events per second into the analytics store, through the real API.

    python -m benchmarks.events_ingest                  # 50,000 events in batches of 100, plus 1,000 single posts

A real server (uvicorn, the full app with the real models, SQLite in WAL mode with every commit
synced) on 127.0.0.1; a client posts a realistic mix (45 % card clicks, 25 % add-to-cart, 20 %
ratings, 10 % orders, which also update the customer's profile) credited to 2,000 recorded chat
sessions. Measured three ways: POST /v1/events/batch, one event per POST /v1/events, and the
EventLog called in-process. Last line: JSON.
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_events(n: int, sessions: list[tuple[str, str]], products: list[str], rng: random.Random) -> list[dict]:
    events = []
    for i in range(n):
        session_id, user_id = rng.choice(sessions)
        roll = rng.random()
        if roll < 0.45:
            event = {"type": "click", "product_id": rng.choice(products)}
        elif roll < 0.70:
            event = {"type": "add_to_cart", "product_id": rng.choice(products)}
        elif roll < 0.90:
            event = {"type": "rating", "reply_id": i + 1, "value": rng.choice((1, 1, 1, -1))}
        else:
            event = {"type": "order", "user_id": user_id, "product_id": rng.choice(products), "quantity": 1}
        events.append({**event, "session_id": session_id, "channel": "store"})
    return events


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--single", type=int, default=1_000, help="events sent one per request")
    args = parser.parse_args(argv)

    import httpx
    import uvicorn

    from assistant.analytics.events import TurnRecord
    from assistant.deps import build_deps
    from assistant.settings import Settings
    from ui.app import create_app

    folder = Path(tempfile.mkdtemp(prefix="shopassist-events-"))
    settings = Settings().model_copy(update={"serve": Settings().serve.model_copy(update={
        "db_url": f"sqlite:///{folder / 'events.db'}", "rate_limit_per_minute": 0})})
    deps = build_deps(settings, progress=lambda m: print(f"· {m}", file=sys.stderr))
    app = create_app(settings, deps)
    log = app.state.shopassist.analytics
    rng = random.Random(5)
    customers, products = sorted(deps.profiles.customers), sorted(deps.retriever.catalog)
    sessions = [(f"bench-{i}", rng.choice(customers)) for i in range(2000)]
    log.record_turns([TurnRecord(session_id=s, user_id=u, intent="product_search", confidence=0.9, query="shoes",
                                 products=tuple(rng.sample(products, 4)), shopping=True) for s, u in sessions])

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.1)
    url = f"http://127.0.0.1:{port}"
    result: dict = {"events": args.events, "batch": args.batch}
    with httpx.Client(base_url=url, timeout=60) as client:
        events = make_events(args.events, sessions, products, rng)
        started = time.perf_counter()
        rejected = 0
        for start in range(0, len(events), args.batch):
            response = client.post("/v1/events/batch", json={"events": events[start:start + args.batch]})
            response.raise_for_status()
            rejected += len(response.json()["rejected"])
        elapsed = time.perf_counter() - started
        result.update(batch_http_events_per_s=round(args.events / elapsed, 1), batch_rejected=rejected)
        singles = make_events(args.single, sessions, products, rng)
        started = time.perf_counter()
        for event in singles:
            client.post("/v1/events", json=event).raise_for_status()
        result["single_http_events_per_s"] = round(args.single / (time.perf_counter() - started), 1)
    server.should_exit = True
    direct = [e for e in make_events(args.events, sessions, products, rng) if e["type"] != "order"]
    started = time.perf_counter()
    for start in range(0, len(direct), args.batch):
        log.record_many(direct[start:start + args.batch])
    result["direct_events_per_s"] = round(len(direct) / (time.perf_counter() - started), 1)
    result["stored_events"] = log.count() - len(sessions)
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
