"""The staff dashboard: access (bearer key, sign-in cookie, open without keys), its numbers on a
small known set of events, an empty database, and the page for real in headless Chromium
(screenshot: artifacts/dashboard.png, copied to docs/benchmarks/dashboard.png).
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from assistant.analytics.events import TurnRecord
from assistant.analytics.experiments import Experiment, ExperimentBook, Variant
from data import DEMO_DIR
from tests.conftest import FakeGenerator, demo_profiles, scripted_understander

KEY = "admin-test-key-0123456789abcdef"
ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
EXPERIMENT = Experiment("retention-offer", "retention_offer",
                        (Variant("control", 0.5), Variant("free-shipping", 0.5, "free_shipping")), metric="order",
                        min_sessions=2)


@functools.cache
def demo_catalog() -> dict:
    from data.load import load_catalog

    return {p.id: p for p in load_catalog(DEMO_DIR / "catalog.jsonl").records}


def light_deps(settings, experiments=None):
    """The dashboard reads only the event log and the books: no model, no index."""
    from assistant.deps import Deps
    from assistant.policies import PolicyIndex

    catalog = demo_catalog()
    return Deps(settings=settings, understander=scripted_understander(catalog, {}), retriever=SimpleNamespace(catalog=catalog),
                profiles=demo_profiles(catalog), generator=FakeGenerator(), policies={},
                experiments=experiments or ExperimentBook([]), policy_index=PolicyIndex([], None, {}, None))


def make_client(settings, *, keys=(KEY,), experiments=None):
    from fastapi.testclient import TestClient

    from ui.app import create_app

    served = settings.model_copy(update={"serve": settings.serve.model_copy(update={"api_keys": list(keys)})})
    return TestClient(create_app(served, light_deps(served, experiments)))


def record_known(log) -> None:
    """Three sessions: one shops and orders after a retention offer, one is out of scope and
    handed off, one searches for something the catalog lacks."""
    now = datetime.now(UTC) - timedelta(hours=2)
    log.record_turns([
        TurnRecord("s1", "C0001", "product_search", 0.92, "waterproof jacket", products=("P0001", "P0002"),
                   shopping=True, offer="free_shipping", churn_tier="high", segment="at_risk",
                   experiments={"retention-offer": "free-shipping"}, at=now),
        TurnRecord("s1", "C0001", "track_order", 0.88, "where is my order", offer="free_shipping", churn_tier="high",
                   segment="at_risk", experiments={"retention-offer": "free-shipping"}, at=now + timedelta(minutes=1)),
        TurnRecord("s2", None, "out_of_scope", 0.97, "What is the weather <b>tomorrow</b>?", handoff=True,
                   experiments={"retention-offer": "control"}, at=now + timedelta(minutes=2)),
        TurnRecord("s3", "C0002", "product_search", 0.81, "purple snowboard boots", shopping=True,
                   churn_tier="low", segment="active", experiments={"retention-offer": "control"},
                   at=now + timedelta(minutes=3)),
    ])
    accepted, rejected = log.record_many([
        {"type": "click", "session_id": "s1", "product_id": "P0001"},
        {"type": "order", "session_id": "s1", "user_id": "C0001", "product_id": "P0001", "value": 120.0},
        {"type": "rating", "session_id": "s1", "reply_id": 1, "value": 1},
        {"type": "rating", "session_id": "s2", "reply_id": 2, "value": -1},
    ])
    assert accepted == 4 and not rejected


# access --------------------------------------------------------------------------------------
def test_dashboard_needs_the_key(settings):
    with make_client(settings) as client:
        page = client.get("/admin")
        assert page.status_code == 401
        assert 'name="key"' in page.text and "text/html" in page.headers["content-type"]
        data = client.get("/admin/data.json")
        assert data.status_code == 401 and data.json()["error"]["code"] == 401
        wrong = client.get("/admin/data.json", headers={"Authorization": "Bearer not-the-key-at-all-000"})
        assert wrong.status_code == 401
        ok = client.get("/admin", headers={"Authorization": f"Bearer {KEY}"})
        assert ok.status_code == 200 and "ShopAssist dashboard" in ok.text
        assert "no API keys are configured" not in ok.text.lower()
        assert "frame-ancestors 'none'" in ok.headers["content-security-policy"]
        assert client.get("/admin/data.json", headers={"Authorization": f"Bearer {KEY}"}).status_code == 200


def test_sign_in_form_sets_a_cookie_that_is_not_the_key(settings):
    with make_client(settings) as client:
        refused = client.post("/admin/login", data={"key": "wrong-key-wrong-key-00"}, follow_redirects=False)
        assert refused.status_code == 401 and "not valid" in refused.text
        assert "shopassist_admin" not in refused.cookies

        signed = client.post("/admin/login", data={"key": KEY, "days": "7"}, follow_redirects=False)
        assert signed.status_code == 303 and signed.headers["location"] == "/admin?days=7"
        cookie = signed.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict") and "Path=/admin" in cookie
        value = signed.cookies["shopassist_admin"]
        assert KEY not in value and re.fullmatch(r"\d+\.[0-9a-f]{64}", value)

        page = client.get("/admin?days=7")  # the client sends the cookie back
        assert page.status_code == 200 and "last 7 days" in page.text and "Log out" in page.text
        assert client.get("/admin/data.json").status_code == 200

        expires, _ = value.split(".")
        for forged in (f"{expires}.{'0' * 64}", f"{int(expires) + 3600}.{value.split('.')[1]}", KEY):
            client.cookies.clear()
            client.cookies.set("shopassist_admin", forged)
            assert client.get("/admin").status_code == 401, forged  # forged, extended or raw-key cookies are refused
        client.cookies.clear()
        client.cookies.set("shopassist_admin", value)
        assert client.get("/admin").status_code == 200
        out = client.post("/admin/logout", follow_redirects=False)
        assert out.status_code == 303 and 'shopassist_admin=""' in out.headers["set-cookie"]


def test_open_without_keys_shows_a_warning(settings):
    with make_client(settings, keys=()) as client:
        page = client.get("/admin")
        assert page.status_code == 200 and "No API keys are configured" in page.text
        assert client.get("/admin/data.json").status_code == 200


# numbers -------------------------------------------------------------------------------------
def test_empty_database_renders(settings):
    with make_client(settings) as client:
        auth = {"Authorization": f"Bearer {KEY}"}
        page = client.get("/admin", headers=auth)
        assert page.status_code == 200 and "none in this window" in page.text
        data = client.get("/admin/data.json?days=1", headers=auth).json()
        assert data["totals"]["conversations"] == 0 and data["totals"]["handoff_rate"] is None
        assert len(data["daily"]) == 1 and [f["sessions"] for f in data["funnel"]] == [0, 0, 0, 0]
        assert sum(c["count"] for c in data["customer_tiers"]) == 240  # every demo customer
        for days in (0, 366):
            assert client.get(f"/admin?days={days}", headers=auth).status_code == 422


def test_numbers_on_known_events(settings):
    book = ExperimentBook([EXPERIMENT])
    with make_client(settings, experiments=book) as client:
        record_known(client.app.state.shopassist.analytics)
        auth = {"Authorization": f"Bearer {KEY}"}
        data = client.get("/admin/data.json?days=7", headers=auth).json()
        totals = data["totals"]
        assert (totals["conversations"], totals["turns"], totals["handoffs"], totals["handoff_sessions"]) == (3, 4, 1, 1)
        assert totals["handoff_rate"] == pytest.approx(0.25)
        assert (totals["zero_results"], totals["shopping_turns"]) == (1, 2)
        assert (totals["orders"], totals["revenue"], totals["thumbs_up_share"]) == (1, 120.0, 0.5)
        assert totals["customers"] == 2
        today = data["daily"][-1]
        assert len(data["daily"]) == 7 and sum(d["turns"] for d in data["daily"]) == 4
        assert {c["label"]: c["count"] for c in data["intents"]} == {"product_search": 2, "track_order": 1, "out_of_scope": 1}
        assert [r["text"] for r in data["unanswered"]] == ["what is the weather <b>tomorrow</b>?"]
        assert data["unanswered"][0]["out_of_scope"] == 1 and data["unanswered"][0]["handoffs"] == 1
        assert [r["text"] for r in data["zero_result_queries"]] == ["purple snowboard boots"]
        assert [(f["step"], f["sessions"]) for f in data["funnel"]] == [("turn", 3), ("click", 1), ("add_to_cart", 0),
                                                                          ("order", 1)]
        assert {c["label"]: c["count"] for c in data["conversation_tiers"]} == {"low": 1, "medium": 0, "high": 1,
                                                                                 "unscored": 1}
        offer = data["outreach"][0]
        assert (offer["offer"], offer["turns"], offer["sessions"], offer["customers"], offer["sessions_ordered"],
                offer["customers_ordered"]) == ("free_shipping", 2, 1, 1, 1, 1)
        experiment = data["experiments"][0]
        assert experiment["name"] == "retention-offer"
        assert {c["label"]: c["count"] for c in experiment["exposures"]} == {"control": 2, "free-shipping": 1}
        assert today["handoffs"] + sum(d["handoffs"] for d in data["daily"][:-1]) == 1

        page = client.get("/admin?days=7", headers=auth).text
        assert "purple snowboard boots" in page
        assert "what is the weather &lt;b&gt;tomorrow&lt;/b&gt;?" in page and "<b>tomorrow" not in page  # escaped
        assert "free_shipping" in page and "retention-offer" in page
        assert len(re.findall(r'<img class="chart"[^>]* src="data:image/svg\+xml;base64,', page)) == 8


def test_experiment_report_on_the_page(settings):
    pytest.importorskip("assistant.analytics.experiment_report")
    book = ExperimentBook([EXPERIMENT])
    with make_client(settings, experiments=book) as client:
        record_known(client.app.state.shopassist.analytics)
        data = client.get("/admin/data.json", headers={"Authorization": f"Bearer {KEY}"}).json()
        report = data["experiments"][0]["report"]
        assert report is not None and report["metric"] == "order" and report["verdict"]
        assert {v["name"]: v["sessions"] for v in report["variants"]} == {"control": 2, "free-shipping": 1}
        page = client.get("/admin", headers={"Authorization": f"Bearer {KEY}"}).text
        assert report["verdict"].split(":")[0] in page


# the page for real ---------------------------------------------------------------------------
@pytest.mark.e2e
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed (.ci/run installs it)")
def test_dashboard_in_chromium(settings, tmp_path):
    import tomllib

    from playwright.sync_api import sync_playwright

    from assistant.analytics.experiments import parse_experiments
    from benchmarks.dashboard import EXPERIMENTS, fill
    from tests.ui.conftest import ServerThread
    from ui.app import create_app

    book = parse_experiments(tomllib.loads(EXPERIMENTS))
    served = settings.model_copy(update={"serve": settings.serve.model_copy(update={"api_keys": [KEY]})})
    deps = light_deps(served, book)
    app = create_app(served, deps)
    fill(app.state.shopassist.analytics, deps, deps.retriever.catalog, turns=4000, span_days=30)
    shot = ROOT / "artifacts" / "dashboard.png"  # docs/benchmarks/dashboard.png is a copy of one run
    with ServerThread(app) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(server.url + "/admin")
        page.fill("input[name=key]", KEY)
        page.click("button[type=submit]")
        page.wait_for_selector("img.chart")
        sizes = page.eval_on_selector_all("img.chart", "imgs => imgs.map(i => [i.complete, i.naturalWidth, i.naturalHeight,"
                                                       " i.getBoundingClientRect().height])")
        text = page.inner_text("main")
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    from PIL import Image

    Image.open(shot).convert("RGB").quantize(colors=128).save(shot, optimize=True)  # flat colours: a third of the bytes
    assert len(sizes) >= 9  # 7 panels + one per experiment
    assert all(done and w > 100 and h > 50 and shown > 50 for done, w, h, shown in sizes), sizes
    assert "retention-offer" in text and "Top zero-result searches" in text
    assert 20_000 < shot.stat().st_size < 300_000


def test_window_leaves_out_older_days(settings):
    with make_client(settings) as client:
        log = client.app.state.shopassist.analytics
        record_known(log)
        log.record_turns([TurnRecord("old", "C0003", "out_of_scope", 0.3, "tell me a joke", handoff=True,
                                     at=datetime.now(UTC) - timedelta(days=40))])
        auth = {"Authorization": f"Bearer {KEY}"}
        recent = client.get("/admin/data.json?days=30", headers=auth).json()
        wide = client.get("/admin/data.json?days=90", headers=auth).json()
        assert (recent["totals"]["conversations"], recent["totals"]["handoffs"]) == (3, 1)
        assert (wide["totals"]["conversations"], wide["totals"]["handoffs"], len(wide["daily"])) == (4, 2, 90)
        assert "tell me a joke" in [r["text"] for r in wide["unanswered"]]
        assert "tell me a joke" not in [r["text"] for r in recent["unanswered"]]
