"""The analytics event log: pseudonymized rows, clear rejections, attribution to the chat session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, select

from assistant.analytics.events import EventLog, TurnRecord, pseudonym_key
from assistant.database import open_database
from data.errors import BadInput

T0 = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


@pytest.fixture
def log(db_url) -> EventLog:
    engine = open_database(db_url)
    return EventLog(engine, b"test-secret", known_customers={"C0001", "C0002"}, known_products={"P1", "P2"})


def turn(session: str, user: str | None = "C0001", **extra) -> TurnRecord:
    fields = dict(session_id=session, user_id=user, intent="product_search", confidence=0.9, query="red shoes",
                  products=("P1", "P2"), shopping=True, at=T0)
    return TurnRecord(**{**fields, **extra})


def rows(log: EventLog) -> list:
    with log.engine.connect() as conn:
        return list(conn.execute(select(log.events_t).order_by(log.events_t.c.id)))


def test_rows_hold_a_pseudonym_and_redacted_text_never_the_customer_id(log):
    log.record_turn(turn("s1", query="mail me at jane@example.com or +1 415 555 0100"))
    (row,) = rows(log)
    assert row.customer == log.pseudonym("C0001") and row.customer.startswith("c_") and "C0001" not in row.customer
    assert "jane@example.com" not in row.query and "[email]" in row.query and "[phone]" in row.query
    other = EventLog(log.engine, b"another-install")
    assert other.pseudonym("C0001") != row.customer  # keyed: useless without this install's secret


def test_bad_events_are_rejected_with_a_reason_and_good_ones_kept(log):
    log.record_turn(turn("s1"))
    accepted, rejected = log.record_many([
        {"type": "click", "session_id": "s1", "product_id": "P1"},
        {"type": "purchase", "session_id": "s1", "product_id": "P1"},
        {"type": "click", "user_id": "C9999", "product_id": "P1"},
        {"type": "click", "session_id": "s1", "product_id": "NOPE"},
        {"type": "rating", "session_id": "s1", "value": 1},
        {"type": "order", "session_id": "s1", "product_id": "P2", "value": -5},
        "not an object",
        {"type": "add_to_cart", "product_id": "P1"},
        {"type": "click", "session_id": "s1", "product_id": "P1", "timestamp": "yesterday"},
    ])
    assert accepted == 1
    reasons = {r.index: r.reason for r in rejected}
    assert set(reasons) == {1, 2, 3, 4, 5, 6, 7, 8}
    assert "purchase" in reasons[1] and "unknown customer" in reasons[2] and "unknown product_id" in reasons[3]
    assert "reply_id" in reasons[4] and "amount" in reasons[5] and "session_id or a user_id" in reasons[7]
    assert "ISO 8601" in reasons[8]
    assert [r.type for r in rows(log)] == ["turn", "click"]  # the turn recorded before is still there


def test_a_batch_over_the_limit_is_refused_whole(log):
    with pytest.raises(BadInput, match="at most"):
        log.record_many([{"type": "click", "session_id": "s", "product_id": "P1"}] * 1001)


def test_events_carry_the_sessions_experiment_variants(log):
    log.record_turn(turn("s1", experiments={"offer-test": "code"}))
    log.record_turn(turn("s1", experiments={"offer-test": "code"}))  # second turn: one exposure only
    log.record_many([{"type": "add_to_cart", "session_id": "s1", "product_id": "P1"}])
    events = rows(log)
    assert events[-1].experiments == {"offer-test": "code"}
    with log.engine.connect() as conn:
        assert len(list(conn.execute(select(log.exposures_t)))) == 1


def test_an_order_without_session_is_credited_to_the_customers_recent_chat(log):
    log.record_turn(turn("s1", experiments={"offer-test": "code"}))
    log.record_many([{"type": "order", "user_id": "C0001", "product_id": "P1", "value": 59.0,
                      "timestamp": (T0 + timedelta(hours=3)).isoformat()}], now=T0 + timedelta(hours=4))
    log.record_many([{"type": "order", "user_id": "C0001", "product_id": "P2",
                      "timestamp": (T0 + timedelta(days=5)).isoformat()}], now=T0 + timedelta(days=5))
    recent, late = rows(log)[1:]
    assert recent.session_id == "s1" and recent.experiments == {"offer-test": "code"} and recent.value == 59.0
    assert late.session_id is None  # outside the attribution window: not credited to the chat


def test_session_outcomes_count_what_followed_the_exposure(log):
    log.record_turn(turn("s1", experiments={"x": "a"}))
    log.record_turn(turn("s2", user="C0002", experiments={"x": "b"}, reply_id=7))
    log.record_many([{"type": "click", "session_id": "s1", "product_id": "P1"},
                     {"type": "order", "session_id": "s1", "product_id": "P1"},
                     {"type": "rating", "session_id": "s2", "reply_id": 7, "value": -1}])
    outcomes = {o.session_id: o for o in log.session_outcomes("x")}
    assert outcomes["s1"].variant == "a" and outcomes["s1"].clicked and outcomes["s1"].ordered
    assert not outcomes["s1"].added_to_cart
    assert outcomes["s2"].variant == "b" and outcomes["s2"].ratings == (-1,) and not outcomes["s2"].ordered
    assert outcomes["s1"].unit == log.pseudonym("C0001")


def test_forget_erases_a_customers_rows_only(log):
    log.record_turn(turn("s1"))
    log.record_turn(turn("s2", user="C0002"))
    assert log.forget("C0001") == 1
    assert [r.session_id for r in rows(log)] == ["s2"]


def test_every_replica_on_one_database_gets_the_same_key(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    first = pseudonym_key(open_database(url))
    assert pseudonym_key(open_database(url)) == first and len(first) == 64  # a second process: the same key


def test_a_key_kept_in_a_file_by_an_older_install_moves_into_the_database(tmp_path):
    legacy = tmp_path / "analytics.key"
    legacy.write_text("a" * 64)
    engine = open_database(f"sqlite:///{tmp_path / 'c.db'}")
    assert pseudonym_key(engine, legacy) == b"a" * 64
    legacy.unlink()
    assert pseudonym_key(engine, legacy) == b"a" * 64  # now read from the database


def test_a_turn_row_says_where_its_time_went(log):
    log.record_turn(turn("s1", timings={"understand_s": 0.0123456, "prefill_s": 0.2}))
    (row,) = rows(log)
    assert row.timings == {"understand_s": 0.0123, "prefill_s": 0.2}


def test_a_database_from_before_timings_gets_the_column_and_keeps_its_rows(tmp_path):
    from sqlalchemy import text

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    EventLog(engine, b"s").record_turn(turn("old"))
    with engine.begin() as conn:  # the database as an older version left it: no timings, analytics outside migrations
        conn.execute(text("ALTER TABLE analytics_events DROP COLUMN timings"))
        conn.execute(text("DELETE FROM schema_migrations WHERE name != 'm001_initial'"))
    upgraded = EventLog(open_database(url), b"s")
    upgraded.record_turn(turn("new", timings={"decode_s": 1.5}))
    assert [(r.session_id, r.timings) for r in rows(upgraded)] == [("old", None), ("new", {"decode_s": 1.5})]
