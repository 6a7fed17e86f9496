"""The OpenVINO GenAI child of benchmarks/runtimes.py, run by an interpreter that has openvino-genai.

OpenVINO's exporter (optimum-intel) pins an older transformers than ours, so its folder is exported
from a separate environment (see docs/benchmarks.md) and this file imports nothing of ShopAssist:

    <ov-python> benchmarks/runtimes_openvino.py SPEC.json     # prints one JSON line

SPEC holds what benchmarks/runtimes.py gives every child, plus "folder" (an `optimum-cli export
openvino` folder) and "adapter" (a peft adapter_model.safetensors applied at run time, or null when
the adapter was merged before the export). Prefix caching is off, as in every other runtime.
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time


def main(spec: dict) -> dict:
    import openvino as ov
    import openvino_genai as g

    def scheduler():
        s = g.SchedulerConfig()
        s.enable_prefix_caching = False
        s.cache_size = 1  # GB of KV cache
        s.max_num_seqs = max(8, spec["sessions"])
        return s

    properties = {"INFERENCE_NUM_THREADS": spec["threads"]}
    adapters = None
    if spec.get("adapter"):
        adapter = g.Adapter(spec["adapter"])
        adapters = g.AdapterConfig(adapter, spec.get("adapter_alpha", 2.0))
        properties["adapters"] = adapters
    started = time.perf_counter()
    pipe = g.ContinuousBatchingPipeline(spec["folder"], scheduler(), "CPU", properties)
    load_s = time.perf_counter() - started
    with open("/proc/self/statm") as f:
        rss_after_load = int(f.read().split()[1]) * resource.getpagesize() / 2**20

    def config(n: int, force: bool = True):
        c = g.GenerationConfig()
        c.max_new_tokens = n
        c.min_new_tokens = n if force else 0
        c.do_sample = False
        c.ignore_eos = force
        if adapters is not None:
            c.adapters = adapters
        return c

    class Stamp(g.StreamerBase):
        def __init__(self) -> None:
            super().__init__()
            self.stamps: list[float] = []

        def write(self, token):
            now = time.perf_counter()
            self.stamps += [now] * (len(token) if isinstance(token, list) else 1)
            return g.StreamingStatus.RUNNING

        def end(self):
            pass

    def single(ids: list[int], n: int) -> dict:
        stamp = Stamp()
        started = time.perf_counter()
        pipe.generate([ov.Tensor([ids])], [config(n)], stamp)
        s = stamp.stamps
        return {"ttft_ms": (s[0] - started) * 1000, "decode_tok_s": (len(s) - 1) / (s[-1] - s[0])}

    def batch(ids: list[int], n: int, k: int) -> float:
        started = time.perf_counter()
        results = pipe.generate([ov.Tensor([ids])] * k, [config(n)] * k)
        tokens = sum(len(r.m_generation_ids[0]) for r in results)
        return tokens / (time.perf_counter() - started)

    n, prompt = spec["new_tokens"], spec["timing_prompt"]
    single(prompt, n)  # warm-up
    singles = [single(prompt, n) for _ in range(spec["repeats"])]
    batch(prompt, 8, 2)  # warm-up
    batched = [batch(prompt, n, spec["sessions"]) for _ in range(spec["repeats"])]
    tokens = []
    for ids in spec["agreement_prompts"]:
        result = pipe.generate([ov.Tensor([ids])], [config(n)])[0]
        tokens.append([int(t) for t in result.m_generation_ids[0]])
    return {"load_s": load_s, "rss_after_load_mb": rss_after_load,
            "ttft_ms": statistics.median(r["ttft_ms"] for r in singles),
            "ttft_ms_runs": [round(r["ttft_ms"], 1) for r in singles],
            "decode_tok_s": statistics.median(r["decode_tok_s"] for r in singles),
            "decode_tok_s_runs": [round(r["decode_tok_s"], 1) for r in singles],
            f"agg{spec['sessions']}_tok_s": statistics.median(batched),
            "agg_runs": [round(b, 1) for b in batched],
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "tokens": tokens}


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        print(json.dumps(main(json.load(f))))
