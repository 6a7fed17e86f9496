"""Understanding on real messages, as the assistant runs it: no regression on real queries, and its speed.

    .venv/bin/python -m benchmarks.understanding --commands runs/commands      # last line: JSON

Product-search recall: the share of real shopping queries read as a shopping command (search, refine, ask,
recommend): the WANDS query classes held out of the command data (real Wayfair queries; this store sells
little of that, so a search that says "we don't carry it" is still the right reading), and queries made from
Abt-Buy, an electronics catalog never trained on, read with Abt-Buy as the store's catalog. Out-of-scope,
greeting, goodbye and service recall on `intents_dev_real.csv` (real CLINC150 and Banking77 messages, never
trained on). Latency: every k-th message once more after the quality pass, one at a time, with the 1-minute
load average when that measurement started. Writes a bar chart.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import statistics
import sys
import time
from pathlib import Path

from tqdm.auto import tqdm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SHOPPING = {"search", "refine", "ask", "recommend"}
SERVED = {"order_status", "order_change", "order_issue", "policy", "handoff", "confirm", "deny"}
EXPECTED = {"out_of_scope": {"out_of_scope", "clarify"}, "greeting": {"greet"}, "goodbye": {"thanks", "bye"},
            "product_search": SHOPPING}


def kinds(understander, texts: list[str], desc: str) -> list[str]:
    from assistant.commands import SessionState
    from assistant.understand.command_text import kind_of

    return [kind_of(understander.understand(t, SessionState()).commands[0]) for t in tqdm(texts, desc=desc, file=sys.stderr)]


def recall(said: list[str], expected: set[str]) -> dict:
    return {"n": len(said), "recall": round(sum(s in expected for s in said) / max(1, len(said)), 4)}


def latency(sets: list[tuple[object, list[str]]], n: int) -> dict:
    from assistant.commands import SessionState

    total = sum(len(texts) for _, texts in sets)
    picked = [(u, texts[:: max(1, round(total / n))]) for u, texts in sets]
    load = float(Path("/proc/loadavg").read_text().split()[0]) if Path("/proc/loadavg").exists() else None
    ms, sources = [], {}
    for understander, texts in picked:
        for text in texts:
            started = time.perf_counter()
            understood = understander.understand(text, SessionState())
            ms.append((time.perf_counter() - started) * 1000)
            sources[understood.source] = sources.get(understood.source, 0) + 1
    ms.sort()
    import torch

    return {"latency_ms_p50": round(statistics.median(ms), 1), "latency_ms_p95": round(ms[int(0.95 * (len(ms) - 1))], 1),
            "latency_n": len(ms), "read_by": sources, "load_average": load, "torch_threads": torch.get_num_threads()}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--commands", type=Path, default=ROOT / "runs" / "commands", help="build-commands output (held-out rows)")
    parser.add_argument("--dev", type=Path, default=ROOT.parent / "shared" / "datasets" / "intents_dev_real.csv")
    parser.add_argument("--unseen-catalog", type=Path, default=ROOT.parent / "shared" / "datasets" / "abt_buy" / "abt.csv")
    parser.add_argument("--plot", type=Path, default=ROOT / "docs" / "benchmarks" / "understanding.png")
    parser.add_argument("--latency-rows", type=int, default=300, help="messages in the separate latency measurement")
    args = parser.parse_args(argv)

    from assistant.deps import build_understander
    from assistant.settings import Settings
    from data.load import load_catalog, load_policies
    from data.schema import Product
    from finetune.shopping import catalog_queries

    settings = Settings()
    policies = load_policies(settings.store_dir / "policies")
    catalog = {p.id: p for p in load_catalog(settings.retrieval.catalog).records}
    understander = build_understander(settings, catalog, policies)
    with args.dev.open(encoding="utf-8", newline="") as handle:
        dev = list(csv.DictReader(handle))
    heldout = [json.loads(line) for line in (args.commands / "heldout.jsonl").read_text(encoding="utf-8").splitlines()]
    wands = [r["say"] for r in heldout if r["group"] == "wands"]
    with args.unseen_catalog.open(encoding="utf-8", errors="replace", newline="") as handle:
        abt = [Product(id=r["id"], title=r["name"], description=r.get("description", "")) for r in csv.DictReader(handle)
               if r["name"].strip()]
    rng = random.Random(13)
    unseen = [q["text"] for q in catalog_queries(rng.sample(abt, 300), rng, per_product=1, source="unseen-catalog")]
    abt_understander = build_understander(settings, {p.id: p for p in abt}, policies, head=understander.head,
                                          parser=understander.parser)
    dev_said = kinds(understander, [r["text"] for r in dev], "dev")
    by_intent = lambda intent: [s for r, s in zip(dev, dev_said) if r["intent"] == intent]  # noqa: E731
    service = [s for r, s in zip(dev, dev_said) if r["intent"] not in EXPECTED]
    result = {
        "product_search_recall": {"wands_heldout_classes": recall(kinds(understander, wands, "wands"), SHOPPING),
                                  "unseen_catalog_abt_buy": recall(kinds(abt_understander, unseen, "abt-buy"), SHOPPING)},
        "out_of_scope_recall": recall(by_intent("out_of_scope"), EXPECTED["out_of_scope"]),
        "greeting_recall": recall(by_intent("greeting"), EXPECTED["greeting"]),
        "goodbye_recall": recall(by_intent("goodbye"), EXPECTED["goodbye"]),
        "service_served_recall": recall(service, SERVED),
        "service_sent_to_search": round(sum(s in SHOPPING for s in service) / max(1, len(service)), 4),
        **latency([(understander, [r["text"] for r in dev]), (understander, wands), (abt_understander, unseen)],
                  args.latency_rows),
    }
    plot(result, args.plot)
    print(json.dumps(result))
    return result


def plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    bars = {"shopping: WANDS held-out": result["product_search_recall"]["wands_heldout_classes"]["recall"],
            "shopping: unseen catalog": result["product_search_recall"]["unseen_catalog_abt_buy"]["recall"],
            "out of scope (dev)": result["out_of_scope_recall"]["recall"],
            "greeting (dev)": result["greeting_recall"]["recall"], "goodbye (dev)": result["goodbye_recall"]["recall"],
            "service served (dev)": result["service_served_recall"]["recall"]}
    fig, ax = plt.subplots(figsize=(7, 3.6))
    ax.barh(list(bars), list(bars.values()), color="#2563eb")
    for y, value in enumerate(bars.values()):
        ax.text(value + 0.005, y, f"{value:.3f}", va="center", fontsize=8)
    ax.axvline(0.95, color="#999", lw=0.8, ls="--")
    ax.set_xlim(0, 1.08)
    ax.set_xlabel("recall")
    ax.invert_yaxis()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    main()
