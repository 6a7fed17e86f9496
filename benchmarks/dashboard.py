"""Dashboard speed: fill an event log with 100k turns, then time GET /admin end to end.

    .venv/bin/python -m benchmarks.dashboard                      # 100k turns over 90 days, JSON last line
    .venv/bin/python -m benchmarks.dashboard --turns 10000 --runs 3   # quicker

The data set is synthetic and seeded: ~5 turns per conversation, signed-in demo customers and
guests, 12 intents (some out of scope, some below the low-confidence line), zero-result
searches, handoffs, retention offers for at-risk customers, and two running experiments whose
exposures come with the turns; clicks, carts, orders and ratings follow through
`EventLog.record_many` (validated, 1,000 per call). The server is the real app (`create_app`,
with light stand-ins for the models, which the dashboard never calls) under uvicorn on
127.0.0.1; requests carry a bearer key, so the auth check is timed too. Cold = the first
request of the process (imports matplotlib and statsmodels, compiles the template, computes the
experiment reports); warm = the rest, where unchanged data reuses the reports; "fresh_reports"
clears that cache before each request.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

KEY = "bench-dashboard-key-0123456789"
EXPERIMENTS = """
[[experiment]]
name = "retention-offer"
parameter = "retention_offer"
metric = "order"
[[experiment.variant]]
name = "control"
traffic = 0.34
[[experiment.variant]]
name = "free-shipping"
traffic = 0.33
value = "free_shipping"
[[experiment.variant]]
name = "code"
traffic = 0.33
value = "code"

[[experiment]]
name = "fusion-bm25"
parameter = "fusion"
metric = "click"
[[experiment.variant]]
name = "control"
traffic = 0.5
[[experiment.variant]]
name = "more-bm25"
traffic = 0.5
value = { bm25_weight = 1.5 }
"""
INTENTS = {  # label: (weight, example requests)
    "product_search": (34, ["waterproof jacket under $100", "noise cancelling headphones", "running shoes size 44",
                            "coffee maker with timer", "gift for a 10 year old", "wireless earbuds for the gym"]),
    "track_order": (12, ["where is my order", "track my package", "has my parcel shipped"]),
    "get_refund": (6, ["i want my money back", "refund for a broken kettle"]),
    "return_item": (6, ["how do i return shoes", "return label please"]),
    "delivery_options": (6, ["do you deliver on sunday", "express shipping cost"]),
    "payment_issue": (4, ["my card was declined", "charged twice"]),
    "cancel_order": (4, ["cancel my last order", "stop my order"]),
    "contact_human_agent": (4, ["talk to a person", "human please"]),
    "place_order": (5, ["buy the red one", "order two of those"]),
    "account": (4, ["change my address", "reset my password"]),
    "complaint": (3, ["the parcel arrived damaged", "very unhappy with support"]),
    "out_of_scope": (6, ["what is the weather tomorrow", "write me a poem", "who won the game last night",
                         "tell me a joke", "solve 2x+3=7", "book me a flight to rome"]),
}
ZERO_RESULT = ["left handed cricket bat", "purple snowboard boots", "vintage typewriter ribbon", "dog raincoat xl",
               "solar powered kettle"]
OFFER_OF = {"control": "code_or_shipping", "free-shipping": "free_shipping", "code": "code"}


def build_app(home: Path):
    """The real app with stand-ins for the models (the dashboard reads only the log and the books)."""
    from assistant.analytics.experiments import load_experiments
    from assistant.customers.profile import load_profile_book
    from assistant.deps import Deps
    from assistant.settings import Settings
    from data import DEMO_DIR
    from data.load import load_catalog
    from ui.app import create_app

    (home / "experiments.toml").write_text(EXPERIMENTS)
    settings = Settings(home=home, serve={"api_keys": [KEY], "rate_limit_per_minute": 0},
                        experiments={"file": home / "experiments.toml"})
    catalog = {p.id: p for p in load_catalog(DEMO_DIR / "catalog.jsonl").records}
    deps = Deps(settings=settings, understander=None, retriever=SimpleNamespace(catalog=catalog),
                profiles=load_profile_book(DEMO_DIR, catalog), generator=None, policies={},
                experiments=load_experiments(settings.experiments.file))
    return create_app(settings, deps), deps, catalog


def fill(log, deps, catalog, *, turns: int, span_days: int, seed: int = 11) -> dict:
    """Seeded synthetic traffic; returns counts and the fill rate."""
    from assistant.analytics.events import TurnRecord

    rng = random.Random(seed)
    customers = sorted(deps.profiles.customers)
    views = {c: deps.profiles.view(c) for c in customers}
    products = sorted(catalog)
    labels = list(INTENTS)
    weights = [INTENTS[label][0] for label in labels]
    book = deps.experiments
    now = datetime.now(UTC) - timedelta(minutes=5)
    start = now - timedelta(days=span_days)
    records, client_events, n = [], [], 0
    session = 0
    while n < turns:
        session += 1
        sid = f"bench-{session:07d}"
        user = rng.choice(customers) if rng.random() < 0.6 else None
        view = views[user] if user else None
        treatment = book.treatment(user, sid)
        at = start + timedelta(seconds=rng.uniform(0, span_days * 86400 - 3600))
        shown_any, ordered = False, False
        for _ in range(min(turns - n, max(1, int(rng.expovariate(1 / 5))))):
            label = rng.choices(labels, weights)[0]
            confidence = rng.uniform(0.2, 0.5) if rng.random() < 0.08 else rng.uniform(0.5, 0.99)
            query = rng.choice(INTENTS[label][1])
            shopping = label in ("product_search", "place_order")
            shown: tuple[str, ...] = ()
            if shopping:
                if rng.random() < 0.1:
                    query = rng.choice(ZERO_RESULT)
                else:
                    shown = tuple(rng.sample(products, 4))
            wants_offer = view is not None and (view.segment in ("at_risk", "lapsed") or view.churn_tier == "high")
            offer = None
            if wants_offer and label != "out_of_scope":
                offer = OFFER_OF.get(treatment.variants.get("retention-offer", "control"), "code_or_shipping")
            handoff = label == "contact_human_agent" or (label == "out_of_scope" and rng.random() < 0.3) or \
                (shopping and not shown) or rng.random() < 0.02
            records.append(TurnRecord(session_id=sid, user_id=user, intent=label, confidence=confidence, query=query,
                                      products=shown, shopping=shopping, handoff=handoff, offer=offer,
                                      segment=view.segment if view else "guest", churn_tier=view.churn_tier if view else None,
                                      reply_id=n + 1, channel=rng.choice(("gradio", "widget", "api")),
                                      experiments=dict(treatment.variants), at=at))
            n += 1
            if shown and rng.random() < 0.25:
                shown_any = True
                client_events.append({"type": "click", "session_id": sid, "user_id": user, "product_id": shown[0],
                                      "timestamp": (at + timedelta(seconds=20)).isoformat()})
            if rng.random() < 0.08:
                client_events.append({"type": "rating", "session_id": sid, "value": 1 if rng.random() < 0.75 else -1,
                                      "reply_id": n, "timestamp": (at + timedelta(seconds=30)).isoformat()})
            at += timedelta(seconds=rng.uniform(20, 120))
        if shown_any and rng.random() < 0.35:
            product = rng.choice(products)
            client_events.append({"type": "add_to_cart", "session_id": sid, "user_id": user, "product_id": product,
                                  "timestamp": (at + timedelta(seconds=60)).isoformat()})
            if rng.random() < (0.5 if treatment.variants.get("retention-offer") == "free-shipping" else 0.4):
                ordered = True
        if ordered:
            client_events.append({"type": "order", "session_id": sid, "user_id": user, "product_id": product,
                                  "value": round(rng.uniform(10, 300), 2),
                                  "timestamp": (at + timedelta(minutes=rng.uniform(2, 600))).isoformat()})
    client_events = [{k: v for k, v in e.items() if v is not None} for e in client_events]
    begin = time.perf_counter()
    for i in range(0, len(records), 5000):
        log.record_turns(records[i:i + 5000])
    turns_s = time.perf_counter() - begin
    begin = time.perf_counter()
    rejected = 0
    for i in range(0, len(client_events), 1000):
        rejected += len(log.record_many(client_events[i:i + 1000], now=datetime.now(UTC))[1])
    events_s = time.perf_counter() - begin
    return {"turns": len(records), "sessions": session, "client_events": len(client_events), "rejected": rejected,
            "fill_turns_s": round(turns_s, 2), "fill_events_s": round(events_s, 2),
            "fill_events_per_s": round((len(records) + len(client_events)) / (turns_s + events_s))}


def get(url: str) -> tuple[float, int, str, int]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {KEY}"})
    begin = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:
        body = response.read()
        timing = response.headers.get("Server-Timing", "")
        status = response.status
    return time.perf_counter() - begin, status, timing, len(body)


def serve(app):
    import uvicorn

    with __import__("socket").socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def explain(log, days: int = 30) -> dict[str, list[str]]:
    """SQLite's plan for every query the dashboard runs (captured from build_insights), by query."""
    from sqlalchemy import event

    from assistant.analytics.insights import build_insights

    statements: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if not statement.startswith("EXPLAIN"):
            statements.append((statement, parameters))

    event.listen(log.engine, "before_cursor_execute", capture)
    try:
        build_insights(log, days=days)
    finally:
        event.remove(log.engine, "before_cursor_execute", capture)
    plans = {}
    with log.engine.connect() as conn:
        for number, (statement, parameters) in enumerate(statements, 1):
            name = f"{number}. " + " ".join(statement.split())[:70]
            plans[name] = [row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)]
    return plans


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=100_000)
    parser.add_argument("--span-days", type=int, default=90, help="the turns are spread over this many days")
    parser.add_argument("--runs", type=int, default=5, help="warm requests per URL")
    parser.add_argument("--out", type=Path, default=None, help="also write the JSON here")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="shopassist-dashboard-") as tmp:
        app, deps, catalog = build_app(Path(tmp))
        log = app.state.shopassist.analytics
        filled = fill(log, deps, catalog, turns=args.turns, span_days=args.span_days)
        print(json.dumps(filled), flush=True)
        server, url = serve(app)
        try:
            result = {"turns": filled["turns"], "events": log.count(), "span_days": args.span_days}
            cold, status, timing, size = get(f"{url}/admin?days=30")
            assert status == 200
            result.update(render_s_cold=round(cold, 3), cold_server_timing=timing, page_bytes=size)
            for days in (30, 90, 365):
                times, timings = [], []
                for _ in range(args.runs):
                    elapsed, _, timing, size = get(f"{url}/admin?days={days}")
                    times.append(elapsed)
                    timings.append(timing)
                suffix = "" if days == 30 else f"_{days}d"
                result[f"render_s_p50{suffix}"] = round(statistics.median(times), 3)
                result[f"render_s_max{suffix}"] = round(max(times), 3)
                result[f"server_timing{suffix}"] = timings[len(timings) // 2]
                print(f"GET /admin?days={days}: p50 {statistics.median(times):.3f} s, max {max(times):.3f} s "
                      f"({timings[len(timings) // 2]}), {size:,} bytes", flush=True)
            from assistant.analytics import insights

            times, timings = [], []
            for _ in range(max(1, args.runs // 2)):  # experiment reports recomputed on every request
                insights._REPORTS.clear()
                elapsed, _, timing, _ = get(f"{url}/admin?days=30")
                times.append(elapsed)
                timings.append(timing)
            result.update(render_s_p50_fresh_reports=round(statistics.median(times), 3),
                          render_s_max_fresh_reports=round(max(times), 3),
                          server_timing_fresh_reports=timings[len(timings) // 2])
            print(f"GET /admin?days=30, reports recomputed: p50 {statistics.median(times):.3f} s "
                  f"({timings[len(timings) // 2]})", flush=True)
            times = [get(f"{url}/admin/data.json?days=30")[0] for _ in range(args.runs)]
            result.update(data_json_s_p50=round(statistics.median(times), 3), data_json_s_max=round(max(times), 3))
            with urllib.request.urlopen(urllib.request.Request(f"{url}/admin/data.json?days=30", headers={
                    "Authorization": f"Bearer {KEY}"})) as response:
                result["query_timings_ms"] = json.loads(response.read())["timings_ms"]
            result["query_plans_30d"] = explain(log)
            result["fill_events_per_s"] = filled["fill_events_per_s"]
        finally:
            server.should_exit = True
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
