"""Build the command data for one store: training rows, a dev split, and held-out rows.

    shopassist finetune build-commands --store data/demo --out runs/commands

Every example comes from the store's own files (its catalog, orders, customers and policies) wrapped in the
phrasings of `shopping_words.py`, `service_words.py` and `question_words.py`, plus real Bitext, Banking77 and
WANDS utterances. Whole groups of phrasings are held out (`held` groups): they only ever reach the held-out
file, so its score measures phrasings never trained on. The held-out command set the project evaluates on
(`benchmarks/cases/commands_heldout.jsonl`), the evaluation sets in `../shared/bench/` and the real
intents dev set are never trained on: a training row that says the same thing is dropped.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from assistant.commands import PendingChange, Policy, SessionState
from assistant.settings import REPO_ROOT
from data import DEMO_DIR
from finetune.commands import service_families as service
from finetune.commands import shop_families as shop
from finetune.commands.example import Example, Phrasebook, roughen
from finetune.commands.real_rows import banking_rows, bitext_rows, wands_rows
from finetune.commands.store import StoreFacts
from finetune.dataset import DATASETS_DIR, read_table

HELDOUT_CASES = REPO_ROOT / "benchmarks" / "cases" / "commands_heldout.jsonl"
BENCH_DIR = REPO_ROOT.parent / "shared" / "bench"
# How often each family is drawn, per thousand generated examples.
WEIGHTS = {"search": 220, "other_thing": 25, "gift": 25, "refine": 120, "ask": 150, "recommend": 40, "order": 110,
           "guest": 10, "answer_pending": 110, "acknowledge": 35, "policy": 70, "handoff": 30, "social": 80,
           "out_of_scope": 95, "unclear": 5, "two_requests": 45, "language": 70}
STATELESS = ("search", "other_thing", "gift", "recommend", "order", "policy", "handoff", "out_of_scope", "language")


@dataclass
class CommandDataConfig:
    store: Path = DEMO_DIR
    out: Path = REPO_ROOT / "runs" / "commands"
    datasets_dir: Path = DATASETS_DIR
    seed: int = 13
    examples: int = 30_000  # generated training examples (before real rows and de-duplication)
    dev_examples: int = 1_500  # generated like training, never trained on: calibration and model choice
    heldout_examples: int = 1_200  # generated from held-out phrasings (before de-duplication)
    bitext_per_intent: int = 40
    banking_per_category: int = 50
    banking_oos: int = 200
    wands_heldout_classes: int = 60
    context_share: float = 0.3  # stateless requests asked while cards are shown or a change waits for an answer


def _language(book: Phrasebook, facts: StoreFacts) -> Example:
    from finetune.commands.languages_family import language_example

    return language_example(book, facts)


def _two_requests(book: Phrasebook, facts: StoreFacts) -> Example:
    """Two things in one message, in the order said: a search or a question about the cards, with a policy
    question or a question about an order."""
    first = book.choice((shop.search, shop.search, shop.ask))(book, facts)
    if book.maybe(0.6):
        question, topic = service.policy_question(book, facts)
        second = Example("policy", "policy", question, [Policy(topics=(topic,))])
    else:
        second = service.order(Phrasebook(book.rng, held_out=False), facts)
        while second.commands[0].__class__.__name__ != "OrderStatus":
            second = service.order(Phrasebook(book.rng, held_out=False), facts)
    joined = book.choice(("{a}, and {b}", "{a}. also {b}", "{a} - and {b}", "{a}. oh and {b}", "{a}? {b}"))
    swap = book.maybe(0.25) and first.family != "ask"
    a, b = (second, first) if swap else (first, second)
    text = joined.format(a=a.message.rstrip("?. "), b=b.message[:1].lower() + b.message[1:])
    return Example("multi", f"multi/{a.family}+{b.family}", text, [*a.commands, *b.commands], first.state,
                   previous=first.previous, user=second.user, held=book.used_held)


FAMILIES = {"search": shop.search, "other_thing": shop.other_thing, "gift": shop.gift, "refine": shop.refine, "ask": shop.ask, "recommend": shop.recommend,
            "order": service.order, "guest": service.guest_order, "answer_pending": service.answer_pending,
            "acknowledge": service.acknowledge, "policy": service.policy, "handoff": service.handoff,
            "social": service.social, "out_of_scope": service.out_of_scope, "unclear": service.unclear,
            "two_requests": _two_requests, "language": _language}


def in_context(example: Example, book: Phrasebook, facts: StoreFacts) -> Example:
    """The same request asked mid-conversation: cards on screen, or a change waiting for a yes. The commands do not
    change: a new request is not an answer to the question, nor about the cards."""
    if book.maybe(0.7):
        state, before, _ = shop.shown_state(book, facts)
        return replace(example, state=state, previous=before)
    customer = example.user or book.choice(sorted(facts.orders))
    placed = facts.orders[customer][0]
    state = SessionState(pending=PendingChange(book.choice(("cancel", "return")), placed.order_id), order_id=placed.order_id)
    return replace(example, state=state, user=customer)


def generate(facts: StoreFacts, rng: random.Random, n: int, *, held_out: bool, context_share: float,
             families: dict[str, int] | None = None) -> list[Example]:
    weights = families or WEIGHTS
    names = sorted(weights)
    out = []
    tries = 0
    while len(out) < n and tries < n * 20:
        tries += 1
        name = rng.choices(names, weights=[weights[k] for k in names])[0]
        book = Phrasebook(rng, held_out=held_out)
        try:
            example = FAMILIES[name](book, facts)
        except ModuleNotFoundError:
            continue  # no language data for this store
        if held_out and not example.held:
            continue
        if name in STATELESS and not example.state.shown and example.state.pending is None and rng.random() < context_share:
            example = in_context(example, Phrasebook(rng, held_out=False), facts)
        elif example.previous is None and out and rng.random() < 0.2:  # any earlier message: context, not a command
            example.previous = rng.choice(out[-50:]).message
        out.append(example)
    return out


def _norm(text: str) -> str:
    return " ".join(text.lower().replace("?", " ").replace(".", " ").replace("!", " ").split())


def never_train_on(config: CommandDataConfig) -> set[str]:
    """Texts no training row may say: the held-out command set, the shared evaluation sets, the real intents dev set."""
    texts: set[str] = set()
    for path in (HELDOUT_CASES, *sorted(BENCH_DIR.glob("*.jsonl"))):
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    row = json.loads(line)
                    texts |= {_norm(t["say"]) for t in row.get("turns", [])} | ({_norm(row["say"])} if "say" in row else set())
    dev = config.datasets_dir / "intents_dev_real.csv"
    if dev.exists():
        texts |= {_norm(r["text"]) for r in read_table(dev, ("text", "intent"))}
    return texts


def _unique(examples: list[Example], banned: set[str], *, repeats: int = 6) -> list[Example]:
    """No banned text; a message with the same commands at most `repeats` times, each in another state ("yes"
    answers many different questions, but two rows alike teach nothing)."""
    seen: set[str] = set()
    said: Counter = Counter()
    out = []
    for e in examples:
        record = e.record()
        key = (_norm(e.message), record["expect"])
        full = json.dumps([key, record["state"], record["previous"]])
        if _norm(e.message) in banned or full in seen or said[key] >= repeats:
            continue
        seen.add(full)
        said[key] += 1
        out.append(e)
    return out


def build(config: CommandDataConfig) -> dict:
    rng = random.Random(config.seed)
    facts = StoreFacts.load(config.store)
    banned = never_train_on(config)
    dev_texts = {_norm(r["text"]) for r in read_table(config.datasets_dir / "intents_dev_real.csv", ("text", "intent"))} \
        if (config.datasets_dir / "intents_dev_real.csv").exists() else set()
    real: list[Example] = []
    if (config.datasets_dir / "bitext").exists():
        real += bitext_rows(config.datasets_dir, facts, rng, per_intent=config.bitext_per_intent, held_fraction=0.15, dev=dev_texts)
        real += banking_rows(config.datasets_dir, facts, rng, per_category=config.banking_per_category, oos=config.banking_oos,
                             dev=dev_texts)
        real += wands_rows(config.datasets_dir, facts, rng, held_classes=config.wands_heldout_classes)
    for e in real:
        if e.family not in ("search",) and rng.random() < 0.3:
            e.message = roughen(e.message, rng, typos=0.0)
    train = _unique(generate(facts, rng, config.examples, held_out=False, context_share=config.context_share)
                    + [e for e in real if not e.held], banned)
    trained = {_norm(e.message) for e in train}  # dev and held-out rows say nothing training says
    dev = _unique(generate(facts, rng, config.dev_examples, held_out=False, context_share=config.context_share),
                  banned | trained)
    heldout = _unique(generate(facts, rng, config.heldout_examples, held_out=True, context_share=config.context_share)
                      + [e for e in real if e.held], banned | trained)
    rng.shuffle(train)
    config.out.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name, rows in (("train", train), ("dev", dev), ("heldout", heldout)):
        with (config.out / f"{name}.jsonl").open("w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(e.record(), ensure_ascii=False) + "\n" for e in rows)
        counts[name] = len(rows)
    manifest = {"store": str(config.store), "seed": config.seed, "counts": counts,
                "train_by_family": dict(Counter(e.family for e in train).most_common()),
                "heldout_by_family": dict(Counter(e.family for e in heldout).most_common()),
                "never_trained_on": len(banned)}
    (config.out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest
