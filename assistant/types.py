"""A chat turn as data: frozen dataclasses passed from stage to stage.

Intent -> list[Hit] -> CustomerView -> Prompt -> tokens; the turn service streams IntentDetected,
Products and Token events to every front end (`assistant/turn.py` adds Accepted and Finished).
Pydantic lives only at the HTTP edge (ui/); these stay plain and cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from data.schema import Product
from retrieval.types import Hit

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class Message:
    role: Role
    content: str


@dataclass(frozen=True)
class Intent:
    label: str
    confidence: float
    abstained: bool = False  # True when the detector fell back to out_of_scope
    scores: tuple[tuple[str, float], ...] = ()  # top labels with probabilities, best first


@dataclass(frozen=True)
class CustomerView:
    """What the prompt may know about a customer: compact, no contact details or raw orders."""

    user_id: str | None
    segment: str  # guest, new, active, loyal, at_risk, lapsed
    orders: int = 0
    days_since_last_order: int | None = None
    top_categories: tuple[str, ...] = ()
    top_brands: tuple[str, ...] = ()
    price_band: tuple[float, float] | None = None
    churn_risk: float | None = None  # probability of no purchase in the next period
    churn_tier: str | None = None  # low / medium / high
    reasons: tuple[str, ...] = ()
    clv_12m: float | None = None  # expected spend in the next 12 months (BG/NBD x Gamma-Gamma)
    tenure_days: int | None = None  # days since the first order
    avg_order_value: float | None = None
    picks: tuple[Product, ...] = ()  # in-stock suggestions: popular picks (new) or unowned favourites (at risk)


@dataclass(frozen=True)
class Prompt:
    messages: tuple[Message, ...]
    template: str  # name@version of the template, logged with each turn
    max_new_tokens: int | None = None  # a shorter cap than the model setting, e.g. for checked drafts
    repetition_penalty: float | None = None  # None = the model setting; 1.0 for drafts that must copy names from the facts


# Events streamed by the turn service; the CLI, Gradio, the widget and the HTTP API render one stream.
@dataclass(frozen=True)
class IntentDetected:
    intent: Intent


@dataclass(frozen=True)
class Products:
    hits: tuple[Hit, ...]


@dataclass(frozen=True)
class Token:
    text: str

