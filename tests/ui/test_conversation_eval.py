"""Conversation tests for store owners: the reply checks, the case-file loader, and a real in-process run."""

from __future__ import annotations

import json

import pytest

from data import DEMO_DIR
from data.errors import BadInput, ShopAssistError
from ui.conversation_checks import Context, check_reply, load_cases, load_store
from tests.conftest import make_deps
from tests.ui.conftest import ui_reader
from ui.conversation_eval import http_sender, in_process_sender, run_cases


@pytest.fixture
def deps(settings):
    return make_deps(settings, reader=ui_reader())


@pytest.fixture(scope="module")
def store():
    return load_store(DEMO_DIR)


def cards(store, *ids: str) -> tuple[dict, ...]:
    """Product cards as the API returns them, from the demo catalog."""
    return tuple({"id": i, "title": store.catalog[i].title, "price": store.catalog[i].price} for i in ids)


# (text, products shown now, context, failing reason fragment or None for a pass)
UNIVERSAL = [
    ("Here are two picks for you.", (), Context(), None),
    ("Sure", (), Context(), "1 words"),
    ("word " * 121, (), Context(), "121 words"),
    ("Your [product_name] is ready for pickup.", (), Context(), "placeholder"),
    ("Your order {{Order Number}} has shipped today.", (), Context(), "placeholder"),
    ("Track it here: <link> whenever you like.", (), Context(), "placeholder"),
    ("Please send your order_number and we will check.", (), Context(), "placeholder"),
    ("That one costs £40 in our store.", (), Context(), "foreign currency"),
    ("That one costs €40 in our store.", (), Context(), "foreign currency"),
    ("See http://example.com for details.", (), Context(), "link"),
    ("See www.example.com for details.", (), Context(), "link"),
    ("The Sonora Summit 100 costs $64.99 today.", ("P0001",), Context(), None),
    ("The Sonora Summit 100 still costs $64.99.", (), Context(earlier=(("P0001",),)), None),
    ("Express shipping costs $12.99 and takes 1-2 days.", (), Context(), None),
    ("Orders over $1,000 cannot be split into instalments.", (), Context(), None),
    ("Something for $123.45 it is, let me look.", (), Context(said=("budget is $123.45",)), None),
    ("Something under 80 dollars, maybe $80 exactly.", (), Context(said=("under 80 dollars",)), None),
    ("That one is a bargain at $77.77 today.", (), Context(), "ungrounded amount $77.77"),
    ("Your line came to $51.98 for two items.", (), Context(user="C0001"), None),
    ("Your line came to $51.98 for two items.", (), Context(), "ungrounded amount $51.98"),
    ("Use WELCOME10 on your next order.", (), Context(), None),
    ("Use SAVE20 on your next order.", (), Context(), "invented code SAVE20"),
    ("Order O00003 contains product P0173.", (), Context(), None),
    ("It is rated IPX5 against sweat.", (), Context(), None),
    ("Hello Jonas Tanaka, welcome back!", (), Context(user="C0001"), None),
    ("Mateo Haddad bought this one too.", (), Context(user="C0001"), "another customer (C0002)"),
    ("Write to mateo.haddad2@example.com for help.", (), Context(), "another customer (C0002)"),
]


@pytest.mark.parametrize("text, shown, context, reason", UNIVERSAL)
def test_universal_checks(store, text, shown, context, reason):
    context = Context(user=context.user, said=context.said, earlier=tuple(cards(store, *ids) for ids in context.earlier))
    reasons = check_reply(text, {"products": list(cards(store, *shown))}, {}, store=store, context=context)
    assert reasons == [] if reason is None else any(reason in r for r in reasons), reasons


HEADPHONES = ("P0001", "P0002", "P0003")  # Sonora $64.99 (out of stock), AudioPeak $46.99, AudioPeak $31.99
PROCESSING = "C0023"  # latest order O00198, 2026-10-30, processing: Corefit Nimbus 650 Exercise Bike, Playnest Aura 310 Jigsaw Puzzle
SHIPPED = "C0003"  # latest order O00021, 2026-10-23, shipped: Northpeak Flux 150 Insulated Water Bottle, Lensa Ember 750 Webcam

# (expect, text, products now, extras beyond products, user, earlier product lists, failing fragment or None)
EXPECT = [
    ({"products": {"category": "headphones"}}, "Here are some headphones.", HEADPHONES, {}, None, (), None),
    ({"products": {"category": "headphones"}}, "Here are some picks.", ("P0001", "P0121", "P0210"), {}, None, (), "1 of the first 3 products are headphones (need 2)"),
    ({"products": {"category": "headphones"}}, "I found nothing at all.", (), {}, None, (), "no products returned"),
    ({"products": {"brand": "AudioPeak", "top": 2}}, "Two AudioPeak picks.", ("P0002", "P0003", "P0001"), {}, None, (), None),
    ({"products": {"brand": "AudioPeak"}}, "Three picks for you.", HEADPHONES, {}, None, (), "not AudioPeak: Sonora Summit 100"),
    ({"products": {"min_price": 30, "max_price": 50}}, "Two picks for you.", ("P0002", "P0003"), {}, None, (), None),
    ({"products": {"max_price": 50}}, "Three picks for you.", HEADPHONES, {}, None, (), "Sonora Summit 100 Over-ear Headphones at $64.99"),
    ({"products": {"category": "headphones", "cheapest_in_category": True}}, "The Wavely Terra 300 Sports Earbuds are our cheapest.",
     ("P0009", "P0001"), {}, None, (), None),
    ({"products": {"category": "headphones", "cheapest_in_category": True}}, "The Sonora Summit 100 is a classic.",
     ("P0009", "P0001"), {}, None, (), "the cheapest headphones"),
    ({"no_products": True}, "We ship to Canada.", (), {}, None, (), None),
    ({"no_products": True}, "We ship to Canada.", ("P0001",), {}, None, (), "1 products returned"),
    ({"handoff": True}, "A colleague will take over.", (), {"handoff": True}, None, (), None),
    ({"handoff": True}, "I can sort this out.", (), {"handoff": False}, None, (), "no handoff"),
    ({"handoff": False}, "A colleague will take over.", (), {"handoff": True}, None, (), "handed off"),
    ({"mentions_any": ["Canada", "international"]}, "Yes, we ship to canada.", (), {}, None, (), None),
    ({"mentions_any": ["Canada"]}, "We ship to the US only.", (), {}, None, (), "mentions none of"),
    ({"mentions_none": ["WELCOME10"]}, "Welcome back, good to see you.", (), {}, None, (), None),
    ({"mentions_none": ["WELCOME10"]}, "Welcome back, use welcome10 today.", (), {}, None, (), "mentions 'WELCOME10'"),
    ({"declines": True}, "Sorry, I can only help with shopping.", (), {}, None, (), None),
    ({"declines": True}, "Taxes are due in April, good luck.", (), {}, None, (), "does not decline plainly"),
    ({"declines": False}, "Yes, we ship to Canada.", (), {}, None, (), None),
    ({"declines": False}, "Sorry, I cannot answer that.", (), {}, None, (), "declines"),
    ({"last_order": ["status", "which", "date", "item", "cancellable"]},
     "Order O00198 from October 30 with the Corefit Nimbus 650 Exercise Bike is still processing, so you can cancel it.",
     (), {}, PROCESSING, (), None),
    ({"last_order": ["status", "cancellable"]}, "Your order has shipped and is on its way.", (), {}, PROCESSING, (),
     "does not say order O00198 is processing"),
    ({"last_order": ["cancellable"]}, "Your order is still being prepared.", (), {}, PROCESSING, (), "does not offer to cancel"),
    ({"last_order": ["status", "which", "date", "item", "cancellable"]},
     "Your Northpeak Flux 150 Insulated Water Bottle, ordered 23 October, is on its way.", (), {}, SHIPPED, (), None),
    ({"last_order": ["which", "date"]}, "Your order from Oct 23 has shipped.", (), {}, SHIPPED, (), None),
    ({"last_order": ["date"]}, "You ordered it on 10/23, it has shipped.", (), {}, SHIPPED, (), None),
    ({"last_order": ["date", "item"]}, "You ordered a tent on 2026-10-22.", (), {}, SHIPPED, (), "does not give the order date 2026-10-23"),
    ({"last_order": ["item"]}, "You ordered a tent on 2026-10-22.", (), {}, SHIPPED, (), "names no item of order O00021"),
    ({"last_order": ["which"]}, "Your latest order has shipped.", (), {}, SHIPPED, (), "does not identify order O00021"),
    ({"last_order": ["cancellable"]}, "I have cancelled order O00021 for you.", (), {}, SHIPPED, (), "claims shipped order was cancelled"),
    ({"last_order": ["status"]}, "You have no orders with us.", (), {}, "C9999", (), "customer C9999 has no orders"),
    ({"follow": "cheapest_shown"}, "The AudioPeak Halo 4 Sports Earbuds are the cheapest.", (), {}, None, (HEADPHONES,), None),
    ({"follow": "cheapest_shown"}, "The Sonora Summit 100 Over-ear Headphones are cheapest.", (), {}, None, (HEADPHONES,),
     "does not name the cheapest shown (AudioPeak Halo 4 Sports Earbuds)"),
    ({"follow": "cheapest_shown"}, "Which ones do you mean?", (), {}, None, ((), ), "no priced products"),
    ({"follow": "first_stock"}, "Sorry, that one is out of stock right now.", (), {}, None, (HEADPHONES,), None),
    ({"follow": "first_stock"}, "Yes, it is in stock and ships today.", (), {}, None, (HEADPHONES,), "is out of stock"),
    ({"follow": "first_stock"}, "Yes, it is in stock and ships today.", (), {}, None, (("P0002",),), None),
    ({"follow": "first_stock"}, "Sadly it isn\u2019t available now.", (), {}, None, (("P0002",),), "is in stock"),
    ({"follow": "first_stock"}, "It is a lovely pair of headphones.", (), {}, None, (HEADPHONES,), "does not say whether"),
    ({"affinity": True}, "Picks for you.", ("P0001", "P0210"), {}, PROCESSING, (), None),  # C0023 buys kitchen and toys
    ({"affinity": True}, "Picks for you.", HEADPHONES, {}, PROCESSING, (), "top categories (kitchen, toys)"),
    ({"offer_if_at_risk": True}, "Welcome back: WELCOME10 takes 10 % off.", (), {"churn_tier": "high"}, "C0001", (), None),
    ({"offer_if_at_risk": True}, "Welcome back, free express shipping on us.", (), {"segment": "lapsed"}, "C0001", (), None),
    ({"offer_if_at_risk": True}, "Welcome back, good to see you.", (), {"segment": "at_risk"}, "C0001", (), "no retention offer"),
    ({"offer_if_at_risk": True}, "Nice to see you again.", (), {"segment": "loyal", "churn_tier": "low"}, PROCESSING, (), None),
    ({"offer_if_at_risk": True}, "Use WELCOME10 today.", (), {"segment": "loyal", "churn_tier": "low"}, PROCESSING, (),
     "WELCOME10 offered to a customer not at risk"),
]


@pytest.mark.parametrize("expect, text, shown, extras, user, earlier, reason", EXPECT)
def test_expect_checks(store, expect, text, shown, extras, user, earlier, reason):
    context = Context(user=user, said=("a question",), earlier=tuple(cards(store, *ids) for ids in earlier))
    reasons = check_reply(text, {**extras, "products": list(cards(store, *shown))}, expect, store=store, context=context)
    assert reasons == [] if reason is None else any(reason in r for r in reasons), reasons


GOOD = {"id": "search-01", "user": None, "turns": [{"say": "rain jacket", "expect": {"products": {"category": "jackets"}}}]}


@pytest.mark.parametrize("bad_line, message", [
    ("{not json", "line 2: invalid JSON"),
    (json.dumps({"id": "x-1", "turns": [{"expect": {}}]}), "line 2: turn 1 has no `say`"),
    (json.dumps({"id": "x-1", "turns": [{"say": "hi", "expect": {"polite": True}}]}), "line 2: turn 1: unknown expect key 'polite'"),
    (json.dumps({"id": "x-1", "turns": [{"say": "hi", "expect": {"follow": "cheapest_shown"}}]}), "line 2: turn 1: follow needs an earlier turn"),
    (json.dumps({"id": "x-1", "user": None, "turns": [{"say": "my order?", "expect": {"last_order": ["status"]}}]}),
     "line 2: turn 1: last_order and affinity need a customer id"),
    (json.dumps({"id": "x-1", "turns": [{"say": "hi", "expect": {"last_order": ["colour"]}, }], "user": "C0001"}),
     "line 2: turn 1: last_order takes"),
    (json.dumps({"id": "x-1", "turns": []}), "line 2: turns must be a non-empty list"),
    (json.dumps(GOOD), "line 2: duplicate id 'search-01' (first on line 1)"),
])
def test_load_cases_refuses_bad_files_naming_the_line(tmp_path, bad_line, message):
    path = tmp_path / "cases.jsonl"
    path.write_text(json.dumps(GOOD) + "\n" + bad_line + "\n", encoding="utf-8")
    with pytest.raises(BadInput) as error:
        load_cases(path)
    assert message in error.value.message


def test_load_cases_reads_turns_and_categories(tmp_path):
    path = tmp_path / "cases.jsonl"
    path.write_text(json.dumps(GOOD) + "\n\n", encoding="utf-8")
    [case] = load_cases(path)
    assert (case.id, case.category, case.user, case.turns[0].say) == ("search-01", "search", None, "rain jacket")
    assert len(load_cases("benchmarks/cases/demo_conversations.jsonl")) >= 20  # the shipped example stays valid


def test_cli_refuses_a_bad_case_file_cleanly(tmp_path):
    from click.testing import CliRunner

    from ui.cli import cli

    path = tmp_path / "cases.jsonl"
    path.write_text(json.dumps({"id": "x-1", "turns": [{"say": "hi", "expect": {"nope": 1}}]}) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["evaluate", "conversations", "--cases", str(path)])
    assert result.exit_code == 1 and "line 1" in result.output and "unknown expect key 'nope'" in result.output
    assert "Traceback" not in result.output


def test_unreachable_server_is_a_clear_error():
    from tests.ui.conftest import free_port

    with http_sender(f"http://127.0.0.1:{free_port()}/v1") as send, pytest.raises(ShopAssistError, match="cannot reach"):
        send([{"role": "user", "content": "hi"}], None, None)


@pytest.mark.e2e
def test_http_sender_talks_to_a_running_server(settings, deps):
    from tests.ui.conftest import ServerThread
    from ui.app import create_app

    with ServerThread(create_app(settings, deps)) as server, http_sender(server.url + "/v1") as send:
        text, extras = send([{"role": "user", "content": "a rain jacket"}], "C0001", None)
        again, later = send([{"role": "user", "content": "a rain jacket"}, {"role": "assistant", "content": text},
                             {"role": "user", "content": "cheaper?"}], "C0001", extras["session_id"])
    assert text and extras["products"] and later["session_id"] == extras["session_id"]


def test_run_cases_in_process_carries_the_session(settings, deps, tmp_path):
    from ui.app import create_app

    path = tmp_path / "cases.jsonl"
    path.write_text(json.dumps({"id": "search-01", "user": "C0001", "turns": [
        {"say": "a waterproof rain jacket for hiking", "expect": {"products": {"category": "jackets"}}},
        {"say": "and something warmer?", "expect": {"handoff": False}}]}) + "\n"
        + json.dumps({"id": "oos-01", "user": None, "turns": [{"say": "can you do my taxes?", "expect": {"handoff": True}}]}) + "\n")
    store = load_store(settings.store_dir, catalog=settings.retrieval.catalog)
    app, calls = create_app(settings, deps), []
    with in_process_sender(settings, app=app) as send:
        def spy(messages, user, session_id):
            calls.append((messages, user, session_id))
            return send(messages, user, session_id)

        report = run_cases(load_cases(path), spy, store)
        first = report.results[0].turns[0].extras["session_id"]
        stored = app.state.shopassist.store.messages(first)
    assert [c[2] for c in calls] == [None, first, None]  # carried within a case, fresh for the next
    assert [m["role"] for m in calls[1][0]] == ["user", "assistant", "user"] and calls[1][1] == "C0001"
    assert len(stored) == 4  # both turns landed in one server-side conversation
    summary = report.summary()
    assert summary["cases"] == 2 and summary["task_success"] == 0.5 and summary["turn_success"] == round(2 / 3, 4)
    assert summary["by_category"] == {"oos": "0/1", "search": "1/1"} and summary["universal_failures"] == 0
    assert 0 < summary["latency_s_p50"] <= summary["latency_s_p95"]
    assert report.results[0].line().startswith("PASS search-01") and "no handoff" in report.results[1].line()
