"""Ungrounded product names, prices and codes in generated replies, before and after tuning.

    .venv/bin/python -m benchmarks.finetune_grounding --turns 100     # last line: JSON

Each turn is a real pipeline turn over the demo store (intent, hybrid retrieval, customer view,
prompt, streamed generation). For every draft reply we count the turns that name a product or
price not retrieved for that turn, or an unknown discount code, first in the raw draft and then
after the grounding guard; once with the base model and once with the shipped adapter.
"""

from __future__ import annotations

import argparse
import json
import random
import time

from tqdm import tqdm

from assistant.settings import Settings
from assistant.types import Turn

QUESTIONS = (
    "{tag} {category} please", "do you have any {category} from {brand}?", "I'm looking for {category} under ${budget}",
    "what {category} would you recommend for {tag}?", "show me cheap {category}", "which {category} is the best you sell?",
    "how much is the {title}?", "compare two {category} for me",
)
SERVICE = ("how long does shipping take?", "can I return an opened item?", "which payment methods do you accept?",
           "where is my order?", "my refund hasn't arrived yet", "is there a discount code for me?")


def make_turns(catalog: dict, customers: list[str], n: int, seed: int = 7) -> list[Turn]:
    rng = random.Random(seed)
    products = sorted(catalog.values(), key=lambda p: p.id)
    turns = []
    for i in range(n):
        user = rng.choice(customers + [None])
        if i % 4 == 3:
            turns.append(Turn(rng.choice(SERVICE), user_id=user))
            continue
        p = rng.choice(products)
        text = rng.choice(QUESTIONS).format(tag=rng.choice(p.tags[1:] or (p.category,)), category=p.category, brand=p.brand,
                                            budget=int((p.price or 50) * 1.2), title=p.title)
        turns.append(Turn(text, user_id=user))
    return turns


def measure(adapter: str | None, turns_n: int, max_new_tokens: int) -> dict:
    from assistant.pipeline import build_deps
    from assistant.prompt import build_prompt

    settings = Settings(adapter=adapter, model={"max_new_tokens": max_new_tokens})
    deps = build_deps(settings)
    guard = deps.grounding
    turns = make_turns(deps.retriever.catalog, sorted(deps.profiles.customers)[:60], turns_n)
    raw_bad = guarded_bad = 0
    kinds: dict[str, int] = {}
    started = time.perf_counter()
    for turn in tqdm(turns, desc="base" if adapter == "" else "tuned"):
        view = deps.profiles.view(turn.user_id)
        intent = deps.intents.classify(turn.message)
        hits = deps.retriever.search(turn.message, settings.retrieval.top_k, view=view) if intent.label in ("product_search", "place_order") else []
        draft = "".join(deps.generator.stream(build_prompt(turn, intent, hits, view, deps.policies)))
        found = guard.violations(draft, hits)
        for v in found:
            kinds[v.kind] = kinds.get(v.kind, 0) + 1
        raw_bad += bool(found)
        guarded_bad += bool(guard.violations("".join(guard.stream([draft], hits)), hits))
    return {"turns": len(turns), "ungrounded_turns_raw": raw_bad, "ungrounded_rate_raw": round(raw_bad / len(turns), 3),
            "ungrounded_turns_after_guard": guarded_bad, "violations_by_kind": kinds,
            "seconds": round(time.perf_counter() - started, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=100)
    parser.add_argument("--max-new-tokens", type=int, default=80)
    args = parser.parse_args()
    result = {"base": measure("", args.turns, args.max_new_tokens),
              "tuned": measure(None, args.turns, args.max_new_tokens)}  # None = the shipped adapter
    print(json.dumps(result))


if __name__ == "__main__":
    main()
