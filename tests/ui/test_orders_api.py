"""The read-only order endpoints for support tooling, over the demo orders seeded into the test's own database."""

from __future__ import annotations


def test_a_customers_orders_come_newest_first_with_their_actions(client):
    state = client.app.state.shopassist
    assert state.orders.cancel("O00856", customer_id="C0114", session_id="s1").done
    response = client.get("/v1/users/C0114/orders")
    assert response.status_code == 200
    orders = response.json()["orders"]
    assert [o["placed_on"] for o in orders] == sorted((o["placed_on"] for o in orders), reverse=True)
    latest = orders[0]
    assert (latest["order_id"], latest["customer_id"], latest["placed_on"]) == ("O00856", "C0114", "2026-10-29")
    assert (latest["status"], latest["address"], latest["total"]) == ("cancelled", None, 80.99)
    assert latest["items"] == [{"product_id": "P0129", "title": "P0129", "quantity": 1, "unit_price": 80.99, "status": "cancelled"}]
    assert [(a["kind"], a["session_id"]) for a in latest["actions"]] == [("cancel", "s1")]
    assert all(o["actions"] == [] for o in orders[1:])


def test_the_demo_processing_order_is_listed(client):
    orders = {o["order_id"]: o for o in client.get("/v1/users/C0114/orders").json()["orders"]}
    assert orders["O00856"]["status"] == "processing" and orders["O00856"]["actions"] == []


def test_an_unknown_customer_has_no_orders(client):
    response = client.get("/v1/users/NOBODY/orders")
    assert (response.status_code, response.json()) == (200, {"orders": []})


def test_one_order_and_an_unknown_one(client):
    body = client.get("/v1/orders/O00856").json()
    assert (body["order_id"], body["customer_id"], body["status"]) == ("O00856", "C0114", "processing")
    assert body["actions"] == []
    response = client.get("/v1/orders/O99999")
    assert response.status_code == 404
    error = response.json()["error"]
    assert set(error) == {"message", "type", "code", "hint"}
    assert (error["type"], error["code"]) == ("UnknownOrder", 404) and "O99999" in error["message"] and error["hint"]


def test_a_customers_actions_come_newest_first(client):
    book = client.app.state.shopassist.orders
    book.change_address("O00856", customer_id="C0114", address="1 Harbour Street, Leeds", session_id="s1")
    book.cancel("O00856", customer_id="C0114", session_id="s1")
    actions = client.get("/v1/users/C0114/actions").json()["actions"]
    assert [(a["order_id"], a["kind"]) for a in actions] == [("O00856", "cancel"), ("O00856", "address_change")]
    assert actions[1]["detail"] == {"address": "1 Harbour Street, Leeds"}
    assert client.get("/v1/users/C0114/actions", params={"limit": 1}).json()["actions"][0]["kind"] == "cancel"
    assert client.get("/v1/users/C0001/actions").json() == {"actions": []}


def test_order_endpoints_need_the_api_key(settings, deps):
    from fastapi.testclient import TestClient

    from ui.app import create_app

    keyed = settings.model_copy(update={"serve": settings.serve.model_copy(update={"api_keys": ["sk-test-orders-1"]})})
    with TestClient(create_app(keyed, deps)) as client:
        assert client.get("/v1/users/C0114/orders").status_code == 401
        assert client.get("/v1/orders/O00856").status_code == 401
        headers = {"Authorization": "Bearer sk-test-orders-1"}
        assert client.get("/v1/users/C0114/actions", headers=headers).status_code == 200
