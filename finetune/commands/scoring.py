"""How well predicted commands match the expected ones: kinds, every slot, exclusions, yes and no.

    score = CommandScore()
    score.add(expected=[...], predicted=[...], pending=True)
    score.report()   # {"command_type_accuracy": 0.97, "slot_f1": 0.95, "slots": {"search.max": {...}}, ...}

A turn's kinds are right when the set of command kinds is the set expected. Slots are counted as
(kind.key, value) pairs over all commands of the turn: precision over the predicted ones, recall over the
expected ones. Text values match when they are the same after case and spacing, or nearly the same word
("microphne" for "microphone": a typo the shopper made is no wrong answer); numbers match exactly.
"""

from __future__ import annotations

import difflib
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from assistant.commands import Command, Confirm, Deny
from assistant.understand.command_text import kind_of, slot_values


def _flat(commands: list[Command]) -> list[tuple[str, object]]:
    pairs = []
    for command in commands:
        for key, value in slot_values(command).items():
            values = value if isinstance(value, tuple) else (value,)
            pairs += [(key, v) for v in values]
    return pairs


def same(a, b) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        a, b = " ".join(a.lower().split()), " ".join(b.lower().split())
        return a == b or (min(len(a), len(b)) >= 5 and difflib.SequenceMatcher(None, a, b).ratio() >= 0.85)
    return a == b


def _matches(expected: list[tuple[str, object]], predicted: list[tuple[str, object]]) -> int:
    left = list(expected)
    hits = 0
    for key, value in predicted:
        found = next((i for i, (k, v) in enumerate(left) if k == key and same(v, value)), None)
        if found is not None:
            left.pop(found)
            hits += 1
    return hits


@dataclass
class CommandScore:
    turns: int = 0
    kinds_right: int = 0
    exact: int = 0
    slot_tp: Counter = field(default_factory=Counter)
    slot_pred: Counter = field(default_factory=Counter)
    slot_gold: Counter = field(default_factory=Counter)
    answer_right: int = 0  # confirm / deny with a change waiting
    answers: int = 0
    by_kind: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0]))

    def add(self, expected: list[Command], predicted: list[Command], *, pending: bool = False) -> bool:
        """Count one turn; True when the kinds and every slot are right."""
        self.turns += 1
        kinds_ok = sorted(map(kind_of, expected)) == sorted(map(kind_of, predicted))
        self.kinds_right += kinds_ok
        gold, pred = _flat(expected), _flat(predicted)
        for key in {k for k, _ in gold} | {k for k, _ in pred}:
            g, p = [x for x in gold if x[0] == key], [x for x in pred if x[0] == key]
            self.slot_tp[key] += _matches(g, p)
            self.slot_pred[key] += len(p)
            self.slot_gold[key] += len(g)
        exact = kinds_ok and _matches(gold, pred) == len(gold) == len(pred)
        self.exact += exact
        first = kind_of(expected[0]) if expected else "none"
        self.by_kind[first][0] += kinds_ok
        self.by_kind[first][1] += 1
        if pending and any(isinstance(c, (Confirm, Deny)) for c in expected):
            self.answers += 1
            self.answer_right += kinds_ok
        return exact

    def _f1(self, keys) -> dict:
        tp = sum(self.slot_tp[k] for k in keys)
        pred = sum(self.slot_pred[k] for k in keys)
        gold = sum(self.slot_gold[k] for k in keys)
        precision = tp / pred if pred else 1.0
        recall = tp / gold if gold else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4), "n": gold}

    def report(self) -> dict:
        keys = sorted(set(self.slot_gold) | set(self.slot_pred))
        exclusions = [k for k in keys if k.endswith(".not_brand")]
        return {
            "turns": self.turns,
            "command_type_accuracy": round(self.kinds_right / max(1, self.turns), 4),
            "exact_match": round(self.exact / max(1, self.turns), 4),
            "slot_f1": self._f1(keys)["f1"],
            "slot": self._f1(keys),
            "exclusion_slots": self._f1(exclusions),
            "confirm_deny_in_context": {"accuracy": round(self.answer_right / max(1, self.answers), 4), "n": self.answers},
            "by_first_kind": {k: f"{v[0]}/{v[1]}" for k, v in sorted(self.by_kind.items())},
            "slots": {k: self._f1([k]) for k in keys},
        }
