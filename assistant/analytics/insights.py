"""The staff dashboard's numbers: SQL aggregations over the analytics event log, nothing else.

    insights = build_insights(log, days=30, profiles=book, experiments=book_of_experiments)
    insights.totals.conversations, insights.intents[:3], insights.as_dict()

Every figure is a GROUP BY on indexed columns (``day, type``; ``type, intent``; ``session_id``;
``customer``) inside the window of the last ``days`` UTC days, so a page costs a few small
result sets, never the raw rows. Rows come back as small frozen dataclasses; ``as_dict`` is the
JSON form served at ``/admin/data.json`` (those dataclasses are in ``insight_types``). Funnel counts
are distinct sessions that had each kind of event inside the window (not a strict sequence).
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from assistant.analytics.insight_types import (
    Count,
    DayActivity,
    ExperimentSummary,
    FunnelStep,
    Insights,
    OfferOutcome,
    Request,
    Sessions,
    Totals,
)
from assistant.intents import OUT_OF_SCOPE, SHOPPING_INTENTS

logger = logging.getLogger(__name__)

LOW_CONFIDENCE = 0.5  # an intent below this probability counts as "not understood" on the dashboard
TOP_REQUESTS = 10
FUNNEL = ("turn", "click", "add_to_cart", "order")
TIERS = ("low", "medium", "high", "unscored")
REPORT_REFRESH_S = 60.0  # an expensive experiment report is recomputed (in the background) at most this often
REPORT_CHEAP_S = 0.25  # reports cheaper than this are always recomputed when their data changed


@dataclass(frozen=True)
class Window:
    """The last `days` UTC days (ISO dates, both ends included) and how to read them.

    `scan` is the access path: SQLite without statistics tends to pick the (type, intent) index
    and then read every turn ever recorded; for a window holding most of the table a plain scan
    is cheapest, for a narrow one the (day, type) index is. Wrapping a column in COALESCE keeps
    the planner off the indexes on it (same meaning, as both columns are NOT NULL).
    """

    since: str
    until: str
    scan: bool = False

    def col(self, e, name: str):
        """A column to filter or group on: wrapped when scanning, so no index is walked for its order."""
        from sqlalchemy import func

        return func.coalesce(e.c[name], "") if self.scan else e.c[name]

    def where(self, e, kind: str | None = None):
        from sqlalchemy import func

        condition = self.col(e, "day").between(self.since, self.until)
        return condition & (func.coalesce(e.c.type, "") == kind) if kind else condition


def window(log, days: int, today: date | None = None) -> Window:
    """The window of the last `days` days (today included), with its access path chosen."""
    from sqlalchemy import func, select

    if not 1 <= days <= 3660:
        raise ValueError("days must be from 1 to 3660")
    today = today or datetime.now(UTC).date()
    since, until = (today - timedelta(days=days - 1)).isoformat(), today.isoformat()
    e = log.events_t
    with log.engine.connect() as conn:
        total = conn.scalar(select(func.max(e.c.id))) or 0  # about the row count, without counting
        inside = conn.scalar(select(func.count()).where(e.c.day.between(since, until))) if total else 0  # index only
    return Window(since, until, scan=inside > 0.3 * total)


def _flag(column):
    """1 where a boolean column is true (portable SUM over SQLite's 0/1 and real booleans)."""
    from sqlalchemy import case

    return case((column.is_(True), 1), else_=0)


def daily_activity(log, w: Window) -> tuple[DayActivity, ...]:
    """One row per day of the window (zeros where nothing happened), from one GROUP BY day, type."""
    from sqlalchemy import case, func, select

    e = log.events_t
    day, kind = w.col(e, "day"), w.col(e, "type")
    query = (select(day, kind, func.count(), func.count(func.distinct(e.c.session_id)),
                    func.sum(_flag(e.c.handoff)), func.sum(_flag(e.c.zero_result)),
                    func.sum(case((e.c.value > 0, 1), else_=0)), func.sum(case((e.c.value < 0, 1), else_=0)),
                    func.sum(e.c.value))
             .where(w.where(e)).group_by(day, kind))
    days: dict[str, dict[str, float]] = {}
    with log.engine.connect() as conn:
        for day, kind, n, sessions, handoffs, zero, up, down, value in conn.execute(query):
            row = days.setdefault(day, {})
            if kind == "turn":
                row.update(turns=n, conversations=sessions, handoffs=int(handoffs or 0), zero_results=int(zero or 0))
            elif kind == "click":
                row["clicks"] = n
            elif kind == "add_to_cart":
                row["carts"] = n
            elif kind == "order":
                row.update(orders=n, revenue=float(value or 0.0))
            elif kind == "rating":
                row.update(thumbs_up=int(up or 0), thumbs_down=int(down or 0))
    first, last = date.fromisoformat(w.since), date.fromisoformat(w.until)
    out = []
    for offset in range((last - first).days + 1):
        day = (first + timedelta(days=offset)).isoformat()
        out.append(DayActivity(day, **days.get(day, {})))
    return tuple(out)


def session_counts(log, w: Window) -> Sessions:
    """One pass: rows folded to one per (type, session) inside SQL, then counted per type."""
    from sqlalchemy import case, func, select

    e = log.events_t
    kind, session = w.col(e, "type"), func.coalesce(e.c.session_id, "")  # never walk ix_events_session: all of history
    per_session = (select(kind.label("type"), func.max(e.c.customer).label("customer"),
                          func.max(_flag(e.c.handoff)).label("handoff"), func.max(e.c.churn_tier).label("tier"))
                   .where(w.where(e), session != "").group_by(kind, session).subquery())
    s = per_session.c
    query = select(s.type, func.count(), func.count(func.distinct(s.customer)), func.sum(s.handoff),
                   *(func.sum(case((s.tier == tier, 1), else_=0)) for tier in TIERS[:-1])).group_by(s.type)
    by_type, out = {}, Sessions({})
    with log.engine.connect() as conn:
        for kind, n, customers, handoffs, *tiers in conn.execute(query):
            by_type[kind] = int(n)
            if kind == "turn":
                tiers = [int(t or 0) for t in tiers]
                out = Sessions({}, int(customers), int(handoffs or 0),
                               tuple(Count(t, c) for t, c in zip(TIERS, [*tiers, int(n) - sum(tiers)])))
    return Sessions(by_type, out.customers, out.handoff_sessions, out.tiers or tuple(Count(t, 0) for t in TIERS))


def totals(daily: tuple[DayActivity, ...], sessions: Sessions, intents: tuple[Count, ...]) -> Totals:
    """Window totals: sums of the days, distinct counts (conversations, customers) from SQL."""
    return Totals(conversations=sessions.by_type.get("turn", 0), turns=sum(d.turns for d in daily),
                  customers=sessions.customers, handoffs=sum(d.handoffs for d in daily),
                  handoff_sessions=sessions.handoff_sessions,
                  zero_results=sum(d.zero_results for d in daily),
                  shopping_turns=sum(c.count for c in intents if c.label in SHOPPING_INTENTS),
                  orders=sum(d.orders for d in daily), revenue=round(sum(d.revenue for d in daily), 2),
                  thumbs_up=sum(d.thumbs_up for d in daily), thumbs_down=sum(d.thumbs_down for d in daily))


def funnel(sessions: Sessions) -> tuple[FunnelStep, ...]:
    base = sessions.by_type.get("turn", 0)
    return tuple(FunnelStep(step, n, n / base if base else None) for step in FUNNEL for n in [sessions.by_type.get(step, 0)])


def intent_mix(log, w: Window) -> tuple[Count, ...]:
    from sqlalchemy import func, select

    e = log.events_t
    n = func.count().label("n")
    intent = w.col(e, "intent")
    query = select(intent, n).where(w.where(e, "turn")).group_by(intent).order_by(n.desc(), intent)
    with log.engine.connect() as conn:
        return tuple(Count(intent or "unknown", int(count)) for intent, count in conn.execute(query))


def top_requests(log, w: Window, *, which: str, limit: int = TOP_REQUESTS) -> tuple[Request, ...]:
    """The most frequent request texts that were out of scope / not understood ("unanswered") or
    shopping searches that found nothing ("zero_result")."""
    from sqlalchemy import case, func, or_, select

    e = log.events_t
    if which == "unanswered":
        condition = or_(e.c.intent == OUT_OF_SCOPE, e.c.confidence < LOW_CONFIDENCE)
    elif which == "zero_result":
        condition = e.c.zero_result.is_(True)
    else:
        raise ValueError(f"unknown request list {which!r}")
    text = func.lower(func.trim(e.c.query)).label("text")
    n = func.count().label("n")
    query = (select(text, n, func.sum(case((e.c.intent == OUT_OF_SCOPE, 1), else_=0)), func.sum(_flag(e.c.handoff)),
                    func.avg(e.c.confidence))
             .where(w.where(e, "turn"), condition, e.c.query.is_not(None), e.c.query != "")
             .group_by(text).order_by(n.desc(), text).limit(limit))
    with log.engine.connect() as conn:
        return tuple(Request(t, int(c), int(oos or 0), int(h or 0), None if conf is None else round(float(conf), 3))
                     for t, c, oos, h, conf in conn.execute(query))


def customer_mix(profiles) -> tuple[tuple[Count, ...], tuple[Count, ...]]:
    """Churn tiers and segments of every customer in the profile book (views are cached there)."""
    tiers, segments = Counter(), Counter()
    for user_id in list(getattr(profiles, "customers", ()) or ()):
        try:
            view = profiles.view(user_id)
        except Exception:  # a customer forgotten meanwhile
            continue
        tiers[view.churn_tier if view.churn_tier in TIERS else "unscored"] += 1
        segments[view.segment] += 1
    return (tuple(Count(t, tiers[t]) for t in TIERS),
            tuple(Count(s, n) for s, n in sorted(segments.items(), key=lambda kv: (-kv[1], kv[0]))))


def outreach(log, w: Window, *, attribution_hours: float) -> tuple[OfferOutcome, ...]:
    """Per offer: the turns, sessions and customers it was allowed for, and who ordered within the
    attribution window after the session's first such turn. Two queries: offered sessions (one row
    each, a small share of turns) and the window's orders (fewer still); matched in Python."""
    from bisect import bisect_left

    from sqlalchemy import func, select

    e = log.events_t
    offer, session = w.col(e, "offer"), w.col(e, "session_id")
    offered = (select(offer, session, func.max(e.c.customer), func.min(e.c.ts), func.count())
               .where(w.where(e, "turn"), e.c.offer.is_not(None)).group_by(offer, session))
    last_day = (date.fromisoformat(w.until) + timedelta(days=int(attribution_hours // 24) + 1)).isoformat()
    orders = select(e.c.session_id, e.c.customer, e.c.ts).where(e.c.day.between(w.since, last_day), e.c.type == "order")
    by_session: dict[str, list[str]] = {}
    by_customer: dict[str, list[str]] = {}
    with log.engine.connect() as conn:
        for session_id, customer, ts in conn.execute(orders):
            if session_id:
                by_session.setdefault(session_id, []).append(ts)
            if customer:
                by_customer.setdefault(customer, []).append(ts)
        rows = conn.execute(offered).all()
    for stamps in (*by_session.values(), *by_customer.values()):
        stamps.sort()  # ISO stamps in UTC with a fixed format sort as times

    horizon = timedelta(hours=attribution_hours)

    def ordered_after(stamps: list[str] | None, start: str) -> bool:
        if not stamps:
            return False
        i = bisect_left(stamps, start)
        return i < len(stamps) and datetime.fromisoformat(stamps[i]) - datetime.fromisoformat(start) <= horizon

    acc: dict[str, dict] = {}
    for offer, session_id, customer, first_ts, turns in rows:
        a = acc.setdefault(offer, {"turns": 0, "sessions": 0, "customers": set(), "sessions_ordered": 0,
                                   "customers_ordered": set()})
        a["turns"] += int(turns)
        a["sessions"] += 1
        a["sessions_ordered"] += ordered_after(by_session.get(session_id), first_ts)
        if customer:
            a["customers"].add(customer)
            if ordered_after(by_customer.get(customer), first_ts):
                a["customers_ordered"].add(customer)
    return tuple(OfferOutcome(offer, a["turns"], a["sessions"], len(a["customers"]), a["sessions_ordered"],
                              len(a["customers_ordered"]))
                 for offer, a in sorted(acc.items(), key=lambda kv: (-kv[1]["sessions"], kv[0])))


_REPORTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # log -> {experiment: cached report}
_REPORTS_LOCK = threading.Lock()
_REFRESHING: set[tuple[int, str]] = set()  # (id(log), experiment) being recomputed in the background


@dataclass(frozen=True)
class _Cached:
    version: tuple  # (latest event id, exposures per variant) when computed
    definition: str  # repr of the Experiment: an edited file invalidates the entry
    at: float  # time.monotonic() when computed
    cost_s: float
    as_of: str
    report: dict | None
    note: str


def _compute_report(log, experiment, version: tuple) -> _Cached:
    start = time.perf_counter()
    try:
        from assistant.analytics.experiment_report import report_experiment
    except ImportError:
        report, note = None, "report unavailable"
    else:
        try:
            report, note = report_experiment(log, experiment).as_dict(), ""
        except Exception:  # one broken report must not take the dashboard down
            logger.exception("report for experiment %s failed", experiment.name)
            report, note = None, "report failed (see the server log)"
    fresh = _Cached(version, repr(experiment), time.monotonic(), time.perf_counter() - start,
                    datetime.now(UTC).strftime("%H:%M:%S UTC"), report, note)
    with _REPORTS_LOCK:
        _REPORTS.setdefault(log, {})[experiment.name] = fresh
        _REFRESHING.discard((id(log), experiment.name))
    return fresh


def _report(log, experiment, version: tuple) -> _Cached:
    """The experiment's report: computed on first sight and whenever its data changed. An
    expensive one (over REPORT_CHEAP_S) is not waited for again: the last result is served while
    a background thread recomputes it, at most every REPORT_REFRESH_S."""
    with _REPORTS_LOCK:
        cached = _REPORTS.setdefault(log, {}).get(experiment.name)
    if not cached or cached.definition != repr(experiment):
        return _compute_report(log, experiment, version)
    if cached.version == version:
        return cached
    if cached.cost_s <= REPORT_CHEAP_S:
        return _compute_report(log, experiment, version)
    key = (id(log), experiment.name)
    with _REPORTS_LOCK:
        due = time.monotonic() - cached.at >= REPORT_REFRESH_S and key not in _REFRESHING
        if due:
            _REFRESHING.add(key)
    if due:
        threading.Thread(target=_compute_report, args=(log, experiment, version), daemon=True,
                         name=f"report-{experiment.name}").start()
    return cached


def experiment_summaries(log, experiments) -> tuple[ExperimentSummary, ...]:
    """Every experiment in the book, running first: sessions exposed per variant and its report."""
    from sqlalchemy import func, select

    book = getattr(experiments, "experiments", experiments) or {}
    x, e = log.exposures_t, log.events_t
    out = []
    with log.engine.connect() as conn:
        latest = conn.scalar(select(func.max(e.c.id)))
        for experiment in sorted(book.values(), key=lambda ex: (ex.status != "running", ex.name)):
            seen = dict(conn.execute(select(x.c.variant, func.count()).where(x.c.experiment == experiment.name)
                                     .group_by(x.c.variant)).all())
            exposures = tuple(Count(v.name, int(seen.get(v.name, 0))) for v in experiment.variants)
            cached = _report(log, experiment, (latest, tuple(sorted(seen.items()))))
            out.append(ExperimentSummary(experiment.name, experiment.parameter, experiment.metric, experiment.status,
                                         exposures, cached.report, cached.note, cached.as_of))
    return tuple(out)


def build_insights(log, *, days: int = 30, profiles=None, experiments=None, attribution_hours: float | None = None,
                   today: date | None = None) -> Insights:
    """All of the dashboard's numbers for the last `days` days, with how long each part took."""
    timings: dict[str, float] = {}

    def timed(name, fn, *args, **kwargs):
        start = time.perf_counter()
        result = fn(*args, **kwargs)
        timings[name] = round((time.perf_counter() - start) * 1000, 1)
        return result

    w = timed("window", window, log, days, today)
    hours = attribution_hours if attribution_hours is not None else log.attribution.total_seconds() / 3600
    daily = timed("daily", daily_activity, log, w)
    sessions = timed("sessions", session_counts, log, w)
    intents = timed("intents", intent_mix, log, w)
    tiers, segments = timed("customers", customer_mix, profiles) if profiles is not None else ((), ())
    return Insights(
        since=w.since, until=w.until, days=days, totals=totals(daily, sessions, intents), daily=daily, intents=intents,
        unanswered=timed("unanswered", top_requests, log, w, which="unanswered"),
        zero_result_queries=timed("zero_result", top_requests, log, w, which="zero_result"),
        funnel=funnel(sessions), customer_tiers=tiers, customer_segments=segments,
        conversation_tiers=sessions.tiers,
        outreach=timed("outreach", outreach, log, w, attribution_hours=hours), attribution_hours=hours,
        experiments=timed("experiments", experiment_summaries, log, experiments) if experiments is not None else (),
        timings_ms=timings)
