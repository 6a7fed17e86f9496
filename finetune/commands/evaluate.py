"""How well understanding reads a held-out command set, beside the rules-only router it replaces.

    shopassist evaluate understanding --cases benchmarks/cases/commands_heldout.jsonl

Each case is one turn: the session's state, the previous message, the message and the expected command
lines (`benchmarks/cases/commands_heldout.jsonl`: hand-written turns and turns built from held-out
phrasing groups, never trained on). Reported for understanding as it serves (safety path, fast head,
chat model, checks) and for the rules-only router (`finetune/rules_baseline.py`): command-type accuracy,
exact match, slot precision / recall / F1 (all and per slot), exclusion slots, yes/no with a change waiting,
and per source and language (a case's `lang`, else English). Also who read each turn (head, model, fallback), the retries, and the time per message.
The last stdout line is one JSON object; a bar chart goes to `--plot`.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from finetune.commands.example import state_of
from finetune.commands.scoring import CommandScore


def read_cases(path: Path) -> list[dict]:
    from data.errors import BadInput

    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BadInput(f"{path}:{number} is not JSON ({exc.msg})") from None
        missing = [k for k in ("say", "expect", "state") if k not in row]
        if missing:
            raise BadInput(f"{path}:{number} lacks {', '.join(missing)}", hint="each case needs say, expect and state")
        rows.append(row)
    return rows


def evaluate_understanding(cases: Path, understander, baseline, *, plot: Path | None = None, progress: bool = True) -> dict:
    from tqdm.auto import tqdm

    from assistant.understand.command_text import parse_commands

    rows = read_cases(cases)
    model, rules = CommandScore(), CommandScore()
    by_source: dict[str, CommandScore] = {}
    by_language: dict[str, CommandScore] = {}
    sources: dict[str, int] = {}
    retried = fallback = 0
    seconds = []
    misses = []
    for row in tqdm(rows, desc="understanding", disable=not progress):
        state = state_of(row["state"])
        expected = parse_commands(row["expect"])
        started = time.perf_counter()
        understood = understander.understand(row["say"], state, row.get("previous"))
        seconds.append(time.perf_counter() - started)
        pending = state.pending is not None
        if not model.add(expected, list(understood.commands), pending=pending):
            misses.append({"id": row.get("id"), "say": row["say"], "expect": row["expect"],
                           "got": "\n".join(_lines(understood.commands)), "source": understood.source})
        source = row.get("source", "cases").split(":")[0]
        by_source.setdefault(source, CommandScore()).add(expected, list(understood.commands), pending=pending)
        by_language.setdefault(row.get("lang", "en"), CommandScore()).add(expected, list(understood.commands), pending=pending)
        sources[understood.source] = sources.get(understood.source, 0) + 1
        retried += understood.retried
        fallback += understood.fallback
        rules.add(expected, baseline.commands(row["say"], state, row.get("user")), pending=pending)
    ms = sorted(s * 1000 for s in seconds)
    result = {
        "cases": len(rows), "understanding": _headline(model.report()), "rules_baseline": _headline(rules.report()),
        "by_source": {k: _headline(v.report()) for k, v in sorted(by_source.items())},
        "by_language": {k: {m: v.report()[m] for m in ("turns", "command_type_accuracy", "slot_f1")} for k, v in sorted(by_language.items())},
        "read_by": sources, "retried": retried, "fallback": fallback,
        "latency_ms_p50": round(statistics.median(ms), 1), "latency_ms_p95": round(ms[int(0.95 * (len(ms) - 1))], 1),
        "slots": model.report()["slots"], "rules_baseline_slots": rules.report()["slots"],
        "misses": misses,
    }
    if plot is not None:
        _plot(result, plot)
    return result


def _lines(commands) -> list[str]:
    from assistant.understand.command_text import format_command

    return [format_command(c) for c in commands]


def _headline(report: dict) -> dict:
    keep = ("turns", "command_type_accuracy", "exact_match", "slot_f1", "slot", "exclusion_slots", "confirm_deny_in_context",
            "by_first_kind")
    return {k: report[k] for k in keep}


def _plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = ("command_type_accuracy", "slot_f1", "exclusion_f1", "confirm_deny")
    pick = lambda r: (r["command_type_accuracy"], r["slot_f1"], r["exclusion_slots"]["f1"],  # noqa: E731
                      r["confirm_deny_in_context"]["accuracy"])
    fig, ax = plt.subplots(figsize=(7, 3.4))
    width = 0.38
    for offset, (label, values) in enumerate((("understanding", pick(result["understanding"])),
                                              ("rules only", pick(result["rules_baseline"])))):
        xs = [i + offset * width for i in range(len(names))]
        ax.bar(xs, values, width, label=label)
        for x, v in zip(xs, values):
            ax.text(x, v + 0.01, f"{v:.2f}", ha="center", fontsize=7)
    ax.set_xticks([i + width / 2 for i in range(len(names))], ["command type", "slot F1", "exclusions", "yes/no in context"])
    ax.set_ylim(0, 1.1)
    ax.set_title(f"held-out command set ({result['cases']} turns)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
