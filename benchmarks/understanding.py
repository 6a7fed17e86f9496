"""Understanding, measured as the assistant runs it: rules, shopping gate (words + catalog), intent label.

    .venv/bin/python -m benchmarks.understanding --data runs/data          # last line: JSON

Held-out shopping queries: the WANDS query classes the builder kept out of training (real Wayfair
queries; their catalog is not available, so their catalog evidence comes from the demo store, a
harder test), and queries made from Abt-Buy, an electronics catalog nothing was trained on, judged
with Abt-Buy as the store's catalog. Service, out-of-scope, greeting and goodbye recall on
`intents_dev_real.csv` (real CLINC150 and Banking77 utterances, never trained on; its even rows
chose the gate's threshold, so the odd rows are reported apart). Writes a bar chart.

Latency is measured apart, after the quality pass has warmed every path: `--latency-rows` real messages (every
k-th row of the dev, WANDS and Abt-Buy sets, in their proportions), each understood once more, one at a time,
with nothing else timed in between. `load_average` is the 1-minute load when that measurement started.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tqdm.auto import tqdm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EXPECTED = {"out_of_scope": {"decline"}, "greeting": {"greeting"}, "goodbye": {"goodbye"},
            "product_search": {"search", "recommend", "follow_up"}}
SERVED = {"policy", "order", "handoff", "money", "complaint"}  # a service question reached a room that serves it


def routes(understander, rows: list[dict]) -> list[str]:
    return [understander.understand(row["text"], {}).route
            for row in tqdm(rows, desc="understanding", leave=False, file=sys.stderr)]


def latency(sets: list[tuple[object, list[dict]]], n: int, warmup: int = 20) -> dict:
    """p50/p95 ms of `understand` over about `n` messages drawn evenly from each (understander, rows) set."""
    total = sum(len(rows) for _, rows in sets)
    picked = [(u, rows[:: max(1, round(total / n))]) for u, rows in sets]
    for understander, rows in picked:
        for row in rows[:warmup]:
            understander.understand(row["text"], {})
    load = float(Path("/proc/loadavg").read_text().split()[0]) if Path("/proc/loadavg").exists() else None
    ms = []
    for understander, rows in picked:
        for row in rows:
            started = time.perf_counter()
            understander.understand(row["text"], {})
            ms.append((time.perf_counter() - started) * 1000)
    ms.sort()
    import torch

    return {"latency_ms_p50": round(statistics.median(ms), 1), "latency_ms_p95": round(ms[int(0.95 * (len(ms) - 1))], 1),
            "latency_n": len(ms), "load_average": load, "torch_threads": torch.get_num_threads()}


def recall(rows: list[dict], said: list[str], intent: str) -> dict:
    picked = [s for r, s in zip(rows, said) if r["intent"] == intent]
    ok = EXPECTED.get(intent, SERVED)
    return {"n": len(picked), "recall": round(sum(s in ok for s in picked) / max(1, len(picked)), 4)}


def service_recall(rows: list[dict], said: list[str]) -> dict:
    picked = [s for r, s in zip(rows, said) if r["intent"] not in EXPECTED]
    return {"n": len(picked), "recall": round(sum(s in SERVED for s in picked) / max(1, len(picked)), 4)}


def understander_for(settings, deps):
    from assistant.history import ConversationStore
    from assistant.turn import build_service

    home = Path(tempfile.mkdtemp(prefix="shopassist-understanding-"))
    return build_service(settings, deps, store=ConversationStore(f"sqlite:///{home / 'c.db'}")).understander


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=ROOT / "runs" / "data", help="build-data output (held-out rows)")
    parser.add_argument("--dev", type=Path, default=ROOT.parent / "shared" / "datasets" / "intents_dev_real.csv")
    parser.add_argument("--unseen-catalog", type=Path, default=ROOT.parent / "shared" / "datasets" / "abt_buy" / "abt.csv")
    parser.add_argument("--plot", type=Path, default=ROOT / "docs" / "benchmarks" / "understanding.png")
    parser.add_argument("--latency-rows", type=int, default=300, help="messages in the separate latency measurement")
    parser.add_argument("--rows", type=Path, default=ROOT / "artifacts" / "understanding_rows.jsonl", help="per-row routes")
    args = parser.parse_args(argv)

    from dataclasses import replace

    from assistant.deps import build_deps, product_search
    from assistant.settings import Settings
    from finetune.gate import read_rows

    settings = Settings()
    deps = build_deps(settings, progress=lambda m: print(f"· {m}", file=sys.stderr))
    understander = understander_for(settings, deps)
    dev = read_rows(args.dev)
    heldout = read_rows(args.data / "intents_heldout.csv")
    wands = [r for r in heldout if r["source"] == "wands-heldout"]
    unseen = [r for r in heldout if r["source"] == "unseen-catalog"]
    dev_said = routes(understander, dev)
    wands_said = routes(understander, wands)
    print("· indexing the unseen catalog", file=sys.stderr)
    abt = settings.model_copy(update={"home": Path(tempfile.mkdtemp(prefix="shopassist-abt-")),
                                      "retrieval": settings.retrieval.model_copy(update={"catalog": args.unseen_catalog,
                                                                                         "mapping": "title=name"})})
    abt_deps = replace(deps, retriever=product_search(abt, progress=True))
    abt_understander = understander_for(abt, abt_deps)
    unseen_said = routes(abt_understander, unseen)
    odd = slice(1, None, 2)
    result = {
        "product_search_recall": {
            "wands_heldout_classes": recall(wands, wands_said, "product_search"),
            "wands_heldout_odd_rows": recall(wands[odd], wands_said[odd], "product_search"),
            "unseen_catalog_abt_buy": recall(unseen, unseen_said, "product_search")},
        "out_of_scope_recall": {"dev": recall(dev, dev_said, "out_of_scope"),
                                "dev_odd_rows": recall(dev[odd], dev_said[odd], "out_of_scope")},
        "greeting_recall": recall(dev, dev_said, "greeting"),
        "goodbye_recall": recall(dev, dev_said, "goodbye"),
        "service_served_recall": service_recall(dev, dev_said),
        "service_sent_to_search": round(sum(s == "search" for r, s in zip(dev, dev_said) if r["intent"] not in EXPECTED)
                                        / max(1, sum(r["intent"] not in EXPECTED for r in dev)), 4),
        **latency([(understander, dev), (understander, wands), (abt_understander, unseen)], args.latency_rows),
        "gate": str(settings.model.adapter or "finetune/adapter"),
    }
    plot(result, args.plot)
    args.rows.parent.mkdir(parents=True, exist_ok=True)
    with args.rows.open("w", encoding="utf-8") as handle:  # every row's route, to read the misses
        for rows, said in ((dev, dev_said), (wands, wands_said), (unseen, unseen_said)):
            handle.writelines(json.dumps({"text": r["text"], "intent": r["intent"], "source": r.get("source", "dev"),
                                          "route": s}) + "\n" for r, s in zip(rows, said))
    print(json.dumps(result))
    return result


def plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    bars = {"shopping: WANDS held-out": result["product_search_recall"]["wands_heldout_classes"]["recall"],
            "shopping: unseen catalog": result["product_search_recall"]["unseen_catalog_abt_buy"]["recall"],
            "out of scope (dev)": result["out_of_scope_recall"]["dev"]["recall"],
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
