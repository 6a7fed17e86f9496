"""Which runtime serves our model *with its LoRA adapter* fastest on this CPU: side by side, one run.

    flock /tmp/bench.lock .venv/bin/python -m benchmarks.runtimes                 # all runtimes below
    .venv/bin/python -m benchmarks.runtimes --runtimes ours-int4,ort-int4 --repeats 1   # a quick look

Runtimes: `ours-int4` (assistant/generation/engine.py, the CPU default: int4 weights with the adapter
kept beside them, compute dtype "auto" = bf16 only on CPUs with native bf16), `ours-bf16` /
`ours-fp32` (dense weights, adapter merged), `ort-int4` / `ort-int8` / `ort-fp32` (ONNX Runtime
GenAI, exported here from the converted HF folder with the adapter baked in beside the weights,
assistant/generation/onnx_engine.py), `ov-merged` / `ov-adapter` (OpenVINO GenAI int8, the adapter
merged before the export or applied at run time; only with `--openvino-python` and a folder:
its exporter cannot be installed beside our pins, see benchmarks/runtimes_openvino.py). llama.cpp
is not run here (compare with benchmarks/generate.py or FACTS.md).

Every runtime runs in its own child process (its own peak RSS, its own thread pool) on the same
token ids: draft prompts as assistant/reply/writer.py builds them (system rules + product facts +
the shopper's message), the first of about 330 tokens. Greedy, end-of-sequence suppressed, 128 new
tokens, `--threads` (2) threads, prefix caching off; median of `--repeats` (3) after a warm-up.

Figures: ttft_ms = submit -> first token at ~330 prompt tokens; decode_tok_s = (tokens - 1) / (last
- first token), one stream; agg8_tok_s = 8 x 128 tokens / wall time of 8 requests submitted at once
(prefills included; a runtime that does not batch serves them in turn); rss_mb = peak RSS of the
child; export_s = one-time export (ORT: the builder; ours: quantizing at start-up).
Agreement: tokens identical position by position with transformers + peft float32 over 128 greedy
tokens on 5 draft prompts (and with the base model without the adapter: the adapter is kept when a
runtime agrees with peft and not with base). The last stdout line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ALL = ("ours-int4", "ours-bf16", "ours-fp32", "ort-int4", "ort-int8", "ort-fp32")
QUESTIONS = (
    "Which of these would you recommend for a long flight, and why?",
    "I need something waterproof for hiking next week, what do you have?",
    "Is there anything here under $50 that is in stock?",
    "Which one has the best rating?",
    "Can you compare the first two for me?",
)


def draft_prompt_ids(tokenizer, variant: int, target: int = 330) -> list[int]:
    """A draft prompt as the turn service builds it (writer.draft_prompt), grown to about `target` tokens."""
    from assistant.reply.answer import Answer
    from assistant.reply.writer import draft_prompt

    catalog = [json.loads(line) for line in (REPO / "data" / "demo" / "catalog.jsonl").read_text().splitlines()]
    facts: list[str] = []
    ids: list[int] = []
    for i in range(len(catalog)):
        p = catalog[(i + 11 * variant) % len(catalog)]
        stock = "in stock" if (p.get("stock") or 0) > 0 else "out of stock at the moment"
        facts.append(f"Product {len(facts) + 1}: {p['title']} (${p['price']:,.2f}, rated {p['rating']}/5, {stock}). "
                     f"{p['description'].split('. ')[0]}.")
        answer = Answer("search", "", facts=tuple(facts), required=((catalog[(11 * variant) % len(catalog)]["title"],),))
        prompt = draft_prompt(answer, QUESTIONS[variant % len(QUESTIONS)])
        chat = [{"role": m.role, "content": m.content} for m in prompt.messages]
        text = tokenizer.apply_chat_template(chat, tokenize=False, add_generation_prompt=True)
        ids = tokenizer(text, add_special_tokens=False)["input_ids"]
        if len(ids) >= target:
            return ids
    return ids


# ---- children: one runtime each ----------------------------------------------------------------
def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def _timed(request_tokens, started: float) -> dict:
    stamps = [time.perf_counter() for _ in request_tokens]
    return {"stamps": stamps, "ttft_ms": (stamps[0] - started) * 1000,
            "decode_tok_s": (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 1 else 0.0}


def _run_engine(engine, prompts: list[list[int]], new_tokens: int, **submit) -> dict:
    """All prompts submitted at once, each read in its own thread as concurrent clients would."""
    results: list[dict] = [{}] * len(prompts)
    errors: list[BaseException] = []
    started = time.perf_counter()
    requests = [engine.submit(ids, max_new_tokens=new_tokens, **submit) for ids in prompts]

    def read(i: int) -> None:
        try:
            results[i] = _timed(requests[i].tokens(), started)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=read, args=(i,)) for i in range(len(prompts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    end = max(r["stamps"][-1] for r in results)
    return {"ttft_ms": results[0]["ttft_ms"], "decode_tok_s": results[0]["decode_tok_s"],
            "tokens": sum(len(r["stamps"]) for r in results), "agg_tok_s": sum(len(r["stamps"]) for r in results) / (end - started)}


class _NoEos:
    """FastLlama with the end-of-sequence logits masked, so every run writes all its tokens."""

    def __init__(self, model, eos: set[int]) -> None:
        self._model, self._eos = model, sorted(eos)

    def __getattr__(self, name):
        return getattr(self._model, name)

    def forward(self, *args, **kwargs):
        import torch

        with torch.inference_mode():
            logits = self._model.forward(*args, **kwargs)
            logits[..., self._eos] = float("-inf")
        return logits


def _ours(spec: dict) -> tuple[object, dict, dict]:
    import torch

    from assistant.generation.engine import Engine
    from assistant.generation.engine_model import FastLlama
    from assistant.generation.generator import engine_dtype, eos_ids
    from assistant.generation.model import load_chat_model
    from assistant.settings import Settings

    torch.set_num_threads(spec["threads"])
    # ours-int4: the served default (compute dtype "auto": bf16 where the CPU has it natively, else
    # float32); ours-bf16 / ours-fp32: dense weights in that dtype.
    weights, dtype = {"ours-int4": ("int4", "auto"), "ours-bf16": ("same", "bfloat16"),
                      "ours-fp32": ("same", "float32")}[spec["runtime"]]
    settings = Settings(model={"device": "cpu", "threads": spec["threads"], "engine_weights": weights,
                               "engine_dtype": dtype, "batch_slots": spec["sessions"], "prefix_cache_entries": 0,
                               "max_context": 2048})
    started = time.perf_counter()
    loaded = load_chat_model(settings)
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    fast = FastLlama(loaded.model, dtype=engine_dtype(loaded, settings.model), weights=weights, adapter=loaded.adapter)
    prepare_s = time.perf_counter() - started
    engine = Engine(_NoEos(fast, eos_ids(loaded)), eos_ids=set(), settings=settings.model)
    return engine, {}, {"load_s": load_s, "export_s": prepare_s}


def _ort(spec: dict) -> tuple[object, dict, dict]:
    from assistant.generation.onnx_engine import OnnxEngine

    started = time.perf_counter()
    engine = OnnxEngine(Path(spec["folder"]), eos_ids=set(), threads=spec["threads"], slots=spec["sessions"])
    return engine, {"ignore_eos": True}, {"load_s": time.perf_counter() - started}


def _reference(spec: dict) -> dict:
    """transformers float32 greedy tokens with the adapter (peft, unmerged) and without it."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    from assistant.generation.model import resolve_adapter, resolve_model_dir
    from assistant.settings import Settings

    torch.set_num_threads(spec["threads"])
    settings = Settings(model={"device": "cpu"})
    path = resolve_model_dir(settings)
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32)

    def greedy(m) -> list[list[int]]:
        out = []
        for ids in spec["agreement_prompts"]:
            with torch.inference_mode():
                o = m.generate(torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long),
                               max_new_tokens=spec["new_tokens"], min_new_tokens=spec["new_tokens"], do_sample=False,
                               pad_token_id=2)
            out.append(o[0, len(ids):].tolist())
        return out

    base = greedy(model)
    peft = greedy(PeftModel.from_pretrained(model, resolve_adapter(settings)))
    return {"base": base, "peft": peft}


def child(spec: dict) -> dict:
    if spec["runtime"] == "reference":
        return _reference(spec)
    if spec["runtime"].startswith("ours"):
        engine, submit, info = _ours(spec)
    else:
        engine, submit, info = _ort(spec)
    info["rss_after_load_mb"] = _rss_mb()
    n, prompt = spec["new_tokens"], spec["timing_prompt"]
    _run_engine(engine, [prompt], n, **submit)  # warm-up
    single = [_run_engine(engine, [prompt], n, **submit) for _ in range(spec["repeats"])]
    _run_engine(engine, [prompt] * 2, 8, **submit)  # warm-up of the batched shapes
    batched = [_run_engine(engine, [prompt] * spec["sessions"], n, **submit) for _ in range(spec["repeats"])]
    tokens = []
    for ids in spec["agreement_prompts"]:
        request = engine.submit(ids, max_new_tokens=n, **submit)
        tokens.append(list(request.tokens()))
    return {**info,
            "ttft_ms": statistics.median(r["ttft_ms"] for r in single),
            "ttft_ms_runs": [round(r["ttft_ms"], 1) for r in single],
            "decode_tok_s": statistics.median(r["decode_tok_s"] for r in single),
            "decode_tok_s_runs": [round(r["decode_tok_s"], 1) for r in single],
            f"agg{spec['sessions']}_tok_s": statistics.median(r["agg_tok_s"] for r in batched),
            "agg_runs": [round(r["agg_tok_s"], 1) for r in batched],
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "tokens": tokens}


def run_child(spec: dict) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(spec, f)
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", OMP_NUM_THREADS=str(spec["threads"]))
    if spec["runtime"].startswith("ov"):  # its own interpreter: openvino-genai's exporter env
        command = [spec["python"], str(REPO / "benchmarks" / "runtimes_openvino.py"), f.name]
    else:
        command = [sys.executable, "-m", "benchmarks.runtimes", "--child", f.name]
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    os.unlink(f.name)
    if done.returncode != 0:
        raise RuntimeError(f"{spec['runtime']} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---- parent -------------------------------------------------------------------------------------
def agreement(tokens: list[list[int]], reference: list[list[int]]) -> dict:
    same = [sum(a == b for a, b in zip(t, r)) for t, r in zip(tokens, reference)]
    prefix = []
    for t, r in zip(tokens, reference):
        k = 0
        while k < min(len(t), len(r)) and t[k] == r[k]:
            k += 1
        prefix.append(k)
    return {"identical": same, "common_prefix": prefix, "of": [len(r) for r in reference]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runtimes", default=",".join(ALL))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sessions", type=int, default=8)
    parser.add_argument("--new-tokens", type=int, default=128)
    parser.add_argument("--openvino-python", default=None, help="an interpreter with openvino-genai (see runtimes_openvino.py)")
    parser.add_argument("--openvino-merged", type=Path, default=None,
                        help="`optimum-cli export openvino` folder of the model with the adapter merged in (ov-merged)")
    parser.add_argument("--openvino-base", type=Path, default=None,
                        help="the same export of the base model; the adapter is applied at run time (ov-adapter)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(json.loads(Path(args.child).read_text()))))
        return

    from tqdm import tqdm
    from transformers import AutoTokenizer

    from assistant.generation.model import resolve_adapter, resolve_model_dir
    from assistant.generation.onnx_engine import export_onnx
    from assistant.settings import Settings

    settings = Settings()
    model_dir, adapter = resolve_model_dir(settings), resolve_adapter(settings)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    prompts = [draft_prompt_ids(tokenizer, v) for v in range(len(QUESTIONS))]
    base = {"threads": args.threads, "repeats": args.repeats, "sessions": args.sessions, "new_tokens": args.new_tokens,
            "timing_prompt": prompts[0], "agreement_prompts": prompts}
    runtimes = [r for r in args.runtimes.split(",") if r]
    openvino = {"ov-merged": args.openvino_merged, "ov-adapter": args.openvino_base}
    runtimes += [name for name, folder in openvino.items() if folder is not None and args.openvino_python]
    result: dict = {"load_avg_start": os.getloadavg(), "prompt_tokens": [len(p) for p in prompts],
                    "threads": args.threads, "repeats": args.repeats, "new_tokens": args.new_tokens, "runtimes": {}}
    reference = run_child({**base, "runtime": "reference"})
    exports = Path(tempfile.mkdtemp(prefix="shopassist-onnx-"))
    for runtime in tqdm(runtimes, desc="runtimes", file=sys.stderr, disable=not sys.stderr.isatty()):
        spec = {**base, "runtime": runtime}
        export_s = None
        if runtime.startswith("ort"):
            started = time.perf_counter()
            spec["folder"] = str(export_onnx(model_dir, adapter, exports, precision=runtime.split("-")[1], progress=False))
            export_s = time.perf_counter() - started
        elif runtime.startswith("ov"):
            spec.update(python=args.openvino_python, folder=str(openvino[runtime]),
                        adapter=str(adapter / "adapter_model.safetensors") if runtime == "ov-adapter" else None)
        try:
            figures = run_child(spec)
        except RuntimeError as exc:
            print(str(exc), file=sys.stderr)
            result["runtimes"][runtime] = {"error": str(exc)[-500:]}
            continue
        if export_s is not None:
            figures["export_s"] = export_s
        tokens = figures.pop("tokens")
        figures["agree_peft"] = agreement(tokens, reference["peft"])
        figures["agree_base"] = agreement(tokens, reference["base"])
        result["runtimes"][runtime] = figures
    shutil.rmtree(exports, ignore_errors=True)
    result["reference_peft_vs_base"] = agreement(reference["peft"], reference["base"])
    result["load_avg_end"] = os.getloadavg()
    print_table(result, args.sessions)
    print(json.dumps(result))


def print_table(result: dict, sessions: int) -> None:
    n = result["new_tokens"]
    print(f"prompt tokens (timing prompt first): {result['prompt_tokens']}; load average {result['load_avg_start']}")
    print(f"| runtime | TTFT ms | decode tok/s | {sessions} seq tok/s | peak RSS MB | export s | "
          f"identical to peft (of {n}, 5 prompts) | identical to base |")
    print("|---|---|---|---|---|---|---|---|")
    for name, r in result["runtimes"].items():
        if "error" in r:
            print(f"| {name} | failed | | | | | | |")
            continue
        print(f"| {name} | {r['ttft_ms']:.0f} | {r['decode_tok_s']:.1f} | {r[f'agg{sessions}_tok_s']:.1f} | "
              f"{r['rss_mb']:.0f} | {r.get('export_s', 0):.1f} | {r['agree_peft']['identical']} | {r['agree_base']['identical']} |")
    print(f"peft vs base (the adapter's effect): {result['reference_peft_vs_base']['identical']}")


if __name__ == "__main__":
    main()
