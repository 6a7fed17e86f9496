"""The command language the tuned model writes: one command per line, `kind key=value ...`.

    search type="trail runners" cat=shoes not_brand=Trailform max=100
    policy topic=shipping topic=payment_methods

Keys come in a fixed order and list slots repeat their key, so every command has exactly one spelling
(`format_commands(parse_commands(text)) == text` for text the formatter wrote): the model learns one form,
and the grammar that constrains its decoding (`grammar.py`) can follow the same order. A value is a bare
token, or double-quoted when it holds anything else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from assistant.commands import (
    AskShown,
    Bye,
    Clarify,
    Command,
    Confirm,
    Deny,
    Greet,
    Handoff,
    OrderChange,
    OrderIssue,
    OrderRef,
    OrderStatus,
    OutOfScope,
    Policy,
    Recommend,
    Refine,
    SearchProducts,
    Thanks,
)

BARE = re.compile(r"[A-Za-z0-9_.@+-]+")
_PAIR = re.compile(r'\s*([a-z_]+)=(?:"([^"\n]*)"|([^\s"]+))')


class CommandSyntaxError(ValueError):
    """The text is not a command of the language (the model's output is then retried, or replaced)."""


@dataclass(frozen=True)
class Slot:
    key: str  # as written in the language
    field: str  # the dataclass field ("order.item" reaches into the OrderRef)
    kind: str  # text, number, flag, many (a tuple of texts), refs (a tuple of ints)
    default: Any = None


_PRICE = (Slot("min", "price_min", "number"), Slot("max", "price_max", "number"), Slot("around", "price_around", "number"))
_FILTERS = (Slot("brand", "brands", "many", ()), Slot("not_brand", "exclude_brands", "many", ()),
            Slot("attr", "attributes", "many", ()), *_PRICE, Slot("stock", "in_stock", "flag", False),
            Slot("sort", "sort", "text", "relevance"))
_ORDER = (Slot("id", "order.order_id", "text"), Slot("email", "order.email", "text"), Slot("item", "order.item", "text"),
          Slot("which", "order.which", "text", "latest"))
# kind -> (class, slots in their one order)
SPEC: dict[str, tuple[type, tuple[Slot, ...]]] = {
    "search": (SearchProducts, (Slot("type", "product_type", "text"), Slot("cat", "category", "text"),
                                Slot("words", "words", "text", ""), *_FILTERS)),
    "refine": (Refine, (Slot("dir", "direction", "text"), Slot("words", "words", "text", ""), *_FILTERS)),
    "ask": (AskShown, (Slot("about", "about", "many", ("details",)), Slot("ref", "refs", "refs", ()),
                       Slot("attr", "attributes", "many", ()))),
    "recommend": (Recommend, ()),
    "order_status": (OrderStatus, (*_ORDER, Slot("asks", "asks", "text", "status"))),
    "order_change": (OrderChange, (Slot("kind", "kind", "text"), *_ORDER, Slot("address", "new_address", "text"))),
    "order_issue": (OrderIssue, (Slot("problem", "problem", "text", "damaged"), *_ORDER)),
    "confirm": (Confirm, ()),
    "deny": (Deny, ()),
    "policy": (Policy, (Slot("topic", "topics", "many", ()),)),
    "handoff": (Handoff, (Slot("reason", "reason", "text", "person"),)),
    "greet": (Greet, ()),
    "thanks": (Thanks, ()),
    "bye": (Bye, ()),
    "out_of_scope": (OutOfScope, ()),
    "clarify": (Clarify, ()),
}
KIND_OF: dict[type, str] = {cls: kind for kind, (cls, _) in SPEC.items()}
# What a slot may hold, where the language itself fixes it (the store's names are checked in validate.py).
CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("refine", "dir"): ("cheaper", "pricier", "more", "other_brand"),
    ("search", "sort"): ("price_asc", "price_desc", "rating"),
    ("refine", "sort"): ("price_asc", "price_desc", "rating"),
    ("ask", "about"): ("attribute", "compare", "best_rated", "cheapest", "priciest", "price", "stock", "details"),
    ("order_status", "asks"): ("date", "items", "return_status"),
    ("order_change", "kind"): ("cancel", "return", "address"),
    ("order_issue", "problem"): ("wrong_item", "missing"),
    ("handoff", "reason"): ("money",),
    **{(kind, "which"): ("previous", "this") for kind in ("order_status", "order_change", "order_issue")},
}


def kind_of(command: Command) -> str:
    return KIND_OF[type(command)]


def quote(value: str) -> str:
    value = " ".join(str(value).replace('"', "'").split())
    return value if BARE.fullmatch(value) else f'"{value}"'


def number(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.2f}".rstrip("0")


def _get(command: Command, path: str):
    head, _, rest = path.partition(".")
    value = getattr(command, head)
    return getattr(value, rest) if rest else value


def format_command(command: Command) -> str:
    kind = kind_of(command)
    parts = [kind]
    for slot in SPEC[kind][1]:
        value = _get(command, slot.field)
        if value is None or value == slot.default or value == "" or value == ():
            if not (slot.key == "about" and kind == "ask"):  # an ask always says what it asks about
                continue
        if slot.kind == "many":
            parts += [f"{slot.key}={quote(v)}" for v in value]
        elif slot.kind == "refs":
            parts += [f"{slot.key}={v}" for v in value]
        elif slot.kind == "number":
            parts.append(f"{slot.key}={number(value)}")
        elif slot.kind == "flag":
            parts.append(f"{slot.key}=yes")
        else:
            parts.append(f"{slot.key}={quote(value)}")
    return " ".join(parts)


def format_commands(commands: Iterable[Command]) -> str:
    return "\n".join(format_command(c) for c in commands)


def parse_commands(text: str) -> list[Command]:
    """Every line one command; raises CommandSyntaxError at the first line that is not one."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines:
        raise CommandSyntaxError("no command")
    return [parse_command(line) for line in lines]


def parse_command(line: str) -> Command:
    kind, _, rest = line.strip().partition(" ")
    if kind not in SPEC:
        raise CommandSyntaxError(f"unknown command {kind!r}")
    cls, slots = SPEC[kind]
    by_key = {slot.key: slot for slot in slots}
    values: dict[str, Any] = {}
    position = 0
    while position < len(rest):
        match = _PAIR.match(rest, position)
        if not match:
            raise CommandSyntaxError(f"cannot read {rest[position:]!r} in {line!r}")
        key, value = match.group(1), match.group(2) if match.group(2) is not None else match.group(3)
        slot = by_key.get(key)
        if slot is None:
            raise CommandSyntaxError(f"{kind} has no slot {key!r}")
        allowed = CHOICES.get((kind, key))
        if allowed is not None and value not in allowed and value != slot.default:
            raise CommandSyntaxError(f"{key}={value!r} is none of {', '.join(allowed)}")
        values[slot.field] = _read(slot, value, values.get(slot.field))
        position = match.end()
    return _assemble(cls, values)


def _read(slot: Slot, value: str, earlier):
    if slot.kind == "number":
        try:
            return float(value.replace(",", "").lstrip("$"))
        except ValueError:
            raise CommandSyntaxError(f"{slot.key}={value!r} is not a number") from None
    if slot.kind == "flag":
        return value in ("yes", "true", "1")
    if slot.kind == "many":
        return (*(earlier or ()), value)
    if slot.kind == "refs":
        try:
            return (*(earlier or ()), int(value))
        except ValueError:
            raise CommandSyntaxError(f"ref={value!r} is not a card number") from None
    return value


def _assemble(cls, values: dict[str, Any]) -> Command:
    order = {k.split(".", 1)[1]: v for k, v in values.items() if k.startswith("order.")}
    plain = {k: v for k, v in values.items() if not k.startswith("order.")}
    if order:
        plain["order"] = OrderRef(**order)
    if cls is OrderChange and "kind" not in plain:
        raise CommandSyntaxError("order_change needs kind=cancel|return|address")
    return cls(**plain)


def with_question(commands: list[Command], message: str) -> list[Command]:
    """Policy commands carry the shopper's message: the policy room finds the answering sentence with it."""
    return [replace(c, question=message) if isinstance(c, Policy) else c for c in commands]


def slot_values(command: Command) -> dict[str, Any]:
    """{"search.cat": "shoes", "search.not_brand": ("Trailform",), ...}: the filled slots, for evaluation."""
    kind = kind_of(command)
    out = {}
    for slot in SPEC[kind][1]:
        value = _get(command, slot.field)
        if value is None or value == "" or value == () or (value == slot.default and slot.key != "about"):
            continue
        out[f"{kind}.{slot.key}"] = value
    return out
