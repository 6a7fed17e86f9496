"""Analytics events: what every conversation did for the store, one row per observation.

    log = build_event_log(settings, customers=book.customers, products=catalog)
    log.record_turn(TurnRecord(session_id=..., user_id="C0001", intent="product_search", ...))
    accepted, rejected = log.record_many([{"type": "click", "session_id": ..., "product_id": "P0042"}])

Rows live beside the conversation store (same database, SQLite by default) but never hold a
raw customer id: ids are replaced by a keyed hash (HMAC-SHA256 with a per-install secret), so
analysts can count and join customers without knowing who they are; ``forget`` removes a
customer's rows by recomputing the pseudonym. Shoppers' messages are stored redacted.

Every event carries the experiment variants its session was assigned to, and
`analytics_exposures` holds one row per (experiment, session), so a report counts sessions per
variant without scanning JSON.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from assistant.database import Migration, add_missing_columns, install_secret, migrate
from assistant.safety.redact import redact
from data.errors import BadInput

CLIENT_EVENT_TYPES = ("click", "add_to_cart", "order", "rating")  # posted by pages and the store backend
EVENT_TYPES = ("turn", *CLIENT_EVENT_TYPES)  # "turn" rows are written by the assistant itself
QUERY_CHARS = 300  # stored prefix of the shopper's (redacted) message: enough to read what was asked
MAX_BATCH = 1000
ID_PATTERN = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")


@dataclass(frozen=True)
class TurnRecord:
    """One answered turn, as the dashboard and the experiment reports need it."""

    session_id: str
    user_id: str | None
    intent: str
    confidence: float
    query: str  # the shopper's message; redacted and cut before storage
    products: tuple[str, ...] = ()  # product ids shown as cards, in order
    shopping: bool = False  # a shopping intent, so no products means a zero-result search
    handoff: bool = False
    offer: str | None = None  # the retention gesture the prompt allowed, if any
    segment: str | None = None
    churn_tier: str | None = None
    reply_id: int | None = None  # the stored assistant message, which ratings point at
    channel: str = "api"
    experiments: Mapping[str, str] = field(default_factory=dict)
    at: datetime | None = None  # default now; simulations and backfills set it
    timings: Mapping[str, float] = field(default_factory=dict)  # seconds per stage of the turn (assistant.turn.STAGES)


@dataclass(frozen=True)
class Rejected:
    index: int
    reason: str


@dataclass(frozen=True)
class SessionOutcome:
    """One session's exposure to an experiment and what the shopper did afterwards."""

    session_id: str
    unit: str  # what was randomized: the customer's pseudonym, or the session for guests
    variant: str
    clicked: bool
    added_to_cart: bool
    ordered: bool
    handoff: bool
    ratings: tuple[int, ...]


def _utc(at: datetime | None) -> datetime:
    if at is None:
        return datetime.now(UTC)
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _stamp(at: datetime) -> tuple[str, str]:
    at = at.astimezone(UTC)
    return at.isoformat(timespec="milliseconds"), at.date().isoformat()


def analytics_tables():
    """Events and experiment exposures (created and altered by `ANALYTICS_MIGRATIONS`)."""
    from sqlalchemy import JSON, Boolean, Column, Float, Index, Integer, MetaData, String, Table, Text

    meta = MetaData()
    Table("analytics_events", meta,
          Column("id", Integer, primary_key=True, autoincrement=True),
          Column("ts", String(32), nullable=False),
          Column("day", String(10), nullable=False),
          Column("type", String(16), nullable=False),
          Column("customer", String(24)),  # pseudonym; NULL for guests
          Column("session_id", String(40)),
          Column("channel", String(16)),
          Column("intent", String(40)),
          Column("confidence", Float),
          Column("product_id", String(64)),
          Column("products", JSON),
          Column("query", Text),
          Column("zero_result", Boolean),
          Column("handoff", Boolean),
          Column("offer", String(60)),
          Column("segment", String(16)),
          Column("churn_tier", String(8)),
          Column("value", Float),  # rating +1/-1; order amount
          Column("reply_id", Integer),
          Column("experiments", JSON),
          Column("timings", JSON),
          Index("ix_events_day_type", "day", "type"),
          Index("ix_events_type_intent", "type", "intent"),
          Index("ix_events_session", "session_id"),
          Index("ix_events_customer", "customer"))
    Table("analytics_exposures", meta,
          Column("experiment", String(80), primary_key=True),
          Column("session_id", String(40), primary_key=True),
          Column("variant", String(80), nullable=False),
          Column("customer", String(24)),
          Column("ts", String(32), nullable=False),
          Index("ix_exposures_variant", "experiment", "variant"))
    return meta


def _create_analytics_tables(conn) -> None:
    """Analytics tables, and the `timings` column older event logs lack (they were created outside migrations)."""
    meta = analytics_tables()
    meta.create_all(conn)
    add_missing_columns(conn, meta)


ANALYTICS_MIGRATIONS = (Migration("m003_analytics", _create_analytics_tables),)


def pseudonym_key(engine, legacy_file: Path | None = None) -> bytes:
    """The install's pseudonymization key, in the database so every replica hashes a customer alike. An install
    that kept it in a file (`<home>/analytics.key`, before replicas) moves that one in: old rows stay joinable."""
    def make() -> str:
        if legacy_file is not None and legacy_file.exists():
            return legacy_file.read_text(encoding="utf-8").strip()
        return secrets.token_hex(32)

    return install_secret(engine, "analytics_pseudonym", make).encode()


class EventLog:
    def __init__(self, engine, secret: bytes, *, known_customers: Container[str] | None = None,
                 known_products: Container[str] | None = None, attribution_hours: float = 24.0) -> None:
        self.engine = engine
        self.secret = secret
        self.known_customers = known_customers  # live containers (the profile book, the catalog); None = accept any
        self.known_products = known_products
        self.attribution = timedelta(hours=attribution_hours)
        migrate(engine, ANALYTICS_MIGRATIONS)
        tables = analytics_tables().tables
        self.events_t, self.exposures_t = tables["analytics_events"], tables["analytics_exposures"]

    def pseudonym(self, user_id: str | None) -> str | None:
        if not user_id:
            return None
        return "c_" + hmac.new(self.secret, user_id.encode(), hashlib.sha256).hexdigest()[:20]

    # the assistant's own records -------------------------------------------------------------
    def record_turn(self, turn: TurnRecord) -> None:
        """A turn and, on a session's first turn, its experiment exposures: one transaction."""
        self.record_turns([turn])

    def record_turns(self, turns: Iterable[TurnRecord]) -> None:
        rows, exposures = [], {}
        for turn in turns:
            ts, day = _stamp(_utc(turn.at))
            customer = self.pseudonym(turn.user_id)
            rows.append({
                "ts": ts, "day": day, "type": "turn", "customer": customer, "session_id": turn.session_id,
                "channel": turn.channel, "intent": turn.intent, "confidence": round(float(turn.confidence), 4),
                "product_id": None, "products": list(turn.products), "query": redact(turn.query)[:QUERY_CHARS],
                "zero_result": bool(turn.shopping and not turn.products), "handoff": bool(turn.handoff),
                "offer": turn.offer, "segment": turn.segment, "churn_tier": turn.churn_tier, "value": None,
                "reply_id": turn.reply_id, "experiments": dict(turn.experiments),
                "timings": {k: round(float(v), 4) for k, v in turn.timings.items()} or None})
            for experiment, variant in turn.experiments.items():
                exposures.setdefault((experiment, turn.session_id), {
                    "experiment": experiment, "session_id": turn.session_id, "variant": variant,
                    "customer": customer, "ts": ts})
        if not rows:
            return
        with self.engine.begin() as conn:
            conn.execute(self.events_t.insert(), rows)
            self._add_exposures(conn, list(exposures.values()))

    def _add_exposures(self, conn, exposures: list[dict]) -> None:
        from sqlalchemy import select, tuple_

        if not exposures:
            return
        e = self.exposures_t
        keys = [(x["experiment"], x["session_id"]) for x in exposures]
        seen: set[tuple[str, str]] = set()
        for start in range(0, len(keys), 400):  # stay under the database's bound-parameter limit
            chunk = keys[start:start + 400]
            seen |= {tuple(r) for r in conn.execute(select(e.c.experiment, e.c.session_id)
                                                    .where(tuple_(e.c.experiment, e.c.session_id).in_(chunk)))}
        fresh = [x for x in exposures if (x["experiment"], x["session_id"]) not in seen]
        if fresh:
            conn.execute(e.insert(), fresh)

    # events from pages and the store ------------------------------------------------------------
    def record_many(self, events: list, *, now: datetime | None = None) -> tuple[int, list[Rejected]]:
        """Validate and store client events; bad ones are reported by index, the rest are kept.

        An event names a session (what the shopper did after a turn), a customer, or both; an
        event with only a customer is credited to their latest session within the attribution
        window, so an order placed in the shop after a chat still counts for that chat.
        """
        if not isinstance(events, list):
            raise BadInput("events must be a JSON array", hint='send {"events": [{...}, ...]}')
        if len(events) > MAX_BATCH:
            raise BadInput(f"{len(events)} events in one request; at most {MAX_BATCH}", hint="split the batch")
        now = _utc(now)
        rows, rejected = [], []
        for index, event in enumerate(events):
            try:
                rows.append(self._client_row(event, now))
            except BadInput as exc:
                rejected.append(Rejected(index, exc.message))
        if rows:
            with self.engine.begin() as conn:
                self._attribute(conn, rows)
                conn.execute(self.events_t.insert(), rows)
        return len(rows), rejected

    def check(self, event) -> str | None:
        """Why an event would be rejected, or None: lets a caller validate before other side effects."""
        try:
            self._client_row(event, datetime.now(UTC))
        except BadInput as exc:
            return exc.message
        return None

    def _client_row(self, event, now: datetime) -> dict:
        if not isinstance(event, Mapping):
            raise BadInput("an event must be a JSON object")
        kind = event.get("type")
        if kind not in CLIENT_EVENT_TYPES:
            raise BadInput(f"type {kind!r} is not one of {', '.join(CLIENT_EVENT_TYPES)}")
        session_id, user_id = event.get("session_id"), event.get("user_id")
        for name, value in (("session_id", session_id), ("user_id", user_id)):
            if value is not None and (not isinstance(value, str) or not ID_PATTERN.match(value)):
                raise BadInput(f"{name} must be 1-64 letters, digits, '.', '_' or '-'")
        if not session_id and not user_id:
            raise BadInput("an event needs a session_id or a user_id to be credited to a conversation")
        if user_id and self.known_customers is not None and user_id not in self.known_customers:
            raise BadInput(f"unknown customer {user_id!r}")
        product_id = event.get("product_id")
        if kind != "rating":
            if not isinstance(product_id, str) or not product_id:
                raise BadInput(f"a {kind} event needs a product_id")
            if self.known_products is not None and product_id not in self.known_products:
                raise BadInput(f"unknown product_id {product_id!r}")
        value = event.get("value")
        reply_id = event.get("reply_id")
        if kind == "rating":
            if value not in (1, -1) or isinstance(value, bool):
                raise BadInput("a rating's value is 1 (thumbs up) or -1 (thumbs down)")
            if isinstance(reply_id, bool) or not isinstance(reply_id, int) or reply_id < 1:
                raise BadInput("a rating needs the reply_id of the rated reply")
        elif value is not None and (isinstance(value, bool) or not isinstance(value, int | float)
                                    or not 0 <= value <= 1_000_000):
            raise BadInput("value must be an amount from 0 to 1,000,000")
        at = self._event_time(event.get("timestamp"), now)
        ts, day = _stamp(at)
        return {"ts": ts, "day": day, "type": kind, "customer": self.pseudonym(user_id), "session_id": session_id,
                "channel": event.get("channel") if event.get("channel") in ("gradio", "widget", "api", "store") else "api",
                "intent": None, "confidence": None, "product_id": product_id, "products": None, "query": None,
                "zero_result": None, "handoff": None, "offer": None, "segment": None, "churn_tier": None,
                "value": None if value is None else float(value),
                "reply_id": reply_id if isinstance(reply_id, int) and not isinstance(reply_id, bool) else None,
                "experiments": {}}

    @staticmethod
    def _event_time(stamp, now: datetime) -> datetime:
        if stamp is None:
            return now
        if not isinstance(stamp, str) or len(stamp) > 40:
            raise BadInput("timestamp must be an ISO 8601 string")
        try:
            at = _utc(datetime.fromisoformat(stamp))
        except ValueError:
            raise BadInput(f"timestamp {stamp!r} is not ISO 8601 (e.g. 2026-11-24T10:00:00Z)") from None
        if at > now + timedelta(days=1):
            raise BadInput("timestamp is in the future")
        return at

    def _attribute(self, conn, rows: list[dict]) -> None:
        """Fill each row's session (when only the customer is known) and experiment variants."""
        from sqlalchemy import func, select

        e, x = self.events_t, self.exposures_t
        latest: dict[str, tuple[str, str] | None] = {}
        for row in rows:
            if row["session_id"] or not row["customer"]:
                continue
            if row["customer"] not in latest:
                found = conn.execute(select(e.c.session_id, func.max(e.c.ts)).where(
                    e.c.type == "turn", e.c.customer == row["customer"]).group_by(e.c.session_id)
                    .order_by(func.max(e.c.ts).desc()).limit(1)).first()
                latest[row["customer"]] = (found[0], found[1]) if found else None
            hit = latest[row["customer"]]
            if hit and _utc(datetime.fromisoformat(row["ts"])) - _utc(datetime.fromisoformat(hit[1])) <= self.attribution:
                row["session_id"] = hit[0]
        sessions = sorted({r["session_id"] for r in rows if r["session_id"]})
        variants: dict[str, dict[str, str]] = {}
        for start in range(0, len(sessions), 400):
            for experiment, session_id, variant in conn.execute(
                    select(x.c.experiment, x.c.session_id, x.c.variant).where(x.c.session_id.in_(sessions[start:start + 400]))):
                variants.setdefault(session_id, {})[experiment] = variant
        for row in rows:
            row["experiments"] = variants.get(row["session_id"], {})

    # reading -----------------------------------------------------------------------------------
    def session_outcomes(self, experiment: str) -> list[SessionOutcome]:
        """Per exposed session: its variant and whether a click, add-to-cart, order, handoff followed."""
        from sqlalchemy import case, func, select

        e, x = self.events_t, self.exposures_t

        def any_of(kind: str):
            return func.max(case((e.c.type == kind, 1), else_=0))

        def ratings(sign: int):
            return func.sum(case(((e.c.type == "rating") & ((e.c.value * sign) > 0), 1), else_=0))

        query = (select(x.c.session_id, x.c.customer, x.c.variant, any_of("click"), any_of("add_to_cart"),
                        any_of("order"), func.max(case((e.c.handoff.is_(True), 1), else_=0)), ratings(1), ratings(-1))
                 .select_from(x.outerjoin(e, (e.c.session_id == x.c.session_id) & (e.c.ts >= x.c.ts)))
                 .where(x.c.experiment == experiment).group_by(x.c.session_id, x.c.customer, x.c.variant))
        with self.engine.connect() as conn:
            return [SessionOutcome(sid, customer or sid, variant, bool(click), bool(cart), bool(order), bool(handoff),
                                   (1,) * int(ups or 0) + (-1,) * int(downs or 0))
                    for sid, customer, variant, click, cart, order, handoff, ups, downs in conn.execute(query)]

    def count(self, kind: str | None = None) -> int:
        from sqlalchemy import func, select

        query = select(func.count()).select_from(self.events_t)
        if kind:
            query = query.where(self.events_t.c.type == kind)
        with self.engine.connect() as conn:
            return int(conn.scalar(query))

    def forget(self, user_id: str) -> int:
        """Erase a customer's analytics rows; returns how many events went."""
        customer = self.pseudonym(user_id)
        with self.engine.begin() as conn:
            removed = conn.execute(self.events_t.delete().where(self.events_t.c.customer == customer)).rowcount
            conn.execute(self.exposures_t.delete().where(self.exposures_t.c.customer == customer))
        return int(removed)


def build_event_log(settings, engine, *, customers: Container[str] | None = None,
                    products: Container[str] | None = None) -> EventLog:
    """The event log on the conversation store's database, keyed by this install's secret."""
    secret = pseudonym_key(engine, settings.home / "analytics.key")
    return EventLog(engine, secret, known_customers=customers, known_products=products,
                    attribution_hours=settings.experiments.attribution_hours)
