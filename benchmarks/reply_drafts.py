"""How many model-written drafts pass the fact check, base model against the tuned adapter.

    .venv/bin/python -m benchmarks.reply_drafts --data runs/data --turns 150     # last line: JSON

The turns are the held-out grounded turns of `shopassist finetune build-data` (conversations and
asks never trained on; see finetune/grounded.py): each holds the draft prompt the model reads in
serving. Each draft is checked exactly as a live turn checks it (`assistant/reply/check.py`)
against the facts of its prompt; the target reply gives the facts' required wording. Reports the
share of drafts that pass, per answer kind, and the most common reasons a draft fails; writes a
bar chart. The same share on the conversation judge's dev cases comes from the `drafted` flag of
each reply (`shopassist.drafted`), measured with `../shared/bench/shop_judge.py`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

from tqdm.auto import tqdm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def answer_from_record(record: dict):
    """The Answer a turn had, as the builder recorded it: facts, composed reply, what a draft must and must not say."""
    from assistant.reply.answer import Answer

    c = record["check"]
    return Answer(record["kind"], c["composed"], facts=tuple(c["facts"]), required=tuple(tuple(g) for g in c["required"]),
                  forbidden=tuple(c["forbidden"]), amounts=frozenset(c["amounts"]), codes=frozenset(c["codes"]))


def measure(adapter: str | None, records: list[dict], label: str) -> dict:
    from assistant.generation.generator import ChatGenerator
    from assistant.generation.model import load_chat_model
    from assistant.reply.check import DraftCheck
    from assistant.settings import Settings
    from assistant.types import Message, Prompt
    from data.load import load_catalog, load_customers

    settings = Settings(model={"adapter": adapter})
    generator = ChatGenerator(load_chat_model(settings), settings.model)
    titles = [p.title for p in load_catalog(settings.retrieval.catalog).records]
    people = [s for c in load_customers(settings.store_dir / "customers.csv").records for s in (c.name, c.email)]
    check = DraftCheck(titles, people)
    passed, kinds, reasons, examples = 0, Counter(), Counter(), []
    started = time.perf_counter()
    for record in tqdm(records, desc=label, file=sys.stderr):
        answer = answer_from_record(record)
        prompt = Prompt(tuple(Message(m["role"], m["content"]) for m in record["messages"][:-1]), "facts@1", max_new_tokens=110)
        draft = "".join(generator.stream(prompt)).strip()
        problems = check.problems(draft, answer, record["messages"][1]["content"])
        kinds[(record["kind"], not problems)] += 1
        passed += not problems
        reasons.update(p.split(":")[0].split(" '")[0] for p in problems)
        if len(examples) < 6 and problems:
            examples.append({"said": record["messages"][1]["content"], "draft": draft, "problems": problems})
    by_kind = {}
    for kind in sorted({k for k, _ in kinds}):
        total = kinds[(kind, True)] + kinds[(kind, False)]
        by_kind[kind] = f"{kinds[(kind, True)]}/{total}"
    return {"turns": len(records), "pass_share": round(passed / max(1, len(records)), 3), "by_kind": by_kind,
            "top_reasons": dict(reasons.most_common(6)), "s_per_draft": round((time.perf_counter() - started) / max(1, len(records)), 2),
            "failed_examples": examples}


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    kinds = sorted(set().union(*(r["by_kind"] for r in results.values())))
    fig, ax = plt.subplots(figsize=(8, 3.6))
    width = 0.8 / len(results)
    for i, (name, result) in enumerate(results.items()):
        shares = []
        for kind in kinds:
            ok, total = map(int, result["by_kind"].get(kind, "0/1").split("/"))
            shares.append(ok / max(1, total))
        ax.bar([k + i * width for k in range(len(kinds))], shares, width, label=f"{name} ({result['pass_share']:.2f})")
    ax.set_xticks([k + width / 2 for k in range(len(kinds))], kinds, rotation=30, ha="right")
    ax.set_ylabel("drafts that pass")
    ax.set_ylim(0, 1.05)
    ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=ROOT / "runs" / "data")
    parser.add_argument("--turns", type=int, default=150, help="held-out turns to draft (the first N)")
    parser.add_argument("--adapter", default=None, help="adapter folder (default: the shipped one)")
    parser.add_argument("--skip-base", action="store_true", help="only the tuned adapter")
    parser.add_argument("--plot", type=Path, default=ROOT / "docs" / "benchmarks" / "reply_drafts.png")
    args = parser.parse_args(argv)
    records = [json.loads(line) for line in (args.data / "grounded_heldout.jsonl").read_text().splitlines()][: args.turns]
    results = {}
    if not args.skip_base:
        results["base model"] = measure("", records, "base")
    results["tuned adapter"] = measure(args.adapter, records, "tuned")
    plot(results, args.plot)
    summary = {name: {k: v for k, v in r.items() if k != "failed_examples"} for name, r in results.items()}
    for name, r in results.items():
        print(json.dumps({name: r["failed_examples"]}, indent=1), file=sys.stderr)
    print(json.dumps(summary))
    return summary


if __name__ == "__main__":
    main()
