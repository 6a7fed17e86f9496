"""Profile speed: one event -> new view (p95), and a batch build of 100k customers / 1M order lines.

    .venv/bin/python -m benchmarks.profiles_speed                       # both, JSON last line
    .venv/bin/python -m benchmarks.profiles_speed --customers 10000 --orders 100000   # quicker

The batch set is synthetic and seeded (no real data of this size here): customers buy at their own
pace from a 350-product catalog, some stop buying. Build = state from every order line, both churn
models fitted, every customer scored (risk, tier, reasons, 12-month CLV).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from datetime import date, timedelta

from assistant.customers.profile import ProfileBook, load_profile_book
from data import DEMO_DIR
from data.load import load_catalog
from data.schema import Customer, OrderLine


def synthetic_store(n_customers: int, n_orders: int, catalog: dict, seed: int = 7):
    rng = random.Random(seed)
    products = list(catalog.values())
    start = date(2024, 1, 1)
    customers = [Customer(f"S{i:06d}", "", "", "", start) for i in range(n_customers)]
    weights = [rng.paretovariate(1.5) for _ in customers]  # a few heavy buyers, many light ones
    stop = [rng.randint(90, 720) for _ in customers]  # day after which each customer stops buying
    owners = rng.choices(range(n_customers), weights=weights, k=n_orders)
    orders = []
    for n, i in enumerate(owners):
        product = rng.choice(products)
        day = start + timedelta(days=rng.randint(0, stop[i]))
        orders.append(OrderLine(f"O{n:07d}", customers[i].customer_id, day, product.id, 1 + (n % 3 == 0), product.price or 10.0, "delivered"))
    return customers, orders


def time_updates(book: ProfileBook, n: int = 500) -> dict:
    users = [c for c in book.customers if book.view(c).orders][:50]
    products = list(book.catalog)
    kinds = ["order", "view", "return"]
    times = []
    for i in range(n):
        user, kind = users[i % len(users)], kinds[i % 3]
        product = products[i % len(products)]
        if kind == "return":
            product = next(p for p, q in book.states[user].bought.items() if q > 0)
        start = time.perf_counter()
        book.record_event({"type": kind, "user_id": user, "product_id": product, "quantity": 1, "price": 20.0})
        times.append(time.perf_counter() - start)
    times.sort()
    return {"events": n, "p50_ms": round(1000 * times[n // 2], 3), "p95_ms": round(1000 * times[int(n * 0.95)], 3),
            "max_ms": round(1000 * times[-1], 3)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=1_000_000)
    args = parser.parse_args()
    catalog = {p.id: p for p in load_catalog(DEMO_DIR / "catalog.jsonl").records}
    update = time_updates(load_profile_book(DEMO_DIR, catalog))
    print("update", update, flush=True)
    customers, orders = synthetic_store(args.customers, args.orders, catalog)
    start = time.perf_counter()
    book = ProfileBook(customers, orders, catalog, today=date(2026, 1, 1))
    views = [book.view(c) for c in book.customers]
    build_s = time.perf_counter() - start
    scored = sum(v.churn_risk is not None for v in views)
    print(json.dumps({"update": update, "batch": {"customers": len(customers), "order_lines": len(orders),
                                                  "build_s": round(build_s, 2), "scored": scored}}))


if __name__ == "__main__":
    main()
