"""Profiles shared through the database: what one replica records, every replica answers with."""

from __future__ import annotations

import copy

import pytest

from assistant.customers.profile import load_profile_book
from assistant.customers.profile_log import ProfileLog
from assistant.database import open_database
from data import DEMO_DIR
from data.load import load_catalog


@pytest.fixture(scope="module")
def catalog():
    return {p.id: p for p in load_catalog(DEMO_DIR / "catalog.jsonl").records}


@pytest.fixture(scope="module")
def demo_book(catalog):
    return load_profile_book(DEMO_DIR, catalog)


@pytest.fixture
def replicas(demo_book, db_url):
    """Two replicas' books on one database (each its own copy of the store's files, as two processes)."""
    return (copy.deepcopy(demo_book).attach(ProfileLog(open_database(db_url))),
            copy.deepcopy(demo_book).attach(ProfileLog(open_database(db_url))))


def an_unowned_product(book, user_id: str, catalog) -> str:
    owned = book.export(user_id)["products_kept"]
    return next(pid for pid, p in sorted(catalog.items()) if pid not in owned and p.category)


def test_an_order_recorded_on_one_replica_changes_the_profile_the_other_answers_with(replicas, catalog):
    a, b = replicas
    before = b.view("C0001")
    product = an_unowned_product(a, "C0001", catalog)
    after_a = a.record_event({"type": "order", "user_id": "C0001", "product_id": product, "quantity": 1,
                              "price": 20.0, "timestamp": "2026-11-02"})
    seen_on_b = b.view("C0001")
    assert seen_on_b.orders == before.orders + 1 == after_a.orders
    assert seen_on_b == after_a


def test_a_new_shopper_seen_first_on_one_replica_exists_on_the_other(replicas, catalog):
    a, b = replicas
    a.record_event({"type": "view", "user_id": "web-visitor-7", "product_id": next(iter(catalog))})
    assert "web-visitor-7" not in b.states or b.view("web-visitor-7").segment == "new"
    assert b.export("web-visitor-7")["product_views"] == 1


def test_a_restarted_replica_keeps_every_event(replicas, demo_book, db_url, catalog):
    a, _ = replicas
    product = an_unowned_product(a, "C0002", catalog)
    a.record_event({"type": "order", "user_id": "C0002", "product_id": product, "quantity": 2, "price": 10.0,
                    "timestamp": "2026-11-03"})
    restarted = copy.deepcopy(demo_book).attach(ProfileLog(open_database(db_url)))
    assert restarted.export("C0002")["products_kept"][product] == 2


def test_forgetting_on_one_replica_forgets_on_every_replica(replicas, catalog):
    a, b = replicas
    a.record_event({"type": "view", "user_id": "C0003", "product_id": next(iter(catalog))})
    a.forget("C0003")
    assert "C0003" not in b and b.view("C0003").segment == "new"  # a stranger now
    assert all(row.customer_id != "C0003" for row in b.log.since(0))  # their events are gone from the log
