"""What the profile book is made of: its settings (`ProfileConfig`, and `profile_config` from `Settings`),
one customer's kept state (`CustomerState`) and one customer's churn figures (`ChurnScore`)."""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from typing import NamedTuple

from assistant.customers.churn import ChurnConfig, History


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


def profile_config(settings) -> ProfileConfig:
    """ProfileConfig from `Settings` (the churn blend weight comes from SHOPASSIST_PERSONALIZATION__CHURN_MODEL_WEIGHT)."""
    return ProfileConfig(churn=ChurnConfig(model_weight=settings.personalization.churn_model_weight))


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
