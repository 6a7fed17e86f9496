"""Cold start, warm start and one turn's generation speed on this machine.

    .venv/bin/python -m benchmarks.startup            # prints one JSON object as its last line

Cold start = empty SHOPASSIST_HOME (GGUF conversion + index build) -> first reply.
Warm start = cache and index present -> ready to answer. Each start runs in a fresh
process, as a user would experience it (imports included).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time

CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
from assistant.pipeline import build_deps, run_turn
from assistant.settings import Settings
from assistant.types import Done, Token, Turn
deps = build_deps(Settings())
ready = time.perf_counter() - t0
turn = Turn("Can you recommend wireless headphones for long flights?", user_id="C0001")
prompt_tokens = None
first = None
n = 0
t1 = time.perf_counter()
for event in run_turn(turn, deps):
    if isinstance(event, Token):
        first = first or time.perf_counter()
    if isinstance(event, Done):
        reply = event.reply
end = time.perf_counter()
from assistant.prompt import build_prompt
tok = deps.generator.loaded.tokenizer
out_tokens = len(tok(reply.text, add_special_tokens=False)["input_ids"])
print(json.dumps({"ready_s": ready, "first_reply_s": end - t0, "turn_s": end - t1,
                  "ttft_s": first - t1, "decode_tok_s": (out_tokens - 1) / (end - first) if out_tokens > 1 else None,
                  "new_tokens": out_tokens, "intent": reply.intent.label, "timings": reply.timings}))
"""


def run_child(home: str) -> dict:
    env = {"SHOPASSIST_HOME": home, "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def prompt_length(home: str) -> int:
    code = r"""
from assistant.pipeline import build_deps
from assistant.prompt import build_prompt
from assistant.settings import Settings
from assistant.types import Turn
deps = build_deps(Settings())
turn = Turn("Can you recommend wireless headphones for long flights?", user_id="C0001")
intent = deps.intents.classify(turn.message)
hits = deps.retriever.search(turn.message, deps.settings.retrieval.top_k, view=deps.profiles.view("C0001"))
prompt = build_prompt(turn, intent, hits, deps.profiles.view("C0001"), deps.policies)
print(deps.generator.encode(prompt)["input_ids"].shape[1])
"""
    out = subprocess.run([sys.executable, "-c", code], env={"SHOPASSIST_HOME": home, "PATH": "/usr/bin:/bin"},
                         capture_output=True, text=True, check=True)
    return int(out.stdout.strip().splitlines()[-1])


def main() -> None:
    with tempfile.TemporaryDirectory() as home:
        t = time.perf_counter()
        cold = run_child(home)
        cold_wall = time.perf_counter() - t
        warm = run_child(home)
        tokens = prompt_length(home)
    result = {
        "cold_start_to_first_reply_s": round(cold_wall, 1),
        "warm_start_ready_s": round(warm["ready_s"], 1),
        "warm_first_reply_s": round(warm["first_reply_s"], 1),
        "ttft_ms": round(warm["ttft_s"] * 1000),
        "decode_tok_s": round(warm["decode_tok_s"], 1) if warm["decode_tok_s"] else None,
        "prompt_tokens": tokens,
        "new_tokens": warm["new_tokens"],
        "intent_ms": round(warm["timings"]["intent_s"] * 1000),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
