"""The order book: customers' orders in the conversation store's database, and the actions taken on them.

    book = build_order_book(settings, store.engine, catalog=catalog)   # seeded once from orders.csv
    book.orders_of("C0114")[0].status                                   # "processing", newest first
    book.cancel("O00856", customer_id="C0114", session_id=session)      # ActionResult(done=True, ...)

Tables `orders`, `order_items` and `order_actions` sit beside the conversations (SQLite by default,
any SQLAlchemy URL; portable Core only). The CSV is read once, into an empty table: after that the
database is the truth, so a restart never undoes a cancellation. Each action is one transaction
whose first statement is a conditional UPDATE of the order row: it is both the rule check and the
row's write lock, so two requests (or two replicas) can never act twice or record an action twice.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC
from pathlib import Path

from assistant.database import Migration, migrate
from data.errors import BadInput
from data.schema import ORDER_STATUSES, Product

log = logging.getLogger(__name__)

MAX_ADDRESS_CHARS = 200
TITLE_CHARS = 300  # an order line keeps this much of the product's title (PostgreSQL enforces column lengths)


@dataclass(frozen=True)
class OrderItem:
    product_id: str
    title: str  # the catalog title when the order was seeded (the product id when it is not in the catalog)
    quantity: int
    unit_price: float
    status: str  # the item's own stage: one item of a delivered order can be returned or cancelled on its own


@dataclass(frozen=True)
class Order:
    order_id: str
    customer_id: str
    placed_on: datetime.date
    status: str  # processing, shipped, delivered, returned, cancelled
    items: tuple[OrderItem, ...]
    address: str | None  # delivery address; None = the one on the customer's account
    updated_at: str  # ISO timestamp of the last change

    @property
    def total(self) -> float:
        return round(sum(item.quantity * item.unit_price for item in self.items), 2)


@dataclass(frozen=True)
class OrderAction:
    id: int
    order_id: str
    customer_id: str
    kind: str  # cancel, return, address_change
    detail: dict  # {"address": ...} or {"window_days": 30, "days_since_order": 12}
    session_id: str | None
    created_at: str


@dataclass(frozen=True)
class ActionResult:
    kind: str  # the action asked for
    order: Order | None  # the order after the call; None when unknown or another customer's
    done: bool  # True only when this call changed something
    already: bool = False  # the same action was done before: nothing changed
    refused: str | None = None  # not_processing, not_delivered, outside_window, not_your_order, unknown_order, returned
    action: OrderAction | None = None  # the recorded action: the new one, or the earlier one when already
    days_since_order: int | None = None  # returns only, so a refusal can say how long it has been


@dataclass(frozen=True)
class SeedReport:
    inserted_orders: int
    skipped: list[str]  # "line 7: quantity must be ..." per row or order left out


def _now() -> str:
    return datetime.datetime.now(UTC).isoformat(timespec="milliseconds")


def order_tables():
    """Orders, their lines and the actions taken on them (created by `ORDER_MIGRATIONS`)."""
    from sqlalchemy import JSON, Column, Float, ForeignKey, Integer, MetaData, String, Table

    meta = MetaData()
    Table("orders", meta, Column("order_id", String(64), primary_key=True),
          Column("customer_id", String(64), index=True, nullable=False),
          Column("placed_on", String(10), nullable=False),  # YYYY-MM-DD: sorts and compares as a date
          Column("status", String(16), nullable=False), Column("address", String(MAX_ADDRESS_CHARS)),
          Column("updated_at", String(40), nullable=False))
    Table("order_items", meta, Column("id", Integer, primary_key=True, autoincrement=True),
          Column("order_id", String(64), ForeignKey("orders.order_id"), index=True, nullable=False),
          Column("product_id", String(64), nullable=False), Column("title", String(TITLE_CHARS), nullable=False),
          Column("quantity", Integer, nullable=False), Column("unit_price", Float, nullable=False),
          Column("status", String(16), nullable=False))
    Table("order_actions", meta, Column("id", Integer, primary_key=True, autoincrement=True),
          Column("order_id", String(64), ForeignKey("orders.order_id"), index=True, nullable=False),
          Column("customer_id", String(64), index=True, nullable=False), Column("kind", String(24), nullable=False),
          Column("detail", JSON, nullable=False), Column("session_id", String(40)),
          Column("created_at", String(40), nullable=False))
    return meta


def _create_order_tables(conn) -> None:
    order_tables().create_all(conn)


ORDER_MIGRATIONS = (Migration("m002_orders", _create_order_tables),)


def _order_status(statuses: set[str]) -> str:
    """The order's status from its lines' (a line can be returned or cancelled on its own): the earliest stage
    still open, so an order with one delivered item stays `delivered` even if another item went back."""
    return next(status for status in ORDER_STATUSES if status in statuses)


class OrderBook:
    def __init__(self, engine, *, catalog: Mapping[str, Product] | None = None) -> None:
        self.engine = engine
        self.catalog = catalog or {}
        migrate(engine, ORDER_MIGRATIONS)
        t = order_tables().tables
        self.orders_t, self.items_t, self.actions_t = t["orders"], t["order_items"], t["order_actions"]

    # seeding ------------------------------------------------------------------------------
    def seed(self, orders_csv: Path) -> SeedReport:
        """Load the store's orders into an empty book, all in one transaction; a book with orders is left alone."""
        from sqlalchemy import func, select
        from sqlalchemy.exc import IntegrityError

        from data.load import load_orders

        with self.engine.connect() as conn:
            if conn.scalar(select(func.count()).select_from(self.orders_t)):
                return SeedReport(0, [])
        loaded = load_orders(orders_csv)
        skipped = [str(error) for error in loaded.errors]
        groups: dict[str, list] = {}
        for line, record in zip(loaded.lines, loaded.records):
            groups.setdefault(record.order_id, []).append((line, record))
        orders, items, now = [], [], _now()
        for order_id, lines in groups.items():
            first_line, first = lines[0]
            clash = next((line for line, r in lines if (r.customer_id, r.date) != (first.customer_id, first.date)), 0)
            if clash:  # the whole order is left out: which line is right cannot be told
                skipped.append(f"line {clash}: order {order_id} has another customer or date than line {first_line}")
                continue
            orders.append({"order_id": order_id, "customer_id": first.customer_id, "placed_on": first.date.isoformat(),
                           "status": _order_status({r.status for _, r in lines}), "address": None, "updated_at": now})
            items += [{"order_id": order_id, "product_id": r.product_id, "quantity": r.quantity,
                       "unit_price": r.unit_price, "status": r.status,
                       "title": (self.catalog[r.product_id].title if r.product_id in self.catalog else r.product_id)[:TITLE_CHARS]}
                      for _, r in lines]
        try:
            with self.engine.begin() as conn:
                if orders:
                    conn.execute(self.orders_t.insert(), orders)
                    conn.execute(self.items_t.insert(), items)
        except IntegrityError:  # another replica seeded the same orders meanwhile; theirs stand
            return SeedReport(0, [])
        return SeedReport(len(orders), skipped)

    # reading ------------------------------------------------------------------------------
    def _load(self, conn, where) -> list[Order]:
        """Orders matching `where`, newest first, with their items: two queries whatever their number."""
        from sqlalchemy import select

        o, i = self.orders_t, self.items_t
        rows = conn.execute(select(o).where(where).order_by(o.c.placed_on.desc(), o.c.order_id.desc())).all()
        items: dict[str, list[OrderItem]] = {row.order_id: [] for row in rows}
        if items:
            query = select(i).where(i.c.order_id.in_(list(items))).order_by(i.c.id)
            for item in conn.execute(query):
                items[item.order_id].append(OrderItem(item.product_id, item.title, item.quantity, item.unit_price,
                                                      item.status))
        return [Order(row.order_id, row.customer_id, datetime.date.fromisoformat(row.placed_on), row.status,
                      tuple(items[row.order_id]), row.address, row.updated_at) for row in rows]

    def _one(self, conn, order_id: str) -> Order | None:
        found = self._load(conn, self.orders_t.c.order_id == order_id)
        return found[0] if found else None

    def get(self, order_id: str) -> Order | None:
        with self.engine.connect() as conn:
            return self._one(conn, order_id)

    def orders_of(self, customer_id: str) -> list[Order]:
        """The customer's orders, newest first."""
        with self.engine.connect() as conn:
            return self._load(conn, self.orders_t.c.customer_id == customer_id)

    def latest(self, customer_id: str) -> Order | None:
        orders = self.orders_of(customer_id)
        return orders[0] if orders else None

    def actions(self, *, customer_id: str | None = None, order_id: str | None = None,
                limit: int = 200) -> list[OrderAction]:
        """Recorded actions, newest first."""
        from sqlalchemy import select

        a = self.actions_t
        query = select(a).order_by(a.c.id.desc()).limit(limit)
        if customer_id is not None:
            query = query.where(a.c.customer_id == customer_id)
        if order_id is not None:
            query = query.where(a.c.order_id == order_id)
        with self.engine.connect() as conn:
            return [self._action(row) for row in conn.execute(query)]

    @staticmethod
    def _action(row) -> OrderAction:
        return OrderAction(row.id, row.order_id, row.customer_id, row.kind, dict(row.detail or {}), row.session_id,
                           row.created_at)

    def _last_action(self, conn, order_id: str, kind: str) -> OrderAction | None:
        from sqlalchemy import select

        a = self.actions_t
        row = conn.execute(select(a).where(a.c.order_id == order_id, a.c.kind == kind)
                           .order_by(a.c.id.desc()).limit(1)).first()
        return self._action(row) if row is not None else None

    # actions ------------------------------------------------------------------------------
    def cancel(self, order_id: str, *, customer_id: str, session_id: str | None = None) -> ActionResult:
        """Cancel an order that has not shipped yet."""
        o = self.orders_t
        return self._act("cancel", order_id, customer_id, session_id=session_id, guard=[o.c.status == "processing"],
                         values={"status": "cancelled"}, detail=lambda order: {}, item_status=("processing", "cancelled"))

    def start_return(self, order_id: str, *, customer_id: str, window_days: int, today: datetime.date,
                     session_id: str | None = None) -> ActionResult:
        """Open a return for a delivered order inside the window; it stays `delivered` until the parcel is back."""
        o = self.orders_t
        cutoff = (today - datetime.timedelta(days=window_days)).isoformat()
        result = self._act("return", order_id, customer_id, session_id=session_id,
                           guard=[o.c.status == "delivered", o.c.placed_on >= cutoff], values={},
                           detail=lambda order: {"window_days": window_days,
                                                 "days_since_order": (today - order.placed_on).days})
        if result.order is None:
            return result
        return replace(result, days_since_order=(today - result.order.placed_on).days)

    def change_address(self, order_id: str, *, customer_id: str, address: str,
                       session_id: str | None = None) -> ActionResult:
        """Send a not-yet-shipped order to another address."""
        from sqlalchemy import or_

        address = address.strip()
        if not address or len(address) > MAX_ADDRESS_CHARS:
            raise BadInput(f"a delivery address must have 1 to {MAX_ADDRESS_CHARS} characters, got {len(address)}",
                           hint="give the full street address on one line")
        o = self.orders_t
        return self._act("address_change", order_id, customer_id, session_id=session_id,
                         guard=[o.c.status == "processing", or_(o.c.address.is_(None), o.c.address != address)],
                         values={"address": address}, detail=lambda order: {"address": address})

    def _act(self, kind: str, order_id: str, customer_id: str, *, session_id: str | None, guard: list,
             values: dict, detail: Callable[[Order], dict], item_status: tuple[str, str] | None = None) -> ActionResult:
        """One action, one transaction. The conditional UPDATE goes first: it checks owner and rules and takes the
        row's write lock, so the look-up of an earlier action and the insert below cannot race another request."""
        from sqlalchemy import update

        o = self.orders_t
        now = _now()
        with self.engine.connect() as conn:
            with conn.begin() as transaction:
                matched = conn.execute(update(o).where(o.c.order_id == order_id, o.c.customer_id == customer_id,
                                                       *guard).values(updated_at=now, **values)).rowcount
                earlier = self._last_action(conn, order_id, kind)
                if matched and (earlier is None or kind == "address_change"):  # cancel and return: once an order
                    if item_status is not None:  # the items move with the order (processing -> cancelled)
                        i = self.items_t
                        conn.execute(update(i).where(i.c.order_id == order_id, i.c.status == item_status[0])
                                     .values(status=item_status[1]))
                    order = self._one(conn, order_id)
                    row = {"order_id": order_id, "customer_id": customer_id, "kind": kind, "detail": detail(order),
                           "session_id": session_id, "created_at": now}
                    row["id"] = int(conn.execute(self.actions_t.insert().values(**row)).inserted_primary_key[0])
                    return ActionResult(kind, order, done=True, action=OrderAction(**row))
                transaction.rollback()
            return self._not_done(kind, self._one(conn, order_id), customer_id, earlier)

    @staticmethod
    def _not_done(kind: str, order: Order | None, customer_id: str, earlier: OrderAction | None) -> ActionResult:
        """Why the guard did not match, read from the order as it is (another customer's order is never shown)."""
        if order is None:
            return ActionResult(kind, None, done=False, refused="unknown_order")
        if order.customer_id != customer_id:
            return ActionResult(kind, None, done=False, refused="not_your_order")
        if kind == "return":
            if earlier is not None:
                return ActionResult(kind, order, done=False, already=True, action=earlier)
            refused = {"returned": "returned", "delivered": "outside_window"}.get(order.status, "not_delivered")
            return ActionResult(kind, order, done=False, refused=refused)
        # cancelled: cancelled before; still processing after an address guard missed: it has that address already
        if order.status == ("cancelled" if kind == "cancel" else "processing"):
            return ActionResult(kind, order, done=False, already=True, action=earlier)
        return ActionResult(kind, order, done=False, refused="not_processing")


def build_order_book(settings, engine, *, catalog: Mapping[str, Product] | None = None) -> OrderBook:
    """The order book on the conversation store's database, seeded from the store's `orders.csv` on first start."""
    book = OrderBook(engine, catalog=catalog)
    orders_csv = Path(settings.store_dir) / "orders.csv"
    if orders_csv.exists():
        report = book.seed(orders_csv)
        if report.skipped:
            log.warning("%s: %d order line(s) skipped, first: %s", orders_csv, len(report.skipped), report.skipped[0])
    return book
