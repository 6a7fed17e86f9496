"""One training example for understanding, and the small helpers every family of them shares.

An example is what the model sees (the session's state, the shopper's previous message, the message) and
what it should say (the commands). `held` marks an example built from a held-out group of phrasings: those
go to the held-out command set only, never to training.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from assistant.commands import Command, SessionState
from assistant.understand.command_text import format_commands


@dataclass
class Example:
    family: str  # search, refine, ask, recommend, order, confirm, policy, social, out_of_scope, handoff, multi, lang
    group: str  # the phrasing group it was built from, e.g. "search/budget:limit"
    message: str
    commands: list[Command]
    state: SessionState = field(default_factory=SessionState)
    previous: str | None = None
    user: str | None = None
    held: bool = False

    def record(self) -> dict:
        state = self.state.to_dict()
        if self.state.last_search is not None:
            state["last_search"] = format_commands([self.state.last_search])
        return {"family": self.family, "group": self.group, "user": self.user, "state": state,
                "previous": self.previous, "say": self.message, "expect": format_commands(self.commands)}


def state_of(data: dict) -> SessionState:
    """A row's state back as a `SessionState` (its last search is written as a command line)."""
    from assistant.understand.command_text import parse_commands

    data = dict(data)
    if isinstance(data.get("last_search"), str):
        data["last_search"] = vars(parse_commands(data["last_search"])[0]) if data["last_search"] else None
    return SessionState.from_dict(data)


class Phrasebook:
    """Picks phrasings from named groups: in training only from groups not held out; for the held-out set
    at least one pick per example comes from a held-out group (`held` then ends up True)."""

    def __init__(self, rng: random.Random, *, held_out: bool) -> None:
        self.rng = rng
        self.held_out = held_out
        self.used_held = False

    def choice(self, options):
        return self.rng.choice(list(options))

    def group(self, bank: dict, held_groups: frozenset[str] = frozenset({"held"})) -> tuple[str, str]:
        """(group name, phrasing) from a bank {group: phrasings}; `held_groups` are the held-out ones."""
        names = [n for n in bank if (n in held_groups) == self._want_held(bank, held_groups)]
        name = self.rng.choice(names or list(bank))
        if name in held_groups:
            self.used_held = True
        return name, self.rng.choice(list(bank[name]))

    def _want_held(self, bank: dict, held_groups: frozenset[str]) -> bool:
        if not self.held_out or not any(n in held_groups for n in bank):
            return False
        return not self.used_held or self.rng.random() < 0.3

    def maybe(self, p: float) -> bool:
        return self.rng.random() < p


def article(noun: str) -> str:
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def typo(text: str, rng: random.Random) -> str:
    """One slip in one longer word: a letter dropped, doubled or two swapped ("runing", "heaphones")."""
    words = text.split(" ")
    long = [i for i, w in enumerate(words) if len(w) > 4 and w.isalpha()]
    if not long:
        return text
    i = rng.choice(long)
    w = words[i]
    j = rng.randrange(1, len(w) - 1)
    kind = rng.random()
    if kind < 0.4:
        w = w[:j] + w[j + 1:]
    elif kind < 0.7:
        w = w[:j] + w[j] + w[j:]
    else:
        w = w[:j - 1] + w[j] + w[j - 1] + w[j + 1:]
    words[i] = w
    return " ".join(words)


def roughen(text: str, rng: random.Random, *, typos: float = 0.22) -> str:
    """How people type in a chat: case, trailing punctuation, the odd typo and shorthand."""
    text = " ".join(text.split())
    if rng.random() < typos:
        text = typo(text, rng)
        if rng.random() < 0.25:
            text = typo(text, rng)
    if rng.random() < 0.05:
        text = re.sub(r"\byou\b", "u", text)
    if rng.random() < 0.05:
        text = re.sub(r"\bplease\b", rng.choice(["pls", "plz"]), text)
    roll = rng.random()
    if roll < 0.35:
        text = text[:1].upper() + text[1:]
    elif roll < 0.4:
        text = text.lower()
    if text and text[-1] in "?.!" and rng.random() < 0.3:
        text = text[:-1]
    elif text and text[-1].isalnum() and rng.random() < 0.2:
        text += rng.choice(["?", ".", "!", " :)"])
    return text


def amount_text(value: float, rng: random.Random, forms: tuple[str, ...]) -> str:
    """An amount as shoppers write it: "$50", "50 bucks", "1.5k"."""
    n = f"{value:g}"
    if value >= 1000 and value % 100 == 0 and rng.random() < 0.2:
        return f"{value / 1000:g}k"
    return rng.choice(forms).format(n=n)


def round_amount(value: float) -> float:
    """A budget people say: 20, 25, 30, 40, 50, 60, 75, 80, 100, 120, 150, 200, 250, ..."""
    steps = (10, 15, 20, 25, 30, 35, 40, 45, 50, 60, 70, 75, 80, 90, 100, 120, 125, 150, 175, 200, 250, 300, 350, 400,
             450, 500, 600, 700, 750, 800, 900, 1000, 1200, 1500, 2000, 2500, 3000)
    return float(min(steps, key=lambda s: abs(s - value)))
