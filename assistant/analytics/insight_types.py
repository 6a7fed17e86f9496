"""The dashboard's result rows: small frozen dataclasses for each figure of `insights.build_insights`
(days, counts, requests, funnel steps, offers, experiments, totals, sessions per event type) and
`Insights`, the whole page, with `as_dict`, its JSON form."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class DayActivity:
    day: str
    conversations: int = 0  # distinct sessions with a turn that day
    turns: int = 0
    handoffs: int = 0
    zero_results: int = 0
    clicks: int = 0
    carts: int = 0
    orders: int = 0
    thumbs_up: int = 0
    thumbs_down: int = 0
    revenue: float = 0.0  # sum of order amounts

    @property
    def handoff_rate(self) -> float | None:
        return self.handoffs / self.turns if self.turns else None


@dataclass(frozen=True)
class Count:
    label: str
    count: int


@dataclass(frozen=True)
class Request:
    """A shopper request (redacted text, case-folded) and how often it came in the window."""

    text: str
    count: int
    out_of_scope: int = 0  # how many of them the intent model called out of scope
    handoffs: int = 0
    mean_confidence: float | None = None


@dataclass(frozen=True)
class FunnelStep:
    step: str
    sessions: int
    share: float | None  # of the sessions with a turn


@dataclass(frozen=True)
class OfferOutcome:
    """Retention outreach: turns whose prompt allowed a gesture, and who ordered after it."""

    offer: str
    turns: int
    sessions: int
    customers: int
    sessions_ordered: int  # an order in the same session within the attribution window
    customers_ordered: int  # the customer ordered (any session) within the attribution window

    @property
    def session_conversion(self) -> float | None:
        return self.sessions_ordered / self.sessions if self.sessions else None


@dataclass(frozen=True)
class ExperimentSummary:
    name: str
    parameter: str
    metric: str
    status: str
    exposures: tuple[Count, ...]  # sessions per variant, control first
    report: dict | None = None  # assistant.analytics.experiment_report's as_dict(), when it could be computed
    note: str = ""  # why there is no report
    as_of: str = ""  # when the report was computed (an expensive one is refreshed in the background)


@dataclass(frozen=True)
class Totals:
    conversations: int = 0
    turns: int = 0
    customers: int = 0  # distinct pseudonyms that chatted
    handoffs: int = 0
    handoff_sessions: int = 0
    zero_results: int = 0
    shopping_turns: int = 0
    orders: int = 0
    revenue: float = 0.0
    thumbs_up: int = 0
    thumbs_down: int = 0

    @property
    def handoff_rate(self) -> float | None:
        return self.handoffs / self.turns if self.turns else None

    @property
    def handoff_session_rate(self) -> float | None:
        return self.handoff_sessions / self.conversations if self.conversations else None

    @property
    def zero_result_rate(self) -> float | None:
        return self.zero_results / self.shopping_turns if self.shopping_turns else None

    @property
    def thumbs_up_share(self) -> float | None:
        rated = self.thumbs_up + self.thumbs_down
        return self.thumbs_up / rated if rated else None


@dataclass(frozen=True)
class Insights:
    since: str
    until: str
    days: int
    totals: Totals
    daily: tuple[DayActivity, ...]
    intents: tuple[Count, ...]
    unanswered: tuple[Request, ...]  # out of scope or below insights.LOW_CONFIDENCE
    zero_result_queries: tuple[Request, ...]
    funnel: tuple[FunnelStep, ...]
    customer_tiers: tuple[Count, ...]  # every customer in the profile book
    customer_segments: tuple[Count, ...]
    conversation_tiers: tuple[Count, ...]  # conversations in the window, by the tier at the time
    outreach: tuple[OfferOutcome, ...]
    attribution_hours: float
    experiments: tuple[ExperimentSummary, ...]
    timings_ms: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        totals = self.totals
        data["totals"].update(handoff_rate=totals.handoff_rate, handoff_session_rate=totals.handoff_session_rate,
                              zero_result_rate=totals.zero_result_rate, thumbs_up_share=totals.thumbs_up_share)
        for row, day in zip(data["daily"], self.daily):
            row["handoff_rate"] = day.handoff_rate
        for row, offer in zip(data["outreach"], self.outreach):
            row["session_conversion"] = offer.session_conversion
        return data


@dataclass(frozen=True)
class Sessions:
    """Distinct sessions per event type in the window, and for turns their customers, handoffs, tiers."""

    by_type: dict[str, int]
    customers: int = 0
    handoff_sessions: int = 0
    tiers: tuple[Count, ...] = ()
