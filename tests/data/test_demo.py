"""The shipped demo store is what the seeded generator writes, and it looks like a real shop."""

from collections import Counter, defaultdict
from datetime import date

from data import DEMO_DIR
from data.demo import write_demo
from data.load import load_catalog, load_customers, load_orders, load_policies


def test_generator_reproduces_the_shipped_files(tmp_path):
    write_demo(tmp_path)
    for name in ("catalog.jsonl", "customers.csv", "orders.csv", "policies/returns.md"):
        assert (tmp_path / name).read_bytes() == (DEMO_DIR / name).read_bytes(), name


def test_catalog_is_big_varied_and_described():
    catalog = load_catalog(DEMO_DIR / "catalog.jsonl")
    assert catalog.errors == []
    products = catalog.records
    assert len(products) >= 300
    assert len({p.category for p in products}) >= 10
    assert min(len(p.description.split()) for p in products) >= 30
    assert all(p.price and p.price > 0 and 0 <= p.rating <= 5 and p.stock is not None and p.tags for p in products)


def test_customers_behave_differently_over_eighteen_months():
    customers = load_customers(DEMO_DIR / "customers.csv").records
    orders = load_orders(DEMO_DIR / "orders.csv").records
    assert len(customers) >= 200
    days = sorted(o.date for o in orders)
    assert (days[-1] - days[0]).days >= 540
    by_customer = defaultdict(set)
    for o in orders:
        by_customer[o.customer_id].add(o.date)
    end = days[-1]
    counts = Counter()
    for dates in by_customer.values():
        first, last = min(dates), max(dates)
        if len(dates) == 1 and (end - first).days > 90:
            counts["one_off"] += 1
        elif (end - first).days <= 60:
            counts["new"] += 1
        elif (end - last).days >= 120 and len(dates) >= 3:
            counts["lapsing"] += 1
        elif len(dates) >= 10 and (end - last).days <= 45:
            counts["loyal"] += 1
    assert all(counts[kind] >= 15 for kind in ("one_off", "new", "lapsing", "loyal")), counts
    assert {c.customer_id for c in customers} >= set(by_customer)
    assert days[-1] < date(2026, 11, 1)


def test_policies_cover_the_basics():
    policies = load_policies(DEMO_DIR / "policies")
    assert {"shipping", "returns", "refunds", "payment_methods"} <= set(policies)
