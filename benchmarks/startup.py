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
import json, tempfile, time
t0 = time.perf_counter()
from assistant.history import ConversationStore
from assistant.deps import build_deps
from assistant.reply.writer import draft_prompt
from assistant.settings import Settings
from assistant.turn import Finished, build_service
settings = Settings()
deps = build_deps(settings)
service = build_service(settings, deps, store=ConversationStore(f"sqlite:///{tempfile.mkdtemp()}/c.db"))
ready = time.perf_counter() - t0
# The whole turn: understanding, search, profile, the model's draft and its check.
done = [e for e in service.turn("Can you recommend wireless headphones for long flights?", user_id="C0001")
        if isinstance(e, Finished)][0]
first_reply = time.perf_counter() - t0
# Generation alone on a turn not seen before (another customer and question): the draft prompt, raw tokens.
_, answer, _, _ = service.plan("I want a coffee maker for my morning coffee, what do you have?", user_id="C0002",
                               session_id=None, context={})
prompt = draft_prompt(answer, "I want a coffee maker for my morning coffee, what do you have?")
t1 = time.perf_counter()
pieces = []
for piece in deps.generator.stream(prompt):
    pieces.append((time.perf_counter(), piece))
end = time.perf_counter()
tokens = len(deps.generator.loaded.tokenizer("".join(p for _, p in pieces), add_special_tokens=False)["input_ids"])
first = pieces[0][0]
print(json.dumps({"ready_s": ready, "first_reply_s": first_reply, "ttft_s": first - t1,
                  "decode_tok_s": (tokens - 1) / (end - first) if tokens > 1 else None, "new_tokens": tokens,
                  "prompt_tokens": len(deps.generator.encode(prompt).ids), "intent": done.intent.label,
                  "timings": done.timings}))
"""


def run_child(home: str) -> dict:
    env = {"SHOPASSIST_HOME": home, "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    with tempfile.TemporaryDirectory() as home:
        t = time.perf_counter()
        run_child(home)  # the cold start: its wall time is the figure
        cold_wall = time.perf_counter() - t
        warm = run_child(home)
    result = {
        "cold_start_to_first_reply_s": round(cold_wall, 1),
        "warm_start_ready_s": round(warm["ready_s"], 1),
        "warm_first_reply_s": round(warm["first_reply_s"], 1),
        "ttft_ms": round(warm["ttft_s"] * 1000),
        "decode_tok_s": round(warm["decode_tok_s"], 1) if warm["decode_tok_s"] else None,
        "prompt_tokens": warm["prompt_tokens"],
        "new_tokens": warm["new_tokens"],
        "plan_ms": round(warm["timings"]["plan_s"] * 1000),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
