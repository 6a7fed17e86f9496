"""Every slot checked against the store before a room sees it.

    checked = validate(commands, state, names)      # Checked(commands=[...], problems=[...])

A category, product type, brand or policy topic is snapped to the store's own spelling or left out (a
product type the store does not have becomes the shopper's words, so the search can say plainly that it
is not carried); prices are put in order; card numbers must point at a card shown; a yes or no with no
question waiting is a thank-you; a refinement with no search behind it becomes a search of its own. A
turn whose commands say nothing a room can act on (no command, a search for nothing) is a problem:
understanding then asks again, and in the end asks the shopper.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace

from assistant.commands import (
    AskShown,
    Command,
    Confirm,
    Deny,
    OrderChange,
    OrderIssue,
    OrderStatus,
    Policy,
    Refine,
    SearchProducts,
    SessionState,
    Thanks,
)


@dataclass(frozen=True)
class StoreNames:
    """The names a command may use: the store's product types (with their category), categories, brands and
    policy topics."""

    types: Mapping[str, str]  # product type (lower case) -> its category
    categories: tuple[str, ...]
    brands: tuple[str, ...]
    topics: tuple[str, ...]

    @classmethod
    def of(cls, products: Iterable, topics: Iterable[str]) -> StoreNames:
        from retrieval.constraints import product_type

        types: dict[str, str] = {}
        categories, brands = set(), set()
        for p in products:
            if p.category:
                categories.add(p.category)
                types.setdefault(product_type(p).lower(), p.category)
            if p.brand:
                brands.add(p.brand)
        return cls(types, tuple(sorted(categories)), tuple(sorted(brands)), tuple(sorted(topics)))

    def brand(self, said: str) -> str | None:
        return _closest(said, self.brands)

    def category(self, said: str | None) -> str | None:
        return _closest(said, self.categories, cutoff=0.9) if said else None

    def product_type(self, said: str | None) -> str | None:
        return _closest(said, tuple(self.types), cutoff=0.9) if said else None


def _item(said: str | None) -> str | None:
    """Item words as an order line holds them: "windbreaker's" is the windbreaker."""
    if not said:
        return None
    words = [w[:-2] if w.endswith(("'s", "’s")) else w for w in said.lower().split()]
    return " ".join(words) or None


def _closest(said: str, options: tuple[str, ...], cutoff: float = 0.8) -> str | None:
    """The store's spelling of a name the shopper (or the model) wrote, allowing a typo."""
    low = said.lower().strip()
    by_low = {o.lower(): o for o in options}
    if low in by_low:
        return by_low[low]
    close = difflib.get_close_matches(low, list(by_low), n=1, cutoff=cutoff)
    return by_low[close[0]] if close else None


@dataclass
class Checked:
    commands: list[Command]
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.commands) and not self.problems


def validate(commands: list[Command], state: SessionState, names: StoreNames) -> Checked:
    checked = Checked([])
    for command in commands:
        fixed = _one(command, state, names, checked.problems)
        if fixed is not None and fixed not in checked.commands:
            checked.commands.append(fixed)
    if not checked.commands:
        checked.problems.append("no command")
    return checked


def _filters(command: SearchProducts | Refine, names: StoreNames):
    brands = tuple(dict.fromkeys(b for b in (names.brand(x) for x in command.brands) if b))
    unknown = [x for x in command.brands if not names.brand(x)]
    excluded = tuple(dict.fromkeys(b for b in (names.brand(x) for x in command.exclude_brands) if b and b not in brands))
    low, high = command.price_min, command.price_max
    if low is not None and high is not None and low > high:
        low, high = high, low
    prices = {k: v if v is None or v >= 0 else None for k, v in (("price_min", low), ("price_max", high),
                                                                  ("price_around", command.price_around))}
    attributes = tuple(dict.fromkeys(a.lower().strip() for a in command.attributes if a.strip()))
    words = " ".join([command.words, *unknown]).strip()  # a brand the store does not have is searched as words
    return replace(command, brands=brands, exclude_brands=excluded, attributes=attributes, words=words, **prices)


def _one(command: Command, state: SessionState, names: StoreNames, problems: list[str]) -> Command | None:
    if isinstance(command, SearchProducts):
        command = _filters(command, names)
        kind = names.product_type(command.product_type)
        words = command.words
        if command.product_type and kind is None:
            words = " ".join([command.product_type, words]).strip()
        category = names.types[kind] if kind else names.category(command.category)
        command = replace(command, product_type=kind, category=category, words=words)
        if not (command.text or command.brands or command.price_max or command.price_min or command.price_around):
            problems.append("a search for nothing")
        return command
    if isinstance(command, Refine):
        command = _filters(command, names)
        if state.last_search is None and not state.shown:
            as_search = {f.name: getattr(command, f.name) for f in fields(Refine) if f.name != "direction"}
            return _one(SearchProducts(**as_search), state, names, problems) if any(
                v for k, v in as_search.items() if k != "sort") else None
        return command
    if isinstance(command, AskShown):
        shown = len(state.shown)
        refs = tuple(r for r in command.refs if (1 <= r <= shown) or (r == -1 and shown))
        return replace(command, refs=refs if shown else command.refs,
                       attributes=tuple(a.lower().strip() for a in command.attributes if a.strip()))
    if isinstance(command, (OrderStatus, OrderChange, OrderIssue)):
        ref = command.order
        ref = replace(ref, order_id=ref.order_id.upper() if ref.order_id else None,
                      item=_item(ref.item), email=ref.email.strip() if ref.email else None,
                      which=ref.which if ref.which != "this" or state.order_id else "latest")
        return replace(command, order=ref)
    if isinstance(command, (Confirm, Deny)):
        return command if state.pending is not None else Thanks()
    if isinstance(command, Policy):
        topics = tuple(t for t in (_closest(t, names.topics, 0.9) for t in command.topics) if t)
        return replace(command, topics=topics)
    return command
