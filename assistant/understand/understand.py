"""Understanding one message: the commands that say what the shopper wants.

    understander = Understander(head, parser, names, titles)
    understander.understand("trail runners but not from Stride", SessionState())
    # Understanding(commands=(SearchProducts(product_type="trail runners", ...),), source="head", ...)

1. The safety fast path (`safety.py`): a person asked for, or money gone wrong, hands off before any model.
2. The fast head (`head.py`, one MiniLM pass, milliseconds) reads the session's state and the message; when
   it is sure (every decision it made at least `sure`, measured by `shopassist evaluate cascade`) and its
   reading checks out against the store, its commands stand.
3. Otherwise the tuned chat model (`parser.py`) writes the commands, its decoding held to the command
   language and the store's names (`grammar.py`).
4. Every slot is checked against the store (`validate.py`). Commands that say nothing a room can act on are
   asked for once more (the chat model samples another reading); if that fails too, the assistant asks the
   shopper what they mean (`Clarify`). Both are counted (`Understanding.retried`, `.fallback`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

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
    OrderStatus,
    OutOfScope,
    Policy,
    Recommend,
    Refine,
    SearchProducts,
    SessionState,
    Thanks,
)
from assistant.settings import UnderstandingSettings
from assistant.types import Intent
from assistant.understand.command_text import CommandSyntaxError, parse_commands, with_question
from assistant.understand.prompt import state_lines, user_turn
from assistant.understand.safety import safety_handoff
from assistant.understand.validate import Checked, StoreNames, validate

log = logging.getLogger(__name__)
DEFAULT_SURE = UnderstandingSettings.model_fields["sure"].default
POLICY_INTENTS = {"shipping": "delivery_options", "returns": "check_refund_policy", "refunds": "check_refund_policy",
                  "payment_methods": "check_payment_methods", "account": "edit_account"}
CHANGE_INTENTS = {"cancel": "cancel_order", "return": "get_refund", "address": "change_shipping_address"}


class Reader(Protocol):
    """The fast head as understanding uses it (`head.CommandHead`; tests pass a scripted one)."""

    def read(self, state_text: str, message: str): ...


class Writer(Protocol):
    """The tuned chat model as understanding uses it (`parser.CommandParser`): command lines for one user turn."""

    def write(self, turn: str, *, sample: bool = False) -> str: ...


@dataclass(frozen=True)
class Understanding:
    commands: tuple[Command, ...]
    intent: Intent  # the 31-label intent recorded for analytics and the dashboard
    source: str  # safety, head, model
    confidence: float = 1.0
    retried: bool = False
    fallback: bool = False


def intent_of(commands: tuple[Command, ...] | list[Command], state: SessionState, confidence: float = 1.0) -> Intent:
    """The analytics label of the first command (a yes/no counts as the change it answers)."""
    first = commands[0] if commands else Clarify()
    if isinstance(first, (SearchProducts, Refine, AskShown, Recommend)):
        label = "product_search"
    elif isinstance(first, OrderStatus):
        label = "track_refund" if first.asks == "return_status" else "track_order"
    elif isinstance(first, OrderChange):
        label = CHANGE_INTENTS[first.kind]
    elif isinstance(first, (Confirm, Deny)):
        label = CHANGE_INTENTS.get(state.pending.kind, "track_order") if state.pending else "track_order"
    elif isinstance(first, OrderIssue):
        label = "complaint"
    elif isinstance(first, Policy):
        label = POLICY_INTENTS.get(first.topics[0] if first.topics else "", "check_refund_policy")
    elif isinstance(first, Handoff):
        label = "payment_issue" if first.reason == "money" else "contact_human_agent"
    elif isinstance(first, Greet):
        label = "greeting"
    elif isinstance(first, (Thanks, Bye)):
        label = "goodbye"
    else:
        label = "out_of_scope"
    return Intent(label, round(confidence, 4), abstained=isinstance(first, (Clarify, OutOfScope)))


class Understander:
    def __init__(self, head: Reader | None, parser: Writer | None, names: StoreNames,
                 titles: Mapping[str, tuple[str, float | None]], *, sure: float = DEFAULT_SURE) -> None:
        if head is None and parser is None:
            raise ValueError("understanding needs the fast head, the chat model, or both")
        self.head, self.parser, self.names, self.titles, self.sure = head, parser, names, titles, sure

    def understand(self, message: str, state: SessionState, previous: str | None = None) -> Understanding:
        handoff = safety_handoff(message)
        if handoff is not None:
            return Understanding((handoff,), intent_of((handoff,), state), "safety")
        confidence, checked = 0.0, None
        if self.head is not None:
            reading = self.head.read(state_lines(state, self.titles, previous), message)
            confidence = reading.confidence
            checked = validate(reading.commands, state, self.names)
            if checked.ok and (confidence >= self.sure or self.parser is None):
                return self._done(checked, message, state, "head", confidence)
        if self.parser is not None:
            turn = user_turn(state, self.titles, message, previous)
            for attempt in range(2):
                written = self._write(turn, state, sample=attempt > 0)
                if written is not None and written.ok:
                    return self._done(written, message, state, "model", confidence, retried=attempt > 0)
        if checked is not None and checked.ok:  # the chat model failed twice; the head's reading is still sound
            return self._done(checked, message, state, "head", confidence, retried=True)
        log.info("no reading of %r: asking the shopper", message[:80])
        return Understanding((Clarify(),), intent_of((Clarify(),), state, confidence), "fallback", confidence,
                             retried=True, fallback=True)

    def _write(self, turn: str, state: SessionState, *, sample: bool) -> Checked | None:
        try:
            return validate(parse_commands(self.parser.write(turn, sample=sample)), state, self.names)
        except CommandSyntaxError as exc:
            log.info("the chat model wrote no command (%s)", exc)
            return None

    def _done(self, checked: Checked, message: str, state: SessionState, source: str, confidence: float,
              retried: bool = False) -> Understanding:
        commands = tuple(with_question(checked.commands, message))
        return Understanding(commands, intent_of(commands, state, confidence), source, confidence, retried)
