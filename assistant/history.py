"""Conversation store: every message and handoff ticket, committed before the reply streams.

    store = build_history(settings)            # SQLite at <home>/conversations.db by default
    session = store.start_session("C0001")
    store.add_message(session, "user", "where is my order?", user_id="C0001")

SQLite by default, PostgreSQL for several replicas (``SHOPASSIST_SERVE__DB_URL=postgresql+psycopg://...``);
the engine is `assistant.database`'s, the tables and their migrations this module's. A message is
committed before its reply streams, so one acknowledged to the client survives ``kill -9`` of the process.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from assistant.database import Migration, add_missing_columns, database_url, migrate, open_database
from assistant.settings import Settings
from assistant.types import Message
from data.errors import BadInput


@dataclass(frozen=True)
class StoredMessage:
    id: int
    session_id: str
    user_id: str | None
    role: str
    content: str
    created_at: str
    meta: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SessionSummary:
    id: str
    user_id: str | None
    created_at: str
    messages: int


@dataclass(frozen=True)
class Ticket:
    id: int
    session_id: str
    user_id: str | None
    reason: str
    status: str
    created_at: str
    transcript: tuple[dict, ...] = ()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def conversation_tables():
    """Sessions, messages and handoff tickets (created and altered by `CONVERSATION_MIGRATIONS`)."""
    from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, MetaData, String, Table, Text

    meta = MetaData()
    Table("sessions", meta, Column("id", String(40), primary_key=True), Column("user_id", String(64), index=True),
          Column("created_at", String(40), nullable=False))
    Table("messages", meta, Column("id", Integer, primary_key=True, autoincrement=True),
          Column("session_id", String(40), ForeignKey("sessions.id"), index=True, nullable=False),
          Column("user_id", String(64), index=True), Column("role", String(16), nullable=False),
          Column("content", Text, nullable=False), Column("created_at", String(40), nullable=False),
          Column("meta", JSON, nullable=False, default=dict),
          Column("client_key", String(64)),  # the client's Idempotency-Key: a resent message is this one
          Index("ux_messages_client_key", "session_id", "client_key", unique=True))
    Table("tickets", meta, Column("id", Integer, primary_key=True, autoincrement=True),
          Column("session_id", String(40), index=True, nullable=False), Column("user_id", String(64)),
          Column("reason", String(200), nullable=False), Column("status", String(16), nullable=False),
          Column("created_at", String(40), nullable=False), Column("transcript", JSON, nullable=False))
    return meta


def _create_conversation_tables(conn) -> None:
    conversation_tables().create_all(conn)


def _add_message_keys(conn) -> None:
    """Messages remember the client's Idempotency-Key, so a message resent to another replica is stored once."""
    meta = conversation_tables()
    add_missing_columns(conn, meta)
    for index in meta.tables["messages"].indexes:
        index.create(conn, checkfirst=True)


CONVERSATION_MIGRATIONS = (Migration("m001_initial", _create_conversation_tables),
                           Migration("m006_message_keys", _add_message_keys))


class ConversationStore:
    def __init__(self, url: str) -> None:
        self.engine = open_database(url)
        migrate(self.engine, CONVERSATION_MIGRATIONS)
        t = conversation_tables().tables
        self.sessions_t, self.messages_t, self.tickets_t = t["sessions"], t["messages"], t["tickets"]

    # sessions -----------------------------------------------------------------------------
    def start_session(self, user_id: str | None) -> str:
        session_id = uuid.uuid4().hex
        with self.engine.begin() as conn:
            conn.execute(self.sessions_t.insert().values(id=session_id, user_id=user_id, created_at=_now()))
        return session_id

    def ensure_session(self, session_id: str | None, user_id: str | None) -> str:
        """The given session (checked to belong to this customer) or a new one."""
        from sqlalchemy import select
        from sqlalchemy.exc import IntegrityError

        if not session_id:
            return self.start_session(user_id)
        with self.engine.connect() as conn:
            row = conn.execute(select(self.sessions_t).where(self.sessions_t.c.id == session_id)).first()
        if row is None:
            try:
                with self.engine.begin() as conn:
                    conn.execute(self.sessions_t.insert().values(id=session_id, user_id=user_id, created_at=_now()))
                return session_id
            except IntegrityError:  # the same new session started on another replica at the same moment
                return self.ensure_session(session_id, user_id)
        if row.user_id != user_id:
            raise BadInput("this session belongs to another customer", hint="start a new session (omit session_id)")
        return session_id

    def session_owner(self, session_id: str) -> tuple[bool, str | None]:
        """Whether the session exists, and its customer (None for a guest)."""
        from sqlalchemy import select

        with self.engine.connect() as conn:
            row = conn.execute(select(self.sessions_t.c.user_id).where(self.sessions_t.c.id == session_id)).first()
        return (row is not None, row.user_id if row is not None else None)

    def sessions(self, user_id: str) -> list[SessionSummary]:
        from sqlalchemy import func, select

        s, m = self.sessions_t, self.messages_t
        query = (select(s.c.id, s.c.user_id, s.c.created_at, func.count(m.c.id))
                 .select_from(s.outerjoin(m, m.c.session_id == s.c.id))
                 .where(s.c.user_id == user_id).group_by(s.c.id).order_by(s.c.created_at))
        with self.engine.connect() as conn:
            return [SessionSummary(*row) for row in conn.execute(query)]

    def latest_session(self, user_id: str) -> str | None:
        sessions = [s for s in self.sessions(user_id) if s.messages]
        return sessions[-1].id if sessions else None

    # messages -----------------------------------------------------------------------------
    def add_message(self, session_id: str, role: str, content: str, *, user_id: str | None = None,
                    meta: dict | None = None, key: str | None = None) -> int:
        """Store one message and commit it (durable on return). A shopper's message sent again is stored once: the
        same `key` (the client's Idempotency-Key) in the session, or, without a key, the same text as the session's
        last message while it is still unanswered (a client retrying after a replica died mid-reply)."""
        from sqlalchemy import select
        from sqlalchemy.exc import IntegrityError

        m = self.messages_t
        with self.engine.begin() as conn:
            if role == "user" and key is not None:
                found = conn.scalar(select(m.c.id).where(m.c.session_id == session_id, m.c.client_key == key))
                if found is not None:
                    return int(found)
            elif role == "user":
                last = conn.execute(select(m.c.id, m.c.role, m.c.content).where(m.c.session_id == session_id)
                                    .order_by(m.c.id.desc()).limit(1)).first()
                if last is not None and last.role == "user" and last.content == content:
                    return int(last.id)
        try:
            with self.engine.begin() as conn:
                result = conn.execute(m.insert().values(session_id=session_id, user_id=user_id, role=role,
                                                        content=content, created_at=_now(), meta=meta or {},
                                                        client_key=key))
                return int(result.inserted_primary_key[0])
        except IntegrityError:  # the same key stored by another replica a moment ago
            if key is None:
                raise
            return self.add_message(session_id, role, content, user_id=user_id, meta=meta, key=key)

    def reply_to(self, session_id: str, message_id: int) -> StoredMessage | None:
        """The stored reply to a shopper's message, if it was answered (its next message, when that is ours)."""
        from sqlalchemy import select

        m = self.messages_t
        with self.engine.connect() as conn:
            row = conn.execute(select(m).where(m.c.session_id == session_id, m.c.id > message_id)
                               .order_by(m.c.id).limit(1)).first()
        if row is None or row.role != "assistant":
            return None
        return StoredMessage(row.id, row.session_id, row.user_id, row.role, row.content, row.created_at, dict(row.meta or {}))

    def messages(self, session_id: str) -> list[StoredMessage]:
        from sqlalchemy import select

        m = self.messages_t
        with self.engine.connect() as conn:
            rows = conn.execute(select(m).where(m.c.session_id == session_id).order_by(m.c.id))
            return [StoredMessage(r.id, r.session_id, r.user_id, r.role, r.content, r.created_at, dict(r.meta or {}))
                    for r in rows]

    def history(self, session_id: str, *, limit: int = 12) -> tuple[Message, ...]:
        """The last messages of a session, as prompt history."""
        stored = [m for m in self.messages(session_id) if m.role in ("user", "assistant")]
        return tuple(Message(m.role, m.content) for m in stored[-limit:])

    def forget_user(self, user_id: str) -> int:
        """Delete a customer's sessions and messages (right to be forgotten); returns messages removed."""
        with self.engine.begin() as conn:
            removed = conn.execute(self.messages_t.delete().where(self.messages_t.c.user_id == user_id)).rowcount
            conn.execute(self.sessions_t.delete().where(self.sessions_t.c.user_id == user_id))
            conn.execute(self.tickets_t.delete().where(self.tickets_t.c.user_id == user_id))
        return removed

    # handoff tickets ----------------------------------------------------------------------
    def open_ticket(self, session_id: str, *, user_id: str | None, reason: str) -> Ticket:
        """Record a handoff with the transcript so far (one open ticket per session)."""
        from sqlalchemy import select

        transcript = [{"role": m.role, "content": m.content, "at": m.created_at} for m in self.messages(session_id)]
        t = self.tickets_t
        with self.engine.begin() as conn:
            existing = conn.execute(select(t).where(t.c.session_id == session_id, t.c.status == "open")).first()
            if existing is not None:
                conn.execute(t.update().where(t.c.id == existing.id).values(transcript=transcript))
                ticket_id, created, reason = existing.id, existing.created_at, existing.reason
            else:
                created = _now()
                ticket_id = int(conn.execute(t.insert().values(
                    session_id=session_id, user_id=user_id, reason=reason, status="open", created_at=created,
                    transcript=transcript)).inserted_primary_key[0])
        return Ticket(ticket_id, session_id, user_id, reason, "open", created, tuple(transcript))

    def tickets(self, *, status: str | None = None, limit: int = 100) -> list[Ticket]:
        from sqlalchemy import select

        t = self.tickets_t
        query = select(t).order_by(t.c.id.desc()).limit(limit)
        if status:
            query = query.where(t.c.status == status)
        with self.engine.connect() as conn:
            return [Ticket(r.id, r.session_id, r.user_id, r.reason, r.status, r.created_at, tuple(r.transcript or ()))
                    for r in conn.execute(query)]


def build_history(settings: Settings) -> ConversationStore:
    return ConversationStore(database_url(settings))

