"""The one database every store shares, and the record of which migrations it has had.

    engine = open_database(database_url(settings))   # SQLite under <home> by default, or SHOPASSIST_SERVE__DB_URL
    migrate(engine, CONVERSATION_MIGRATIONS)          # an owner's ordered migrations, alike on SQLite and PostgreSQL

Each module that owns tables declares them and the `Migration`s that create or alter them, and runs those
with `migrate` before it reads or writes. This module knows no store's tables (only the shared state every
replica agrees on), so the stores import it and it imports none of them. Every owner's migrations are
recorded in the one `schema_migrations` table, so their names must be unique across owners (a new one takes
the next number, m007_...); the first six keep the names one ordered list gave them (m001_initial ..
m006_message_keys), so a database that list migrated is already up to date.

Several replicas may point at one PostgreSQL: migrations take an advisory lock, so two replicas starting
together never run one twice. A server that restarts cuts every pooled connection; the pool tests a
connection before lending it (`pool_pre_ping`), so the next request reconnects by itself, and a request
caught by the outage gets `StoreUnavailable` (503 with a retry hint) from `unavailable()`.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from data.errors import StoreUnavailable

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

MIGRATION_LOCK = 0x5A0A_551  # pg_advisory_xact_lock key: one migrating replica at a time
_recorded: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # engine -> migration names it is known to have


@dataclass(frozen=True)
class Migration:
    """One change to an owner's tables, applied once per database and recorded under `name`, which never changes
    (a database knows what it has had by name alone)."""

    name: str
    apply: Callable[[Connection], None]


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


def add_missing_columns(conn, meta) -> None:
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


def _create_shared_tables(conn) -> None:
    """What replicas must agree on beyond the stores: the analytics pseudonym key and the rate-limit counters."""
    _shared_tables().create_all(conn)


SHARED_MIGRATIONS = (Migration("m005_shared_state", _create_shared_tables),)


def _migrations_table():
    from sqlalchemy import Column, MetaData, String, Table

    return Table("schema_migrations", MetaData(), Column("name", String(80), primary_key=True),
                 Column("applied_at", String(40)))


def migrate(engine: Engine, migrations: Sequence[Migration]) -> None:
    """Run, in order and in one transaction, those of one owner's `migrations` this database has not had."""
    from sqlalchemy import select, text

    known = _recorded.setdefault(engine, set())
    if known.issuperset(m.name for m in migrations):
        return
    done_table = _migrations_table()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        done_table.create(conn, checkfirst=True)
        done = set(conn.scalars(select(done_table.c.name)))
        for migration in migrations:
            if migration.name not in done:
                migration.apply(conn)
                conn.execute(done_table.insert().values(name=migration.name, applied_at=_now()))
                done.add(migration.name)
    known.update(done)  # other owners' recorded names too: their next `migrate` needs no transaction


def install_secret(engine, name: str, make) -> str:
    """A per-install secret every replica shares (the first replica's `make()` wins a race)."""
    from sqlalchemy import select
    from sqlalchemy.exc import IntegrityError

    table = _shared_tables().tables["install_secrets"]
    migrate(engine, SHARED_MIGRATIONS)
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
    migrate(engine, SHARED_MIGRATIONS)
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
