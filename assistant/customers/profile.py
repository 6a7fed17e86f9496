"""Customer profiles from order and event history: who the customer is, in a form safe for a prompt.

    book = load_profile_book(DEMO_DIR, catalog)              # batch: every customer at once
    book.view("C0001")                                        # CustomerView: segment, churn, affinities
    book.view("C0001", churn_weight=0.5)                      # the same with another classifier/BG-NBD blend
    book.record_event({"type": "order", "user_id": "C0001", "product_id": "P0001",
                       "quantity": 1, "price": 64.99, "timestamp": "2026-11-02"})  # one customer only
    book.export("C0001"); book.forget("C0001")                # access and erasure, per customer

`view` never carries names, e-mails, cities or raw orders: only the compact facts the prompt and
the re-ranker need. Category and brand affinities decay with a half-life so last month's
purchases count more than last year's; they are kept in "growth" form (weight * 2^(days/half-life)
from a fixed epoch), so adding an event is O(1) and never rescales the others.
"""

from __future__ import annotations

import hashlib
import json
import math
import pickle
from collections import Counter, deque
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple

from assistant.customers.churn import ChurnConfig, ChurnModel, History, blend, check_weight, explain, fit_churn_model
from data.errors import BadInput, UnknownUser
from data.schema import Product
from assistant.types import CustomerView
from data.load import load_customers, load_orders
from data.schema import Customer, OrderLine

GUEST = CustomerView(user_id=None, segment="guest")
EPOCH = date(2020, 1, 1).toordinal()  # origin of the growth-form affinity weights
EVENT_TYPES = ("order", "view", "return")


@dataclass(frozen=True)
class ProfileConfig:
    new_days: int = 60  # first order within this many days -> "new"
    lapsed_days: int = 180  # no order for this long -> "lapsed"
    at_risk_factor: float = 2.5  # silent for this many usual gaps -> "at_risk"
    loyal_orders: int = 8  # this many orders and still active -> "loyal" (VIP)
    half_life_days: float = 180.0  # a purchase's weight in the affinities halves every this many days
    view_weight: float = 0.25  # a product view counts as this fraction of a purchased unit
    price_items: int = 50  # recent item prices kept for the price band
    picks: int = 3  # in-stock product suggestions carried in the view
    churn: ChurnConfig = field(default_factory=ChurnConfig)

    def __post_init__(self) -> None:
        if not 0 < self.new_days < self.lapsed_days:
            raise ValueError("need 0 < new_days < lapsed_days")
        if self.half_life_days <= 0 or not 0 <= self.view_weight <= 1:
            raise ValueError("need half_life_days > 0 and 0 <= view_weight <= 1")


class ChurnScore(NamedTuple):
    """One customer's churn figures: the blend at the configured weight, and both parts for other weights."""

    risk: float  # blended at ChurnConfig.model_weight, rounded to 4 decimals
    tier: str
    reasons: tuple[str, ...]
    clv: float
    model_risk: float  # calibrated classifier probability
    bgnbd_risk: float  # BG/NBD P(no purchase in the horizon)


@dataclass
class CustomerState:
    """Everything kept about one customer; updated in place by each event."""

    spend_by_day: dict[int, float] = field(default_factory=dict)  # date ordinal -> spend that day
    order_ids: set[str] = field(default_factory=set)
    bought: Counter = field(default_factory=Counter)  # product id -> units kept (net of returns)
    categories: Counter = field(default_factory=Counter)  # growth-form affinity weights
    brands: Counter = field(default_factory=Counter)
    prices: deque = field(default_factory=deque)  # recent unit prices
    returns: int = 0
    views: int = 0

    def history(self) -> History:
        days = sorted(self.spend_by_day)
        return History(tuple(days), tuple(self.spend_by_day[d] for d in days))


def _growth(day: int, half_life: float) -> float:
    return 2.0 ** ((day - EPOCH) / half_life)


def merge_reasons(segment_reason: str, churn_reasons: tuple[str, ...]) -> tuple[str, ...]:
    """Segment reason first unless a churn reason already says it in more detail."""
    if any(r.startswith(segment_reason) for r in churn_reasons):
        return tuple(churn_reasons)
    return (segment_reason, *churn_reasons)


def hashed(user_id: str) -> str:
    """How a forgotten id is remembered: only to keep it out of the next rebuild."""
    return hashlib.sha256(user_id.encode()).hexdigest()


class ProfileBook:
    def __init__(self, customers: list[Customer], orders: list[OrderLine], catalog: dict[str, Product],
                 *, as_of: date | None = None, config: ProfileConfig = ProfileConfig(),
                 home: Path | None = None, today: date | None = None) -> None:
        self.config = config
        self.catalog = catalog
        self.home = home  # where `forget` records erased ids and `save_profiles` writes snapshots
        self.today = today or date.today()
        self.customers = {c.customer_id: c for c in customers}
        self.states = {c: CustomerState(prices=deque(maxlen=config.price_items)) for c in self.customers}
        self.report: list[str] = []  # order lines skipped, with the reason
        self._growth_by_day: dict[int, float] = {}
        seen: set[OrderLine] = set()
        kept = []
        for line in orders:
            if line.status == "cancelled":  # not a purchase; nothing wrong with the row
                continue
            problem = self._check_line(line, seen)
            if problem:
                self.report.append(f"order {line.order_id} ({line.product_id}): {problem}")
            else:
                kept.append(line)
        # The store's clock: its last order, so the demo does not age between runs.
        self.as_of = as_of or max((o.date for o in kept), default=self.today)
        for line in sorted(kept, key=lambda o: o.date):
            self._apply_order(line.customer_id, line.product_id, line.quantity, line.unit_price, line.date.toordinal(), line.order_id)
            if line.status == "returned":
                self._apply_return(line.customer_id, line.product_id, line.quantity, line.date.toordinal())
        self.popular = self._popular(kept)
        self._in_stock: dict[str, list[Product]] = {}  # category -> in-stock products, best rated first
        for product in sorted(catalog.values(), key=lambda p: (-(p.rating or 0), p.id)):
            if (product.stock or 0) > 0:
                self._in_stock.setdefault(product.category, []).append(product)
        self.churn: ChurnModel | None = None
        self.scores: dict[str, ChurnScore] = {}
        self._views: dict[str, dict[float | None, CustomerView]] = {}  # user -> churn weight (None = configured) -> view
        self.refit_churn()

    # -- building -------------------------------------------------------------------------
    def _check_line(self, line: OrderLine, seen: set[OrderLine]) -> str | None:
        if line.customer_id not in self.customers:
            return f"unknown customer {line.customer_id!r}"
        if line.date > self.today:
            return f"date {line.date} is in the future"
        if line in seen:  # the same product twice in one order is fine; an identical row is not
            return "duplicate order line"
        seen.add(line)
        return None

    def _apply_order(self, user_id: str, product_id: str, quantity: int, price: float, day: int, order_id: str | None) -> None:
        state = self.states[user_id]
        state.spend_by_day[day] = state.spend_by_day.get(day, 0.0) + quantity * price
        if order_id:
            state.order_ids.add(order_id)
        state.bought[product_id] += quantity
        state.prices.append(price)
        self._add_affinity(state, product_id, quantity * self._growth(day))

    def _apply_return(self, user_id: str, product_id: str, quantity: int, day: int) -> None:
        state = self.states[user_id]
        state.bought[product_id] -= quantity
        state.returns += quantity
        self._add_affinity(state, product_id, -quantity * self._growth(day))

    def _growth(self, day: int) -> float:
        """2^((day - epoch) / half-life), memoised per day: the batch build calls it once per order line."""
        value = self._growth_by_day.get(day)
        if value is None:
            value = self._growth_by_day[day] = _growth(day, self.config.half_life_days)
        return value

    def _add_affinity(self, state: CustomerState, product_id: str, weight: float) -> None:
        product = self.catalog.get(product_id)
        if product is None:
            return
        if product.category:
            state.categories[product.category] = max(state.categories[product.category] + weight, 0.0)
        if product.brand:
            state.brands[product.brand] = max(state.brands[product.brand] + weight, 0.0)

    def _popular(self, lines: list[OrderLine]) -> tuple[str, ...]:
        units = Counter()
        for line in lines:
            units[line.product_id] += line.quantity
        in_stock = [p for p, _ in units.most_common() if p in self.catalog and (self.catalog[p].stock or 0) > 0]
        return tuple(in_stock[:20])

    def refit_churn(self) -> None:
        """Fit the churn models on everyone's history and score everyone (batch)."""
        histories = {c: s.history() for c, s in self.states.items() if s.spend_by_day}
        try:
            self.churn = self._fit_or_load(histories)
        except ValueError as exc:  # too few customers to fit anything: profiles without risk
            self.churn = None
            self.report.append(f"no churn model: {exc}")
        self.scores.clear()
        self._views.clear()
        if self.churn is None or not histories:
            return
        ids = list(histories)
        for c, score in zip(ids, self._score([histories[c] for c in ids])):
            self.scores[c] = score

    def _score(self, histories: list[History]) -> list[ChurnScore]:
        cutoff = self.as_of.toordinal()
        rows = self.churn.rows(histories, cutoff)
        model, bgnbd = self.churn.parts(rows)
        risks = blend(model, bgnbd, self.churn.config.model_weight)
        clv = self.churn.clv_many(histories, cutoff)
        out = []
        for row, risk, m, b, value in zip(rows, risks, model, bgnbd, clv):
            tier = self.churn.config.tier(float(risk))
            out.append(ChurnScore(round(float(risk), 4), tier, explain(row, float(risk), tier), float(value), float(m), float(b)))
        return out

    def _fit_or_load(self, histories: dict[str, History]) -> ChurnModel:
        """Fit, or reuse the model fitted on exactly this history (cached under `home`): keeps startup short."""
        if self.home is None:
            return fit_churn_model(histories, as_of=self.as_of, config=self.config.churn)
        # The blend weight does not change the fit: a cached model serves every weight.
        fit_config = replace(self.config.churn, model_weight=1.0)
        key = hashlib.sha256(repr((sorted(histories.items()), self.as_of, fit_config)).encode()).hexdigest()[:20]
        path = profiles_dir(self.home) / f"churn-{key}.pkl"
        if path.exists():
            try:
                with path.open("rb") as f:
                    model = pickle.load(f)
                model.config = self.config.churn
                return model
            except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
                path.unlink(missing_ok=True)  # stale or broken cache: refit below
        model = fit_churn_model(histories, as_of=self.as_of, config=self.config.churn)
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob("churn-*.pkl"):  # a forgotten customer's history must not linger in an old fit
            old.unlink()
        with path.open("wb") as f:
            pickle.dump(model, f)
        return model

    def _rescore(self, user_id: str) -> None:
        history = self.states[user_id].history()
        if self.churn is not None and history.days:
            self.scores[user_id] = self._score([history])[0]
        self._views.pop(user_id, None)

    # -- reading --------------------------------------------------------------------------
    def __contains__(self, user_id: str) -> bool:
        """A customer of the store's file, or a shopper first seen in a chat or an event."""
        return user_id in self.states

    def register(self, user_id: str) -> None:
        """Start a profile for a shopper id the store's files do not know (the OpenAI `user` field is an
        opaque end-user id): a cold start, built up from their events."""
        if user_id not in self.states:
            self.states[user_id] = CustomerState(prices=deque(maxlen=self.config.price_items))

    def _require(self, user_id: str) -> CustomerState:
        if user_id not in self.states:
            raise UnknownUser(f"unknown customer id {user_id!r}",
                              hint="use an id from customers.csv (e.g. C0001) or omit --user to chat as a guest")
        return self.states[user_id]

    def view(self, user_id: str | None, churn_weight: float | None = None) -> CustomerView:
        """The customer's view; `churn_weight` blends the churn risk with another classifier weight
        (0 = BG/NBD only, 1 = classifier only; None = the configured one), e.g. for an experiment's variant.
        Tier, segment and reasons follow the blended risk."""
        if user_id is None:
            return CustomerView(user_id=None, segment="guest", picks=self._picks((), ()))
        if churn_weight is not None:
            try:
                churn_weight = check_weight(churn_weight, "churn_weight")
            except ValueError as exc:
                raise BadInput(str(exc), hint="pass a weight from 0 to 1, or None for the configured one") from None
            if churn_weight == self.config.churn.model_weight:
                churn_weight = None
        if user_id not in self.states:  # never seen: a new shopper, nothing known yet
            return CustomerView(user_id=user_id, segment="new", reasons=("no history yet",), picks=self._picks((), ()))
        state = self.states[user_id]
        views = self._views.setdefault(user_id, {})
        if churn_weight not in views:
            views[churn_weight] = self._build_view(user_id, state, churn_weight)
        return views[churn_weight]

    def _churn_at(self, user_id: str, weight: float | None) -> tuple[float | None, str | None, tuple[str, ...], float | None]:
        """(risk, tier, reasons, clv) at a blend weight; None = the configured blend computed in batch."""
        score = self.scores.get(user_id)
        if score is None:
            return None, None, (), None
        if weight is None:
            return score.risk, score.tier, score.reasons, score.clv
        risk = float(blend(score.model_risk, score.bgnbd_risk, weight))
        tier = self.churn.config.tier(risk)
        reasons = score.reasons
        if tier != score.tier:  # the reasons mention the tier: rebuild them from this customer's features
            row = self.churn.rows([self.states[user_id].history()], self.as_of.toordinal())[0]
            reasons = explain(row, risk, tier)
        return round(risk, 4), tier, reasons, score.clv

    def _top(self, counter: Counter, n: int) -> tuple[str, ...]:
        return tuple(k for k, w in counter.most_common(n) if w > 0)

    def _picks(self, categories: tuple[str, ...], bought) -> tuple[Product, ...]:
        """In-stock products in the customer's categories they do not own yet; else best sellers."""
        pool = [p for c in categories for p in self._in_stock.get(c, ()) if p.id not in bought]
        popular = [self.catalog[p] for p in self.popular if p not in bought]
        picks = list(dict.fromkeys(pool[: self.config.picks] + popular))
        return tuple(picks[: self.config.picks])

    def _build_view(self, user_id: str, state: CustomerState, churn_weight: float | None = None) -> CustomerView:
        categories = self._top(state.categories, 3)
        brands = self._top(state.brands, 2)
        if not state.spend_by_day:
            return CustomerView(user_id=user_id, segment="new", top_categories=categories, top_brands=brands,
                                reasons=("no orders yet",), picks=self._picks(categories, state.bought))
        days = sorted(state.spend_by_day)
        today = self.as_of.toordinal()
        recency, tenure = today - days[-1], today - days[0]
        gaps = sorted(b - a for a, b in zip(days, days[1:]))
        usual_gap = gaps[len(gaps) // 2] if gaps else None
        risk, tier, churn_reasons, clv = self._churn_at(user_id, churn_weight)
        segment, reason = self._segment(len(days), recency, tenure, usual_gap, tier)
        prices = sorted(state.prices)
        band = (prices[len(prices) // 4], prices[(3 * len(prices)) // 4]) if prices else None
        wants_picks = segment in {"new", "at_risk", "lapsed"} or tier == "high"
        return CustomerView(
            user_id=user_id, segment=segment, orders=len(days), days_since_last_order=recency,
            top_categories=categories, top_brands=brands,
            price_band=(round(band[0], 2), round(band[1], 2)) if band else None,
            churn_risk=risk, churn_tier=tier, reasons=merge_reasons(reason, churn_reasons),
            clv_12m=clv, tenure_days=tenure, avg_order_value=round(sum(state.spend_by_day.values()) / len(days), 2),
            picks=self._picks(categories, state.bought) if wants_picks else (),
        )

    def _segment(self, n_orders: int, recency: int, tenure: int, usual_gap: int | None, tier: str | None) -> tuple[str, str]:
        c = self.config
        if recency >= c.lapsed_days:
            return "lapsed", f"no order for {recency} days"
        if tenure <= c.new_days:
            return "new", f"first order {tenure} days ago"
        if tier == "high":
            return "at_risk", "high risk of not ordering again soon"
        if usual_gap and recency > c.at_risk_factor * usual_gap:
            return "at_risk", f"no order for {recency} days, usually orders every {usual_gap} days"
        if n_orders >= c.loyal_orders:
            return "loyal", f"{n_orders} orders, last one {recency} days ago"
        return "active", f"{n_orders} orders, last one {recency} days ago"

    # -- events ---------------------------------------------------------------------------
    def record_event(self, event: dict) -> CustomerView:
        """Apply one order, view or return to one customer's profile and return the new view.

        Raises BadInput (with the reason) for malformed events and UnknownUser for unknown ids;
        a rejected event changes nothing.
        """
        kind, user_id, product, quantity, price, day, order_id = self._validate(event)
        self.register(user_id)  # a new shopper's first event starts their profile
        if kind == "order":
            self._apply_order(user_id, product.id, quantity, price, day, order_id)
        elif kind == "return":
            self._apply_return(user_id, product.id, quantity, day)
        else:
            state = self.states[user_id]
            state.views += 1
            self._add_affinity(state, product.id, self.config.view_weight * self._growth(day))
        if day > self.as_of.toordinal():
            self.as_of = date.fromordinal(day)  # the store clock moves with the newest event
        if kind != "view":
            self._rescore(user_id)
        self._views.pop(user_id, None)
        return self.view(user_id)

    def _validate(self, event: dict):
        if not isinstance(event, dict):
            raise BadInput("an event must be a JSON object", hint='e.g. {"type": "order", "user_id": "C0001", ...}')
        kind = event.get("type")
        if kind not in EVENT_TYPES:
            raise BadInput(f"event type {kind!r} is not one of {', '.join(EVENT_TYPES)}", hint="set type")
        user_id = event.get("user_id")
        if not isinstance(user_id, str) or not user_id:
            raise BadInput("an event needs a user_id", hint="guests have no profile to update")
        state = self.states.get(user_id) or CustomerState(prices=deque(maxlen=self.config.price_items))
        product = self.catalog.get(event.get("product_id")) if isinstance(event.get("product_id"), str) else None
        if product is None:
            raise BadInput(f"unknown product_id {event.get('product_id')!r}", hint="use an id from the catalog")
        quantity = event.get("quantity", 1)
        if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= 1000:
            raise BadInput(f"quantity must be a whole number from 1 to 1000, got {quantity!r}", hint="fix quantity")
        price = event.get("price", product.price)
        if kind == "order":
            if isinstance(price, bool) or not isinstance(price, (int, float)) or not math.isfinite(price) or price < 0:
                raise BadInput(f"price must be a number >= 0, got {price!r}", hint="negative amounts are refunds: send a return event")
        day = self._event_day(event.get("timestamp"))
        order_id = event.get("order_id")
        if kind == "order" and order_id is not None:
            if not isinstance(order_id, str) or order_id in state.order_ids:
                raise BadInput(f"duplicate or invalid order_id {order_id!r}", hint="each order is recorded once")
        if kind == "return" and state.bought[product.id] < quantity:
            raise BadInput(f"{user_id} has not bought {quantity} x {product.id} to return", hint="returns need a matching order")
        return kind, user_id, product, quantity, float(price or 0.0), day, order_id

    def _event_day(self, timestamp) -> int:
        if timestamp is None:
            return max(self.today, self.as_of).toordinal()
        if isinstance(timestamp, datetime):
            day = timestamp.date()
        elif isinstance(timestamp, date):
            day = timestamp
        elif isinstance(timestamp, str):
            try:
                day = datetime.fromisoformat(timestamp.replace("Z", "+00:00")).date()
            except ValueError:
                raise BadInput(f"timestamp {timestamp!r} is not an ISO date", hint="e.g. 2026-11-02T10:15:00Z") from None
        else:
            raise BadInput(f"timestamp {timestamp!r} is not an ISO date", hint="e.g. 2026-11-02T10:15:00Z")
        if day > max(self.today, self.as_of):
            raise BadInput(f"timestamp {day} is in the future", hint="send events when they happen")
        return day.toordinal()

    # -- privacy --------------------------------------------------------------------------
    def export(self, user_id: str) -> dict:
        """Everything held about one customer, for a data-access request (JSON-ready)."""
        state = self._require(user_id)
        account = asdict(self.customers[user_id]) if user_id in self.customers else {}
        if account:
            account["signup_date"] = account["signup_date"].isoformat()
        view = asdict(self.view(user_id))
        view["picks"] = [p["id"] for p in view["picks"]]
        weights = lambda counter: {k: round(v / max(counter.values()), 3) for k, v in counter.most_common() if v > 0} if counter else {}
        return {
            "customer_id": user_id,
            "account": account,
            "profile": view,
            "purchases": [{"date": date.fromordinal(d).isoformat(), "amount": round(a, 2)} for d, a in sorted(state.spend_by_day.items())],
            "products_kept": {p: q for p, q in state.bought.items() if q > 0},
            "returned_units": state.returns,
            "product_views": state.views,
            "affinities": {"categories": weights(state.categories), "brands": weights(state.brands)},
        }

    def forget(self, user_id: str) -> None:
        """Right to be forgotten: drop the customer from memory and from every file we wrote."""
        self._require(user_id)
        for table in (self.customers, self.states, self.scores, self._views):
            table.pop(user_id, None)
        self.report = [line for line in self.report if user_id not in line]
        if self.home is None:
            return
        folder = profiles_dir(self.home)
        folder.mkdir(parents=True, exist_ok=True)
        for model in folder.glob("churn-*.pkl"):  # fitted with this customer's history
            model.unlink()
        with (folder / "forgotten.txt").open("a", encoding="utf-8") as f:
            f.write(hashed(user_id) + "\n")
        snapshot = folder / "profiles.jsonl"
        if snapshot.exists():
            kept = [line for line in snapshot.read_text(encoding="utf-8").splitlines() if json.loads(line)["user_id"] != user_id]
            snapshot.write_text("".join(line + "\n" for line in kept), encoding="utf-8")


def profiles_dir(home: Path) -> Path:
    return home / "profiles"


def forgotten_ids(home: Path | None) -> set[str]:
    path = profiles_dir(home) / "forgotten.txt" if home else None
    return set(path.read_text(encoding="utf-8").split()) if path and path.exists() else set()


def save_profiles(book: ProfileBook, folder: Path) -> Path:
    """Write every customer's view (no contact details) as JSON Lines, for analysts and the API."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "profiles.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for user_id in sorted(book.customers):
            view = asdict(book.view(user_id))
            view["picks"] = [p["id"] for p in view["picks"]]
            f.write(json.dumps(view) + "\n")
    return path


def profile_config(settings) -> ProfileConfig:
    """ProfileConfig from `Settings` (the churn blend weight comes from SHOPASSIST_PERSONALIZATION__CHURN_MODEL_WEIGHT)."""
    return ProfileConfig(churn=ChurnConfig(model_weight=settings.personalization.churn_model_weight))


def load_profile_book(store_dir: Path, catalog: dict[str, Product], *, home: Path | None = None,
                      as_of: date | None = None, config: ProfileConfig = ProfileConfig()) -> ProfileBook:
    """Profiles of the store's customers; ids erased by `forget` (recorded under `home`) stay out."""
    customers = load_customers(store_dir / "customers.csv")
    orders = load_orders(store_dir / "orders.csv")
    erased = forgotten_ids(home)
    keep = [c for c in customers.records if hashed(c.customer_id) not in erased]
    lines = [o for o in orders.records if hashed(o.customer_id) not in erased]
    book = ProfileBook(keep, lines, catalog, as_of=as_of, config=config, home=home)
    book.report = [f"customers.csv {e}" for e in customers.errors] + [f"orders.csv {e}" for e in orders.errors] + book.report
    return book

