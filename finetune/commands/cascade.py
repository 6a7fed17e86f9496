"""Choosing where the fast head hands a turn to the chat model: the `sure` threshold, by measurement.

    shopassist evaluate cascade --cases runs/commands/dev.jsonl

Every case is read by the head alone and by the chat model alone (each timed); for each threshold the
cascade's reading is the head's when its confidence reaches the threshold, else the chat model's. The
table gives, per threshold, the exact-match rate, the share of turns the chat model reads, and the p50/p95
time per message; the chosen threshold is the most accurate one whose p95 stays within the budget. Chosen
on the dev split of the command data (never on the held-out set).
"""

from __future__ import annotations

import statistics
import time

from tqdm.auto import tqdm

from finetune.commands.example import state_of
from finetune.commands.scoring import CommandScore

THRESHOLDS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 1.01)


def _read(understander, row) -> tuple[bool, float, float]:
    """(exactly right, confidence, seconds) of one reader on one case."""
    from assistant.understand.command_text import parse_commands

    state = state_of(row["state"])
    started = time.perf_counter()
    understood = understander.understand(row["say"], state, row.get("previous"))
    seconds = time.perf_counter() - started
    right = CommandScore().add(parse_commands(row["expect"]), list(understood.commands), pending=state.pending is not None)
    return right, understood.confidence, seconds


def choose_sure(rows: list[dict], head_only, model_only, *, p95_budget_s: float = 0.3) -> dict:
    heads = [_read(head_only, r) for r in tqdm(rows, desc="fast head")]
    models = [_read(model_only, r) for r in tqdm(rows, desc="chat model")]
    table = []
    for sure in THRESHOLDS:
        picked = [(h if h[1] >= sure else m, h[1] < sure) for h, m in zip(heads, models)]
        seconds = sorted(h[2] + (m[2] if asked else 0.0) for (h, m), (_, asked) in zip(zip(heads, models), picked))
        table.append({"sure": sure, "exact": round(sum(p[0][0] for p in picked) / len(rows), 4),
                      "model_share": round(sum(asked for _, asked in picked) / len(rows), 4),
                      "p50_ms": round(1000 * statistics.median(seconds), 1),
                      "p95_ms": round(1000 * seconds[int(0.95 * (len(seconds) - 1))], 1)})
    within = [t for t in table if t["p95_ms"] <= 1000 * p95_budget_s] or table[-1:]
    best = max(within, key=lambda t: (t["exact"], -t["model_share"]))
    return {"cases": len(rows), "chosen_sure": best["sure"], "table": table,
            "head_alone_exact": round(sum(h[0] for h in heads) / len(rows), 4),
            "model_alone_exact": round(sum(m[0] for m in models) / len(rows), 4),
            "model_ms_p50": round(1000 * statistics.median(m[2] for m in models), 1)}
