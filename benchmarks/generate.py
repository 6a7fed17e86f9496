"""Generation speed: the engine that serves on this machine against llama.cpp on the same GGUF file, same run.

    .venv/bin/python -m benchmarks.generate            # full: 300 + 1500-token prompts, 1/4/8 sessions
    .venv/bin/python -m benchmarks.generate --quick    # reduced, under 3 minutes
    shopassist bench generate [--quick]

The serving engine is the one `SHOPASSIST_MODEL__ENGINE=auto` picks (ONNX Runtime GenAI on a CPU, our torch
loop on CUDA; `--engine` picks another). Fixed prompts (a shop system prompt listing demo-catalog products) of about 300 and 1,500
tokens, 128 new tokens, greedy, end-of-sequence suppressed so every run writes 128 tokens.
llama.cpp (`pip install -e .[bench]`) runs in a child process on the same token ids, so its
peak memory is its own. The last stdout line is one JSON object; a PNG chart is written.

Definitions: ttft = submit -> first token (prefill included); decode tok/s = (tokens - 1) /
(last token - first token); aggregate tok/s for N sessions = tokens written by all sessions
after the last one started decoding / that time window (batched steady state);
throughput tok/s = all tokens / wall time including every prefill.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@dataclass
class BenchConfig:
    prompt_tokens: tuple[int, ...] = (300, 1500)
    sessions: tuple[int, ...] = (1, 4, 8)
    new_tokens: int = 128
    threads: int = field(default_factory=lambda: os.cpu_count() or 1)
    dtype: str = "auto"  # engine dtype, as SHOPASSIST_MODEL__ENGINE_DTYPE
    weights: str = "int4"  # engine weights, as SHOPASSIST_MODEL__ENGINE_WEIGHTS
    engine: str = "auto"  # as SHOPASSIST_MODEL__ENGINE: the serving engine by default
    hf_reference: bool = True  # also time plain transformers generate (the unoptimized path)
    plot: Path = REPO / "artifacts" / "bench_generate.png"

    def __post_init__(self) -> None:
        if not self.prompt_tokens or min(self.prompt_tokens) < 32 or self.new_tokens < 2:
            raise ValueError("prompts of at least 32 tokens and at least 2 new tokens")
        if 1 not in self.sessions:
            raise ValueError("the session counts must include 1 (the single-stream baseline)")


class PeakRSS:
    """Highest resident memory of this process while the block runs (sampled every 10 ms)."""

    def __enter__(self) -> PeakRSS:
        self.peak, self._stop = self._rss(), threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())

    def _sample(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, self._rss())

    @staticmethod
    def _rss() -> int:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * resource.getpagesize()


def shop_prompt_ids(tokenizer, target: int, variant: int = 0) -> list[int]:
    """A chat prompt of about `target` tokens: system rules + catalog lines + a question."""
    catalog = [json.loads(line) for line in (REPO / "data" / "demo" / "catalog.jsonl").read_text().splitlines()]
    rules = ("You are ShopAssist, the friendly shopping assistant of an online store. Reply in one to three "
             "short sentences. Use only the facts below.\n\nProducts you may recommend:\n")
    lines, ids = [], []
    for i in range(len(catalog)):
        p = catalog[(i + 37 * variant) % len(catalog)]
        lines.append(f"{len(lines) + 1}. {p['title']} (${p['price']:.2f}): {p['description'].split('. ')[0]}.")
        chat = [{"role": "system", "content": rules + "\n".join(lines)},
                {"role": "user", "content": "Which of these would you recommend for a long flight, and why?"}]
        text = tokenizer.apply_chat_template(chat, tokenize=False, add_generation_prompt=True)
        ids = tokenizer(text, add_special_tokens=False)["input_ids"]
        if len(ids) >= target:
            return ids
    return ids


def timed(request_tokens, started: float) -> dict:
    stamps = [time.perf_counter() for _ in request_tokens]
    return {"start": started, "stamps": stamps, "ttft_ms": (stamps[0] - started) * 1000,
            "decode_tok_s": (len(stamps) - 1) / (stamps[-1] - stamps[0])}


def run_ours(engine, prompts: list[list[int]], new_tokens: int) -> dict:
    """All prompts submitted at once; each read in its own thread, as concurrent clients would."""
    results: list[dict] = [{}] * len(prompts)
    started = time.perf_counter()
    requests = [engine.submit(ids, max_new_tokens=new_tokens) for ids in prompts]

    def read(i: int) -> None:
        results[i] = timed(requests[i].tokens(), started)

    threads = [threading.Thread(target=read, args=(i,)) for i in range(len(prompts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    end = max(r["stamps"][-1] for r in results)
    steady_from = max(r["stamps"][0] for r in results)
    steady_tokens = sum(sum(s > steady_from for s in r["stamps"]) for r in results)
    return {
        "ttft_ms": sum(r["ttft_ms"] for r in results) / len(results),
        "decode_tok_s": sum(r["decode_tok_s"] for r in results) / len(results),
        "aggregate_tok_s": steady_tokens / (end - steady_from) if end > steady_from else results[0]["decode_tok_s"],
        "throughput_tok_s": sum(len(r["stamps"]) for r in results) / (end - started),
    }


def run_hf(loaded, ids: list[int], new_tokens: int) -> dict:
    import torch
    from transformers.generation.streamers import BaseStreamer

    stamps: list[float] = []

    class Stamp(BaseStreamer):
        def put(self, value):
            stamps.append(time.perf_counter())

        def end(self):
            pass

    started = time.perf_counter()
    with torch.inference_mode():
        loaded.model.generate(torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long),
                              max_new_tokens=new_tokens, min_new_tokens=new_tokens, do_sample=False,
                              pad_token_id=loaded.tokenizer.pad_token_id, streamer=Stamp())
    stamps = stamps[1:]  # the first put() is the prompt
    return {"ttft_ms": (stamps[0] - started) * 1000, "decode_tok_s": (len(stamps) - 1) / (stamps[-1] - stamps[0])}


def llamacpp_child(spec: dict) -> dict:
    """Runs in a child process: the same token ids through llama.cpp, greedy, EOS suppressed."""
    from llama_cpp import Llama

    llm = Llama(model_path=spec["gguf"], n_ctx=spec["n_ctx"], n_threads=spec["threads"],
                n_threads_batch=spec["threads"], n_batch=512, verbose=False)
    eos = llm.token_eos()
    out = {}
    with PeakRSS() as rss:
        for name, ids in spec["prompts"].items():
            for repeat in range(2):  # the first run warms up
                llm.reset()
                started = time.perf_counter()
                stamps = []
                for chunk in llm.create_completion(ids, max_tokens=spec["new_tokens"], temperature=0.0, top_k=1,
                                               repeat_penalty=1.0, logit_bias={eos: -1e9}, stream=True):
                    if chunk["choices"][0]["finish_reason"] is None:  # the closing chunk carries no token
                        stamps.append(time.perf_counter())
                out[name] = {"ttft_ms": (stamps[0] - started) * 1000, "tokens": len(stamps),
                             "decode_tok_s": (len(stamps) - 1) / (stamps[-1] - stamps[0])}
    out["peak_rss_mb"] = rss.peak / 2**20
    return out


def run_llamacpp(prompts: dict[str, list[int]], config: BenchConfig) -> dict | None:
    from assistant.generation.model import packaged_gguf

    spec = {"gguf": str(packaged_gguf()), "prompts": prompts, "new_tokens": config.new_tokens,
            "threads": config.threads, "n_ctx": max(map(len, prompts.values())) + config.new_tokens + 8}
    child = subprocess.run([sys.executable, "-m", "benchmarks.generate", "--llamacpp-child", json.dumps(spec)],
                           capture_output=True, text=True, cwd=REPO)
    if child.returncode != 0:
        print(f"llama.cpp run failed (is `pip install -e .[bench]` done?):\n{child.stderr[-2000:]}", file=sys.stderr)
        return None
    return json.loads(child.stdout.strip().splitlines()[-1])


def build(config: BenchConfig, *, prefix_entries: int = 0):
    import torch

    from assistant.generation.engine import Engine
    from assistant.generation.engine_model import FastLlama
    from assistant.generation.generator import build_onnx_engine, engine_dtype, resolve_engine
    from assistant.generation.model import load_chat_model
    from assistant.settings import Settings

    torch.set_num_threads(config.threads)
    settings = Settings(model={"device": "cpu", "engine_dtype": config.dtype, "engine_weights": config.weights,
                               "engine": config.engine, "threads": config.threads})
    loaded = load_chat_model(settings)
    slots = max(config.sessions)
    limits = settings.model.model_copy(update={"batch_slots": slots, "prefix_cache_entries": prefix_entries,
                                               "max_context": max(config.prompt_tokens) * 2 + config.new_tokens + 64})
    if resolve_engine(settings.model, loaded.device) == "onnx":
        onnx = build_onnx_engine(loaded, limits)
        onnx.eos_ids = set()  # every run writes all its tokens, as the torch engine's runs do
        return loaded, "onnx " + settings.model.onnx_precision, onnx
    fast = FastLlama(loaded.model, dtype=engine_dtype(loaded, settings.model), weights=config.weights, adapter=loaded.adapter)
    return loaded, f"ours {fast.dtype} {config.weights}", Engine(fast, eos_ids=set(), settings=limits)


def prefix_turns(engine, tokenizer, config: BenchConfig) -> dict:
    """Turn 1 of a session, then turn 2 = turn 1 + reply + a new question, with the prefix cache on."""
    first = shop_prompt_ids(tokenizer, config.prompt_tokens[0], variant=99)
    t1 = run_ours(engine, [first], config.new_tokens // 4)
    reply = list(engine.submit(first, max_new_tokens=8).tokens())  # as the session's reply, cached
    follow = tokenizer("<|im_end|>\n<|im_start|>user\nAnd which one is the cheapest?<|im_end|>\n<|im_start|>assistant\n",
                       add_special_tokens=False)["input_ids"]
    t2 = run_ours(engine, [first + reply + follow], config.new_tokens // 4)
    return {"first_turn_ttft_ms": t1["ttft_ms"], "second_turn_ttft_ms": t2["ttft_ms"],
            "prefix_ttft_ratio": t2["ttft_ms"] / t1["ttft_ms"]}


def benchmark(config: BenchConfig) -> dict:
    from tqdm import tqdm

    loaded, served, engine = build(config)
    tok = loaded.tokenizer
    prompts = {str(n): shop_prompt_ids(tok, n) for n in config.prompt_tokens}
    result: dict = {"config": {**asdict(config), "plot": str(config.plot), "engine": served,
                               "load_avg": os.getloadavg()}, "prompt_tokens": {k: len(v) for k, v in prompts.items()}}
    run_ours(engine, [prompts[str(config.prompt_tokens[0])]], 8)  # warm-up
    steps = [(n, s) for n in config.prompt_tokens for s in config.sessions]
    ours: dict = {}
    for n, sessions in tqdm(steps, desc=served, file=sys.stderr):
        batch = [shop_prompt_ids(tok, n, variant=i) for i in range(sessions)]
        with PeakRSS() as rss:
            ours[f"{n}x{sessions}"] = {**run_ours(engine, batch, config.new_tokens), "peak_rss_mb": rss.peak / 2**20}
    result["ours"] = ours
    print("timing llama.cpp ...", file=sys.stderr)
    result["llamacpp"] = run_llamacpp(prompts, config)
    if config.hf_reference:
        print("timing transformers generate ...", file=sys.stderr)
        short = prompts[str(config.prompt_tokens[0])]
        run_hf(loaded, short, 4)
        result["hf_generate"] = run_hf(loaded, short, config.new_tokens)
    engine_prefix = build(config, prefix_entries=4)[2]
    run_ours(engine_prefix, [prompts[str(config.prompt_tokens[0])]], 4)  # warm-up
    result["prefix"] = prefix_turns(engine_prefix, tok, config)
    result.update(headline(result, config))
    plot(result, config)
    return result


def headline(result: dict, config: BenchConfig) -> dict:
    """The issue's figures: single session on the shortest prompt, ratios to llama.cpp."""
    n = config.prompt_tokens[0]
    single = result["ours"][f"{n}x1"]
    cpp = (result["llamacpp"] or {}).get(str(n))
    figures = {
        "decode_tok_s": round(single["decode_tok_s"], 1),
        "ttft_ms": round(single["ttft_ms"], 1),
        "llamacpp_decode_tok_s": round(cpp["decode_tok_s"], 1) if cpp else None,
        "llamacpp_ttft_ms": round(cpp["ttft_ms"], 1) if cpp else None,
        "decode_ratio": round(single["decode_tok_s"] / cpp["decode_tok_s"], 3) if cpp else None,
        "ttft_ratio": round(single["ttft_ms"] / cpp["ttft_ms"], 3) if cpp else None,
        "aggregate_tok_s": {str(s): round(result["ours"][f"{n}x{s}"]["aggregate_tok_s"], 1) for s in config.sessions},
        "prefix_ttft_ratio": round(result["prefix"]["prefix_ttft_ratio"], 3),
    }
    figures["aggregate_ratio_max_sessions"] = round(figures["aggregate_tok_s"][str(max(config.sessions))] / single["decode_tok_s"], 2)
    if "hf_generate" in result:
        figures["hf_decode_tok_s"] = round(result["hf_generate"]["decode_tok_s"], 1)
        figures["hf_ttft_ms"] = round(result["hf_generate"]["ttft_ms"], 1)
    return figures


def plot(result: dict, config: BenchConfig) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, middle, right) = plt.subplots(1, 3, figsize=(14, 4))
    cpp = result["llamacpp"] or {}
    names = [str(n) for n in config.prompt_tokens]
    width = 0.35
    xs = range(len(names))
    for ax, key, title in ((left, "decode_tok_s", "decode tokens/s (1 session)"), (middle, "ttft_ms", "time to first token, ms")):
        ax.bar([x - width / 2 for x in xs], [result["ours"][f"{n}x1"][key] for n in names], width, label="ShopAssist engine")
        ax.bar([x + width / 2 for x in xs], [cpp.get(n, {}).get(key, 0) for n in names], width, label="llama.cpp")
        ax.set_xticks(list(xs), [f"{result['prompt_tokens'][n]}-token prompt" for n in names])
        ax.set_title(title)
        ax.legend()
    for n in names:
        right.plot(config.sessions, [result["ours"][f"{n}x{s}"]["aggregate_tok_s"] for s in config.sessions], "o-", label=f"{n}-token prompts")
    right.set_xlabel("concurrent sessions")
    right.set_title("aggregate decode tokens/s (ours)")
    right.legend()
    fig.suptitle(f"SmolLM2-135M on CPU, {config.threads} threads, engine {result['config']['engine']}")
    fig.tight_layout()
    config.plot.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(config.plot, dpi=110)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="one 300-token prompt, 1 and 4 sessions, 64 new tokens")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--dtype", default="auto", choices=["auto", "float32", "bfloat16"])
    parser.add_argument("--weights", default="int4", choices=["same", "int8", "int4"])
    parser.add_argument("--engine", default="auto", choices=["auto", "onnx", "fast"], help="default: the serving engine")
    parser.add_argument("--plot", type=Path, default=BenchConfig.plot)
    parser.add_argument("--llamacpp-child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.llamacpp_child:
        print(json.dumps(llamacpp_child(json.loads(args.llamacpp_child))))
        return
    config = BenchConfig(threads=args.threads, dtype=args.dtype, weights=args.weights, plot=args.plot, engine=args.engine)
    if args.quick:
        config = BenchConfig(prompt_tokens=(300,), sessions=(1, 4), new_tokens=64, threads=args.threads,
                             dtype=args.dtype, weights=args.weights, plot=args.plot, engine=args.engine)
    result = benchmark(config)
    print(json.dumps(result, indent=1), file=sys.stderr)
    print(json.dumps({k: result[k] for k in result if k not in {"ours", "llamacpp", "hf_generate", "prefix", "config"}}
                     | {"load_avg": result["config"]["load_avg"]}))


if __name__ == "__main__":
    main()
