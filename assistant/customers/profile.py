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
from a fixed epoch), so adding an event is O(1) and never rescales the others. The book's settings and
per-customer state are in `profile_types`, the checks on an incoming event in `profile_events`, and
what it keeps on disk (cached churn fit, forgotten ids, snapshots) in `profile_files`.
"""

from __future__ import annotations

import threading
from collections import Counter, deque
from dataclasses import asdict
from datetime import date
from pathlib import Path

from assistant.customers.churn import ChurnModel, History, blend, check_weight, explain
from assistant.customers.profile_events import check_event
from assistant.customers.profile_files import erase_from_files, fit_or_load_churn, forgotten_ids, hashed
from assistant.customers.profile_log import ProfileLog
from assistant.customers.profile_types import ChurnScore, CustomerState, ProfileConfig
from assistant.types import CustomerView
from data.errors import BadInput, UnknownUser
from data.load import load_customers, load_orders
from data.schema import Customer, OrderLine, Product

EPOCH = date(2020, 1, 1).toordinal()  # origin of the growth-form affinity weights


def _growth(day: int, half_life: float) -> float:
    return 2.0 ** ((day - EPOCH) / half_life)


def merge_reasons(segment_reason: str, churn_reasons: tuple[str, ...]) -> tuple[str, ...]:
    """Segment reason first unless a churn reason already says it in more detail."""
    if any(r.startswith(segment_reason) for r in churn_reasons):
        return tuple(churn_reasons)
    return (segment_reason, *churn_reasons)


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
        self.log: ProfileLog | None = None  # the shared log of changes, once attached
        self._applied = 0  # id of the last log row applied
        self._log_lock = threading.RLock()
        self.refit_churn()

    def __getstate__(self) -> dict:  # copies (tests, what-if runs) get a lock of their own
        return {**self.__dict__, "_log_lock": None}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._log_lock = threading.RLock()

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
            self.churn = fit_or_load_churn(histories, as_of=self.as_of, config=self.config.churn, home=self.home)
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

    def _rescore(self, user_id: str) -> None:
        history = self.states[user_id].history()
        if self.churn is not None and history.days:
            self.scores[user_id] = self._score([history])[0]
        self._views.pop(user_id, None)

    # -- reading --------------------------------------------------------------------------
    def __contains__(self, user_id: str) -> bool:
        """A customer of the store's file, or a shopper first seen in a chat or an event."""
        self.catch_up()
        return user_id in self.states

    def register(self, user_id: str) -> None:
        """Start a profile for a shopper id the store's files do not know (the OpenAI `user` field is an
        opaque end-user id): a cold start, built up from their events."""
        if user_id not in self.states:
            self.states[user_id] = CustomerState(prices=deque(maxlen=self.config.price_items))

    def _require(self, user_id: str) -> CustomerState:
        self.catch_up()
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
        self.catch_up()  # what other replicas recorded since
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
        """Apply one order, view or return to one customer's profile and return the new view. With a shared
        log attached, the event is stored there first, so every replica (and a restart) sees it.

        Raises BadInput (with the reason) for malformed events and UnknownUser for unknown ids;
        a rejected event changes nothing.
        """
        kind, user_id, product, quantity, price, day, order_id = check_event(
            event, catalog=self.catalog, states=self.states, today=self.today, as_of=self.as_of)
        if self.log is None:
            self._apply_event(kind, user_id, product.id, quantity, price, day, order_id)
        else:
            self.log.append({"customer_id": user_id, "type": kind, "product_id": product.id, "quantity": quantity,
                             "price": price, "day": day, "order_id": order_id})
            self.catch_up()
        return self.view(user_id)

    def _apply_event(self, kind: str, user_id: str, product_id: str, quantity: int, price: float | None, day: int,
                     order_id: str | None) -> None:
        self.register(user_id)  # a new shopper's first event starts their profile
        if kind == "order":
            self._apply_order(user_id, product_id, quantity, price, day, order_id)
        elif kind == "return":
            self._apply_return(user_id, product_id, quantity, day)
        else:
            state = self.states[user_id]
            state.views += 1
            self._add_affinity(state, product_id, self.config.view_weight * self._growth(day))
        if day > self.as_of.toordinal():
            self.as_of = date.fromordinal(day)  # the store clock moves with the newest event
        if kind != "view":
            self._rescore(user_id)
        self._views.pop(user_id, None)

    # -- the shared log ---------------------------------------------------------------------
    def attach(self, log: ProfileLog) -> ProfileBook:
        """Keep this book in step with a log in the database, replaying what it holds now."""
        self.log = log
        self.catch_up()
        return self

    def catch_up(self) -> None:
        """Apply the log's rows this book has not seen: events and erasures made through any replica."""
        if self.log is None:
            return
        with self._log_lock:
            for row in self.log.since(self._applied):
                if row.type == "forget":
                    self._drop(next((u for u in list(self.states) if hashed(u) == row.customer_id), None))
                else:
                    self._apply_event(row.type, row.customer_id, row.product_id, row.quantity or 1, row.price, row.day,
                                      row.order_id)
                self._applied = row.id

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
        """Right to be forgotten: drop the customer from memory, from every file we wrote and from the shared log
        (whose erasure row makes every other replica drop them too)."""
        self._require(user_id)
        if self.log is None:
            self._drop(user_id)
        else:  # the log's erasure row drops them here as on every replica
            self.log.erase(user_id)
            self.catch_up()

    def _drop(self, user_id: str | None) -> None:
        if user_id is None:
            return
        for table in (self.customers, self.states, self.scores, self._views):
            table.pop(user_id, None)
        self.report = [line for line in self.report if user_id not in line]
        if self.home is not None:
            erase_from_files(self.home, user_id)


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

