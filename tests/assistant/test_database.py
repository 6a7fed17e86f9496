"""The shared database: each owner's migrations on SQLite and PostgreSQL, replicas that agree, outages that heal."""

from __future__ import annotations

import ast
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, select, text

import assistant.database
from assistant.analytics.events import ANALYTICS_MIGRATIONS
from assistant.customers.profile_log import PROFILE_LOG_MIGRATIONS
from assistant.database import SHARED_MIGRATIONS, count_request, migrate, open_database, unavailable
from assistant.history import CONVERSATION_MIGRATIONS, ConversationStore
from assistant.orders.book import ORDER_MIGRATIONS
from data.errors import RateLimited, StoreUnavailable
from ui.security import SharedRateLimiter

TABLES = {"schema_migrations", "sessions", "messages", "tickets", "orders", "order_items", "order_actions",
          "analytics_events", "analytics_exposures", "profile_events", "install_secrets", "request_counts"}
OWNERS_MIGRATIONS = (CONVERSATION_MIGRATIONS, ORDER_MIGRATIONS, ANALYTICS_MIGRATIONS, PROFILE_LOG_MIGRATIONS,
                     SHARED_MIGRATIONS)
ALL_MIGRATIONS = [migration for owned in OWNERS_MIGRATIONS for migration in owned]
# what one ordered list recorded before each owner declared its own: databases it migrated hold these names
RECORDED_BY_ONE_LIST = {"m001_initial", "m002_orders", "m003_analytics", "m004_profile_events", "m005_shared_state",
                        "m006_message_keys"}


def migrate_every_owner(engine) -> None:
    for owned in OWNERS_MIGRATIONS:
        migrate(engine, owned)


def test_every_owners_migrations_make_every_table_and_a_second_run_changes_nothing(db_url):
    engine = open_database(db_url)
    migrate_every_owner(engine)
    assert TABLES <= set(inspect(engine).get_table_names())
    fresh = create_engine(db_url)  # another process: sees them done
    migrate_every_owner(fresh)
    with fresh.connect() as conn:
        names = list(conn.scalars(text("SELECT name FROM schema_migrations ORDER BY name")))
    assert names == sorted(m.name for m in ALL_MIGRATIONS)


def test_owners_keep_the_names_one_list_recorded_and_share_none():
    names = [m.name for m in ALL_MIGRATIONS]
    assert len(names) == len(set(names))  # one schema_migrations table: a shared name would skip one owner's change
    assert RECORDED_BY_ONE_LIST <= set(names)


def test_a_database_that_recorded_every_migration_is_not_migrated_again(tmp_path):
    """Names are the whole record: a database migrated before owners declared their own is up to date."""
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE schema_migrations (name VARCHAR(80) PRIMARY KEY, applied_at VARCHAR(40))"))
        for name in RECORDED_BY_ONE_LIST:
            conn.execute(text("INSERT INTO schema_migrations VALUES (:name, '2024-01-01')"), {"name": name})
    migrate_every_owner(engine)
    assert set(inspect(engine).get_table_names()) == {"schema_migrations"}


def test_the_database_module_imports_no_store_that_owns_tables():
    """The stores import `assistant.database`, never the other way: no import of `assistant.*`, even in a function."""
    tree = ast.parse(Path(assistant.database.__file__).read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert not {name for name in imported if name == "assistant" or name.startswith("assistant.")}
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, assistant.database; print(*sorted(sys.modules))"],
        cwd=Path(assistant.database.__file__).parents[1], capture_output=True, text=True, check=True).stdout.split()
    assert {name for name in loaded if name.startswith("assistant.")} == {"assistant.database"}


@pytest.mark.e2e
def test_replicas_starting_together_migrate_once(postgres_url):
    errors: list[BaseException] = []

    def start_replica() -> None:
        try:
            migrate_every_owner(create_engine(postgres_url))
        except BaseException as exc:  # collected: a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=start_replica) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with create_engine(postgres_url).connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM schema_migrations")) == len(ALL_MIGRATIONS)


def test_the_rate_limit_is_shared_by_replicas_on_one_database(db_url):  # the first count makes its table
    replica_a, replica_b = SharedRateLimiter(create_engine(db_url), 4), SharedRateLimiter(create_engine(db_url), 4)
    for limiter in (replica_a, replica_b, replica_a, replica_b):
        limiter.check("key-1")
    with pytest.raises(RateLimited) as refused:
        replica_b.check("key-1")
    assert 1 <= refused.value.retry_after <= 61
    replica_b.check("key-2")  # another caller has its own count


def test_request_counts_are_per_minute_and_old_minutes_are_dropped(db_url):
    engine = open_database(db_url)
    assert count_request(engine, "c", 100) == (1, 0)
    assert count_request(engine, "c", 100) == (2, 0)
    assert count_request(engine, "c", 101) == (1, 2)
    assert count_request(engine, "c", 103) == (1, 0)
    with engine.connect() as conn:
        assert list(conn.execute(text("SELECT minute FROM request_counts WHERE caller = 'c'")).scalars()) == [103]


@pytest.mark.e2e
def test_a_database_restart_is_a_503_then_heals_without_losing_rows(postgres_server, postgres_url):
    store = ConversationStore(postgres_url)
    session = store.start_session("C0001")
    store.add_message(session, "user", "where is my order?", user_id="C0001")
    postgres_server.stop()
    try:
        with pytest.raises(Exception) as failed:
            store.messages(session)
        outage = unavailable(failed.value)
        assert isinstance(outage, StoreUnavailable) and outage.status_code == 503 and outage.retry_after > 0
    finally:
        postgres_server.start()
    assert [m.content for m in store.messages(session)] == ["where is my order?"]  # the same store, reconnected
    store.add_message(session, "assistant", "It shipped yesterday.", user_id="C0001")
    assert len(store.messages(session)) == 2


def test_other_errors_are_not_called_an_outage():
    assert unavailable(ValueError("bad")) is None


def test_a_replys_session_state_round_trips_on_both_engines(db_url):  # JSON columns
    store = ConversationStore(db_url)
    session = store.start_session(None)
    store.add_message(session, "assistant", "hi", meta={"state": {"shown": ["P1", "P2"]}, "ok": True})
    with store.engine.connect() as conn:
        (meta,) = conn.execute(select(store.messages_t.c.meta)).one()
    assert meta == {"state": {"shown": ["P1", "P2"]}, "ok": True}


def test_a_database_from_before_message_keys_is_upgraded_and_keeps_its_messages(db_url):
    store = ConversationStore(db_url)
    session = store.start_session("C0001")
    store.add_message(session, "user", "hello", user_id="C0001")
    with store.engine.begin() as conn:  # the messages table as the first version made it
        conn.execute(text("DROP INDEX ux_messages_client_key"))
        conn.execute(text("ALTER TABLE messages DROP COLUMN client_key"))
        conn.execute(text("DELETE FROM schema_migrations WHERE name = 'm006_message_keys'"))
    older = create_engine(db_url)
    migrate(older, CONVERSATION_MIGRATIONS)
    assert "client_key" in {c["name"] for c in inspect(older).get_columns("messages")}
    with older.connect() as conn:
        assert list(conn.execute(text("SELECT content FROM messages")).scalars()) == ["hello"]
