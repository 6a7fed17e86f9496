"""What the shopper wants, as typed commands: the one language between understanding and the rooms.

    "trail runners but not from Trailform, under $100"
    -> [SearchProducts(product_type="trail runners", category="shoes", price_max=100.0, exclude_brands=("Trailform",))]

Understanding (`assistant/understand/`) reads a message with the session's state and says what the shopper
wants as a list of commands (one message may carry several: "is shipping free and can I pay with PayPal?");
the turn hands each command to the room that answers it. Rooms take commands, never the shopper's text, and
none of them imports `understand/`. Slots are checked against the store before a room sees them (a category,
brand or order id that the store does not have never reaches a room).

`SessionState` is what a turn knows of the conversation so far: the cards shown, the search behind them,
an order change waiting for the shopper's yes, the order talked about.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

Sort = Literal["relevance", "price_asc", "price_desc", "rating"]
Direction = Literal["cheaper", "pricier", "more", "other_brand"]
AskAbout = Literal["attribute", "compare", "best_rated", "cheapest", "priciest", "price", "stock", "details"]
OrderAsks = Literal["status", "date", "items", "return_status"]
ChangeKind = Literal["cancel", "return", "address"]
Problem = Literal["damaged", "wrong_item", "missing"]
Which = Literal["latest", "previous", "this"]
HandoffReason = Literal["person", "money"]


@dataclass(frozen=True)
class SearchProducts:
    """Find products. `words` are the shopper's own product words when the store's types do not name the thing
    (or add to it: "for the alps"); `product_type` and `category` are the store's own names."""

    words: str = ""
    category: str | None = None
    product_type: str | None = None
    price_min: float | None = None
    price_max: float | None = None
    price_around: float | None = None  # "about 50 bucks": the room decides how far around
    brands: tuple[str, ...] = ()
    exclude_brands: tuple[str, ...] = ()
    attributes: tuple[str, ...] = ()  # colour, material, feature words ("navy", "noise cancellation")
    in_stock: bool = False
    sort: Sort = "relevance"

    @property
    def text(self) -> str:
        """What retrieval matches by meaning and keywords: the type, the shopper's words and the attributes."""
        parts = [self.product_type or "", self.words, *self.attributes]
        text = " ".join(dict.fromkeys(p for p in parts if p))
        return text or (self.category or "")


@dataclass(frozen=True)
class Refine:
    """Change the last search: cheaper or pricier than what was shown, more of the same, another brand, or
    narrower ("in navy?", "under 70", "only Northpeak", "big enough for two")."""

    direction: Direction | None = None
    words: str = ""
    price_min: float | None = None
    price_max: float | None = None
    price_around: float | None = None
    brands: tuple[str, ...] = ()
    exclude_brands: tuple[str, ...] = ()
    attributes: tuple[str, ...] = ()
    in_stock: bool = False
    sort: Sort = "relevance"


@dataclass(frozen=True)
class AskShown:
    """A question about the products just shown. `refs` are 1-based card positions (-1: the last card); none
    means the one talked about, or all of them for `compare`, `best_rated`, `cheapest`, `priciest`."""

    about: tuple[AskAbout, ...] = ("details",)
    refs: tuple[int, ...] = ()
    attributes: tuple[str, ...] = ()  # the feature asked about ("microphone", "non-stick")


@dataclass(frozen=True)
class Recommend:
    """Suggestions for this shopper, with no particular thing named ("what would you recommend for me?")."""


@dataclass(frozen=True)
class OrderRef:
    """Which of the shopper's orders: its id, an item in it ("the order with the blender"), or by position."""

    order_id: str | None = None
    item: str | None = None
    which: Which = "latest"
    email: str | None = None  # a guest proves an order with its id and the order's e-mail


@dataclass(frozen=True)
class OrderStatus:
    order: OrderRef = field(default_factory=OrderRef)
    asks: OrderAsks = "status"


@dataclass(frozen=True)
class OrderChange:
    """Cancel, return or send an order elsewhere. Never done on this command alone: the order desk names the
    order and asks, and only a `Confirm` to that question carries it out."""

    kind: ChangeKind
    order: OrderRef = field(default_factory=OrderRef)
    new_address: str | None = None


@dataclass(frozen=True)
class OrderIssue:
    """Something is wrong with what arrived ("the blender arrived broken")."""

    problem: Problem = "damaged"
    order: OrderRef = field(default_factory=OrderRef)


@dataclass(frozen=True)
class Confirm:
    """Yes to the question the assistant asked (go ahead with the pending change)."""


@dataclass(frozen=True)
class Deny:
    """No to the question the assistant asked ("wait", "don't cancel it", "I'll keep it")."""


@dataclass(frozen=True)
class Policy:
    """A question the store's policies answer; `question` is the shopper's message, to find the sentence."""

    topics: tuple[str, ...] = ()
    question: str = ""


@dataclass(frozen=True)
class Handoff:
    reason: HandoffReason = "person"


@dataclass(frozen=True)
class Greet:
    pass


@dataclass(frozen=True)
class Thanks:
    pass


@dataclass(frozen=True)
class Bye:
    pass


@dataclass(frozen=True)
class OutOfScope:
    pass


@dataclass(frozen=True)
class Clarify:
    """The message could not be understood: ask the shopper what they mean."""

    question: str = ""


Command = (SearchProducts | Refine | AskShown | Recommend | OrderStatus | OrderChange | OrderIssue | Confirm | Deny
           | Policy | Handoff | Greet | Thanks | Bye | OutOfScope | Clarify)
ORDER_COMMANDS = (OrderStatus, OrderChange, OrderIssue)
SHOPPING_COMMANDS = (SearchProducts, Refine, AskShown, Recommend)


# -- the session's state ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PendingChange:
    """An order change the assistant asked about and the shopper has not answered yet."""

    kind: ChangeKind
    order_id: str
    new_address: str | None = None
    turns_left: int = 3  # a question left unanswered this many turns expires: a later "yes" changes nothing


@dataclass(frozen=True)
class SessionState:
    shown: tuple[str, ...] = ()  # product ids of the cards shown last, in order
    last_search: SearchProducts | None = None  # the search behind them
    pending: PendingChange | None = None
    order_id: str | None = None  # the order talked about last ("cancel it")
    verified: dict | None = None  # a guest who proved an order: {"customer_id", "order_id"}
    offered: bool = False  # the retention gesture was made in this session
    focus: str | None = None  # the product a question was last about ("is it in stock?")

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> SessionState:
        """From a stored reply's `state` (unknown keys are ignored, so older sessions still load)."""
        data = data or {}
        search = data.get("last_search")
        pending = data.get("pending")
        return cls(shown=tuple(data.get("shown") or ()),
                   last_search=_build(SearchProducts, search) if search else None,
                   pending=_build(PendingChange, pending) if pending and pending.get("order_id") else None,
                   order_id=data.get("order_id"), verified=data.get("verified"), offered=bool(data.get("offered")),
                   focus=data.get("focus"))

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"shown": list(self.shown), "offered": self.offered}
        if self.last_search is not None:
            data["last_search"] = asdict(self.last_search)
        if self.pending is not None:
            data["pending"] = asdict(self.pending)
        if self.order_id:
            data["order_id"] = self.order_id
        if self.verified:
            data["verified"] = self.verified
        if self.focus:
            data["focus"] = self.focus
        return data


def _build(cls, data: dict[str, Any]):
    """A dataclass from its dict form: lists back to tuples, unknown keys dropped."""
    names = {f.name for f in fields(cls)}
    return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items() if k in names})
