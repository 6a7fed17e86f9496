"""The one database every store shares: conversations, tickets, orders and their actions, analytics, profile events.

    engine = open_database(database_url(settings))   # SQLite under <home> by default, or SHOPASSIST_SERVE__DB_URL
    migrate(engine)                                   # the same ordered migrations on SQLite and PostgreSQL

Several replicas may point at one PostgreSQL: migrations take an advisory lock, so two replicas starting
together never run one twice. A server that restarts cuts every pooled connection; the pool tests a
connection before lending it (`pool_pre_ping`), so the next request reconnects by itself, and a request
caught by the outage gets `StoreUnavailable` (503 with a retry hint) from `unavailable()`.
"""

from __future__ import annotations

import functools
import weakref
from datetime import UTC, datetime

from data.errors import StoreUnavailable

MIGRATION_LOCK = 0x5A0A_551  # pg_advisory_xact_lock key: one migrating replica at a time
_migrated: weakref.WeakSet = weakref.WeakSet()  # engines already brought up to date by this process


def database_url(settings) -> str:
    """The configured database, or the SQLite file beside the model cache."""
    if settings.serve.db_url:
        return settings.serve.db_url
    settings.home.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{settings.home / 'conversations.db'}"


@functools.lru_cache(maxsize=32)
def open_database(url: str):
    """The process's engine for `url` (one pool per database, whichever store asks). SQLite: WAL with
    synchronous=FULL, so a message acknowledged to the client survives `kill -9`. A server database: short
    connect and pool timeouts, so an outage answers 503 quickly, not late."""
    from sqlalchemy import create_engine, event

    if url.startswith("sqlite"):
        engine = create_engine(url)

        @event.listens_for(engine, "connect")
        def _durable(dbapi_conn, _record) -> None:  # every commit reaches the disk
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()
        return engine
    connect_args = {"connect_timeout": 3} if url.startswith("postgresql") else {}
    return create_engine(url, pool_pre_ping=True, pool_size=8, max_overflow=24, pool_timeout=5,
                         connect_args=connect_args)


def unavailable(exc: BaseException) -> StoreUnavailable | None:
    """The 503 for a database that cannot be reached (down, restarting, pool exhausted); None for other errors."""
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    if isinstance(exc, (OperationalError, InterfaceError, PoolTimeout)) or (
            isinstance(exc, DBAPIError) and exc.connection_invalidated):
        return StoreUnavailable("the database is unavailable right now; nothing was changed by this request",
                                hint="retry in a few seconds")
    return None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _add_missing_columns(conn, meta) -> None:
    """Tables made by an older version get the columns added since (nullable, so old rows stay valid)."""
    from sqlalchemy import inspect, text

    inspector = inspect(conn)
    for table in meta.sorted_tables:
        have = {c["name"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in have:
                kind = column.type.compile(dialect=conn.dialect)
                conn.execute(text(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}'))


def _shared_tables():
    from sqlalchemy import Column, Integer, MetaData, String, Table

    meta = MetaData()
    Table("install_secrets", meta, Column("name", String(40), primary_key=True), Column("value", String(200), nullable=False))
    Table("request_counts", meta, Column("caller", String(64), primary_key=True),
          Column("minute", Integer, primary_key=True, autoincrement=False), Column("count", Integer, nullable=False))
    return meta


def m001_initial(conn) -> None:
    from assistant.history import conversation_tables

    conversation_tables().create_all(conn)


def m002_orders(conn) -> None:
    from assistant.orders.book import order_tables

    order_tables().create_all(conn)


def m003_analytics(conn) -> None:
    """Analytics tables, and the `timings` column older event logs lack (they were created outside migrations)."""
    from assistant.analytics.events import analytics_tables

    meta = analytics_tables()
    meta.create_all(conn)
    _add_missing_columns(conn, meta)


def m004_profile_events(conn) -> None:
    from assistant.customers.profile_log import profile_log_tables

    profile_log_tables().create_all(conn)


def m005_shared_state(conn) -> None:
    """What replicas must agree on beyond the stores: the analytics pseudonym key and the rate-limit counters."""
    _shared_tables().create_all(conn)


def m006_message_keys(conn) -> None:
    """Messages remember the client's Idempotency-Key, so a message resent to another replica is stored once."""
    from assistant.history import conversation_tables

    meta = conversation_tables()
    _add_missing_columns(conn, meta)
    for index in meta.tables["messages"].indexes:
        index.create(conn, checkfirst=True)


MIGRATIONS = (m001_initial, m002_orders, m003_analytics, m004_profile_events, m005_shared_state,
              m006_message_keys)  # ordered, each once


def migrate(engine) -> None:
    """Run the migrations this database has not had (recorded in `schema_migrations`), in one transaction."""
    from sqlalchemy import Column, MetaData, String, Table, select, text

    if engine in _migrated:
        return
    done_table = Table("schema_migrations", MetaData(), Column("name", String(80), primary_key=True),
                       Column("applied_at", String(40)))
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        done_table.create(conn, checkfirst=True)
        done = set(conn.scalars(select(done_table.c.name)))
        for migration in MIGRATIONS:
            if migration.__name__ not in done:
                migration(conn)
                conn.execute(done_table.insert().values(name=migration.__name__, applied_at=_now()))
    _migrated.add(engine)


def install_secret(engine, name: str, make) -> str:
    """A per-install secret every replica shares (the first replica's `make()` wins a race)."""
    from sqlalchemy import select
    from sqlalchemy.exc import IntegrityError

    table = _shared_tables().tables["install_secrets"]
    migrate(engine)
    with engine.connect() as conn:
        found = conn.scalar(select(table.c.value).where(table.c.name == name))
    if found is not None:
        return found
    try:
        with engine.begin() as conn:
            conn.execute(table.insert().values(name=name, value=make()))
    except IntegrityError:
        pass  # another replica stored one first: use theirs
    with engine.connect() as conn:
        return conn.scalar(select(table.c.value).where(table.c.name == name))


def count_request(engine, caller: str, minute: int) -> tuple[int, int]:
    """Add one request to `caller`'s count for this minute; returns (this minute's count, last minute's count).
    One atomic upsert, so replicas sharing the database share the limit."""
    from sqlalchemy import select

    table = _shared_tables().tables["request_counts"]
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    upsert = insert(table).values(caller=caller, minute=minute, count=1)
    upsert = upsert.on_conflict_do_update(index_elements=["caller", "minute"],
                                          set_={"count": table.c["count"] + 1}).returning(table.c["count"])
    with engine.begin() as conn:
        now = int(conn.execute(upsert).scalar_one())
        before = conn.scalar(select(table.c["count"]).where(table.c.caller == caller, table.c.minute == minute - 1)) or 0
        if now == 1:  # first request of a new minute for this caller: old counters can go
            conn.execute(table.delete().where(table.c.caller == caller, table.c.minute < minute - 1))
    return now, before
