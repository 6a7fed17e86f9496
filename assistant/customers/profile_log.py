"""The shared log of profile changes: every accepted event and every erasure, in the database, in order.

    log = ProfileLog(engine)
    log.append({"customer_id": "C0001", "type": "order", "product_id": "P0001", "quantity": 1, "price": 9.5,
                "day": 739000, "order_id": None})
    log.since(0)                                 # the rows to replay, oldest first
    log.erase("C0001")                           # their rows go; one row remembers the hashed id

A profile book is built from the store's files, then replays this log; before it answers for a
customer it reads the rows it has not seen (one indexed range query). So an event posted to one
replica changes what every replica says on its next turn, and a restart loses none. Rows must
become visible in id order, or "the rows after the last one I applied" could skip one that
committed late: on PostgreSQL an append holds an advisory lock until it commits (SQLite writes one
at a time anyway).
"""

from __future__ import annotations

from datetime import UTC, datetime

from assistant.customers.profile_files import hashed
from assistant.database import Migration, migrate

APPEND_LOCK = 0x5A0A_552  # pg_advisory_xact_lock key of profile_events appends


def profile_log_tables():
    """The log's one table (created by `PROFILE_LOG_MIGRATIONS`)."""
    from sqlalchemy import Column, Float, Integer, MetaData, String, Table

    meta = MetaData()
    Table("profile_events", meta, Column("id", Integer, primary_key=True, autoincrement=True),
          Column("customer_id", String(64), index=True, nullable=False),  # the hashed id on a "forget" row
          Column("type", String(16), nullable=False),  # order, view, return, forget
          Column("product_id", String(64)), Column("quantity", Integer), Column("price", Float),
          Column("day", Integer),  # date.toordinal() of the event
          Column("order_id", String(64)), Column("created_at", String(40), nullable=False))
    return meta


def _create_profile_log_tables(conn) -> None:
    profile_log_tables().create_all(conn)


PROFILE_LOG_MIGRATIONS = (Migration("m004_profile_events", _create_profile_log_tables),)


class ProfileLog:
    def __init__(self, engine) -> None:
        self.engine = engine
        migrate(engine, PROFILE_LOG_MIGRATIONS)
        self.table = profile_log_tables().tables["profile_events"]

    def _append(self, conn, row: dict) -> int:
        from sqlalchemy import text

        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": APPEND_LOCK})
        row = {**row, "created_at": datetime.now(UTC).isoformat(timespec="milliseconds")}
        return int(conn.execute(self.table.insert().values(**row)).inserted_primary_key[0])

    def append(self, row: dict) -> int:
        """Store one checked event (committed on return); its id."""
        with self.engine.begin() as conn:
            return self._append(conn, row)

    def since(self, after: int) -> list:
        """Rows with an id above `after`, oldest first."""
        from sqlalchemy import select

        with self.engine.connect() as conn:
            return conn.execute(select(self.table).where(self.table.c.id > after).order_by(self.table.c.id)).all()

    def erase(self, user_id: str) -> None:
        """Right to be forgotten: the customer's events go, and a row with their hashed id tells every replica."""
        with self.engine.begin() as conn:
            conn.execute(self.table.delete().where(self.table.c.customer_id == user_id))
            self._append(conn, {"customer_id": hashed(user_id), "type": "forget"})
