"""The chat model on ONNX Runtime GenAI (CPU): a one-time offline export and a streaming engine.

    folder = export_onnx(model_dir, adapter, settings.model_cache)        # once, at setup (about 20-30 s)
    engine = OnnxEngine(folder, eos_ids={2}, threads=2)
    request = engine.submit(prompt_ids, max_new_tokens=110)
    for token_id in request.tokens(): ...                                   # closing the iterator cancels it

Export. `onnxruntime_genai.models.builder` turns the converted Hugging Face folder into one ONNX
graph. The LoRA adapter is baked in *beside* the base weights (`adapter_path=`: every adapted
projection becomes base MatMul + lora_A MatMul + lora_B MatMul + Add), never merged: a LoRA delta is
about a hundredth of one int4 step, so quantizing merged weights rounds the adapter away (see
engine_model.py). The recipe ("int8", the default): base projections as uint8 in blocks of 32 with
a zero point, the LoRA matmuls left in float32 (they are tiny). "int4" is the same in 4 bits (the
output matrix int8, the embedding float32) but ORT's integer zero points cannot hold the GGUF's Q4_1
grid, so its greedy text leaves the float32 reference within a few tokens (benchmarks/runtimes.py). The folder is written under `<model cache>/` with a name that carries a fingerprint of
the source weights, the adapter, the recipe and the runtime version; a finished folder is reused,
an interrupted export leaves only a `.partial` folder that the next export replaces.

Engine. One worker thread owns the ONNX model. Requests get their own ORT GenAI `Generator`
(KV cache sized to prompt + reply, not to the 8k context) and are stepped round-robin one token at
a time, so concurrent sessions all stream; on CPU the runtime does not batch sequences of different
lengths, so the aggregate rate is that of one stream. Tokens go to unbounded per-request queues
(the same `Request` as the torch engine), a cancelled or closed request is dropped at the next step.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import queue
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from assistant.generation.engine import _END, Request

log = logging.getLogger(__name__)
OnnxPrecision = Literal["int4", "int8", "fp32"]
RECIPE = 1  # bump when the export options change: the fingerprint, and so the folder, changes
INSTALL_HINT = "install it with: .venv/bin/pip install onnxruntime-genai==0.18.0 onnx==1.23.2 onnx-ir==1.1.0"


def runtime_version() -> str:
    import onnxruntime_genai

    return onnxruntime_genai.__version__


def lora_node_names(layers: int) -> list[str]:
    """The builder's names of the adapter's MatMul nodes (kept in float32 by the int4/int8 recipes)."""
    modules = [f"attn/{p}_proj" for p in ("q", "k", "v", "o")] + [f"mlp/{p}_proj" for p in ("gate", "up", "down")]
    return [f"/model/layers.{i}/{m}/lora_{ab}/MatMul" for i in range(layers) for m in modules for ab in ("A", "B")]


def export_options(model_dir: Path, adapter: Path | None, precision: OnnxPrecision) -> dict[str, str]:
    """`--extra_options` of the builder for our recipe."""
    options: dict[str, str] = {"hf_token": "false"}
    if adapter is not None:
        options["adapter_path"] = str(adapter)
    if precision in ("int4", "int8"):
        layers = json.loads((model_dir / "config.json").read_text())["num_hidden_layers"]
        options["is_symmetric"] = "false"  # scale + zero point per block: Q4_1's grid
        options["block_size"] = "32"
        options["accuracy_level"] = "4"  # int8 activations in MatMulNBits: the fast CPU kernels (1 and 3 gave the same tokens)
        excluded = lora_node_names(layers) if adapter is not None else []
        if precision == "int4":
            # The output matrix is Q8_0 in the GGUF: int8 here. The input embedding is a lookup (one
            # row read per token), so it stays float32 instead of sharing the int4 output matrix.
            options["matmul_mixed_precision"] = "last_matmul:int8"
            excluded.append("/model/embed_tokens/Gather")
        if excluded:
            options["nodes_to_exclude"] = ",".join(excluded)
    return options


BIG = 64 << 20  # files larger than this are fingerprinted by size and modification time, not read


def _digest(paths: Iterable[Path]) -> str:
    h = hashlib.sha256()
    for path in paths:
        stat = path.stat()
        h.update(f"{path.name}:{stat.st_size}".encode())
        if stat.st_size > BIG:  # the converted weights (0.5 GB): rewritten only by a new conversion
            h.update(str(stat.st_mtime_ns).encode())
            continue
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 22), b""):
                h.update(chunk)
    return h.hexdigest()


def fingerprint(model_dir: Path, adapter: Path | None, precision: OnnxPrecision) -> str:
    """What the export depends on: source weights and config, adapter, recipe, runtime version."""
    sources = [model_dir / "config.json", *sorted(model_dir.glob("*.safetensors"))]
    if adapter is not None:
        sources += [adapter / "adapter_config.json", adapter / "adapter_model.safetensors"]
    options = {k: v for k, v in export_options(model_dir, adapter, precision).items() if k != "adapter_path"}
    recipe = json.dumps({"recipe": RECIPE, "precision": precision, "runtime": runtime_version(),
                         "adapter": adapter is not None, "options": options}, sort_keys=True)
    return hashlib.sha256((recipe + _digest(sources)).encode()).hexdigest()[:16]


def onnx_dir(model_dir: Path, adapter: Path | None, cache: Path, precision: OnnxPrecision = "int8") -> Path:
    return cache / f"{model_dir.name}.onnx-{precision}{'-lora' if adapter else ''}-{fingerprint(model_dir, adapter, precision)}"


def export_onnx(model_dir: Path, adapter: Path | None, cache: Path, *, precision: OnnxPrecision = "int8",
                progress: bool = True) -> Path:
    """The ONNX Runtime GenAI folder for this model + adapter, exported once (idempotent by fingerprint).

    Runs the builder in a child process (it peaks near 2 GB and leaves nothing behind in this one);
    offline: it reads only `model_dir` and `adapter`."""
    from tqdm.auto import tqdm

    try:
        runtime_version()
    except ImportError as exc:
        from data.errors import ModelUnavailable

        raise ModelUnavailable("onnxruntime-genai is not installed", hint=INSTALL_HINT) from exc
    steps = tqdm(total=3, desc="ONNX export", unit="step", disable=not progress)
    try:
        steps.set_postfix_str("fingerprint")
        target = onnx_dir(model_dir, adapter, cache, precision)
        steps.update()
        if (target / "genai_config.json").exists():
            steps.update(2)
            return target
        partial = target.with_name(target.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        options = export_options(model_dir, adapter, precision)
        command = [sys.executable, "-m", "onnxruntime_genai.models.builder", "-i", str(model_dir), "-o", str(partial),
                   "-p", precision, "-e", "cpu", "-c", str(partial / "_build"),
                   "--extra_options", *(f"{k}={v}" for k, v in options.items())]
        steps.set_postfix_str(f"building {precision} graph")
        env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        if done.returncode != 0 or not (partial / "genai_config.json").exists():
            tail = (done.stdout + done.stderr)[-2000:]
            raise RuntimeError(f"onnxruntime-genai export failed (exit {done.returncode}):\n{tail}")
        steps.update()
        steps.set_postfix_str("finishing")
        shutil.rmtree(partial / "_build", ignore_errors=True)
        (partial / "shopassist_export.json").write_text(json.dumps(
            {"source": str(model_dir), "adapter": str(adapter) if adapter else None, "precision": precision,
             "recipe": RECIPE, "runtime": runtime_version(), "options": {k: v for k, v in options.items()
                                                                          if k != "nodes_to_exclude"}}, indent=1))
        shutil.rmtree(target, ignore_errors=True)
        partial.rename(target)  # atomic: an interrupted export never leaves a folder that looks finished
        steps.update()
        log.info("exported the chat model for ONNX Runtime GenAI into %s", target)
        return target
    finally:
        steps.close()


def export_for_settings(settings, precision: OnnxPrecision | None = None, *, progress: bool = True) -> Path:
    """The setup step: export the configured model (converted once) + adapter into the model cache.

    Offline and idempotent: a second call finds the folder by its fingerprint and returns at once."""
    from assistant.generation.model import resolve_adapter, resolve_model_dir

    chosen = precision or settings.model.onnx_precision
    return export_onnx(resolve_model_dir(settings), resolve_adapter(settings), settings.model_cache,
                       precision=chosen, progress=progress)


def load_onnx_model(folder: Path, threads: int = 0):
    """An `onnxruntime_genai.Model` on the CPU with `threads` intra-op threads (0 = the runtime's default)."""
    import onnxruntime_genai as og

    config = og.Config(str(folder))
    config.clear_providers()
    if threads:
        config.overlay(json.dumps({"model": {"decoder": {"session_options": {
            "intra_op_num_threads": threads, "inter_op_num_threads": 1}}}}))
    return og.Model(config)


class _Live:
    """One request being generated: its ORT GenAI generator and how many tokens it has written."""

    def __init__(self, request: Request, generator) -> None:
        self.request, self.generator, self.written = request, generator, 0


class OnnxEngine:
    """Streams token ids from an ORT GenAI model; one worker thread, requests stepped round-robin."""

    def __init__(self, folder: Path, *, eos_ids: set[int], threads: int = 0, slots: int = 8,
                 vocab: int | None = None) -> None:
        self.folder, self.eos_ids, self.slots = Path(folder), set(eos_ids), slots
        self.model = load_onnx_model(self.folder, threads)
        config = json.loads((self.folder / "genai_config.json").read_text())["model"]
        self.context = int(config["context_length"])
        self.vocab = vocab or int(config["vocab_size"])
        self.waiting: queue.Queue[Request] = queue.Queue()
        self._live: list[_Live] = []
        self._ignore_eos: dict[int, bool] = {}
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="onnx-engine", daemon=True)
        self._thread.start()

    def submit(self, ids: list[int], *, max_new_tokens: int, repetition_penalty: float = 1.0,
               temperature: float = 0.0, ignore_eos: bool = False) -> Request:
        """`ignore_eos`: write all `max_new_tokens` (end-of-sequence suppressed), for benchmarks."""
        if not ids:
            raise ValueError("empty prompt")
        if len(ids) + max_new_tokens > self.context:
            raise ValueError(f"prompt of {len(ids)} tokens + {max_new_tokens} new exceeds the context of {self.context}")
        request = Request(list(ids), max_new_tokens, repetition_penalty, temperature)
        self._ignore_eos[id(request)] = ignore_eos
        self.waiting.put(request)
        self._wake.set()
        return request

    def busy_slots(self) -> int:
        return len(self._live)

    def _start(self, request: Request) -> _Live:
        import onnxruntime_genai as og

        params = og.GeneratorParams(self.model)
        length = len(request.ids) + request.max_new_tokens
        ignore_eos = self._ignore_eos.pop(id(request), False)
        options = dict(max_length=length, min_length=length if ignore_eos else 0,
                       repetition_penalty=request.repetition_penalty, do_sample=request.temperature > 0,
                       num_beams=1)
        if request.temperature > 0:  # plain sampling from the softmax, as the torch engine does
            options.update(temperature=request.temperature, top_k=self.vocab, top_p=1.0)
        params.set_search_options(**options)
        generator = og.Generator(self.model, params)
        generator.append_tokens(request.ids)  # the prefill: the first token's logits come with it
        return _Live(request, generator)

    def _loop(self) -> None:
        while True:
            while len(self._live) < self.slots:
                try:
                    request = self.waiting.get_nowait()
                except queue.Empty:
                    break
                if request.cancelled.is_set():
                    self._ignore_eos.pop(id(request), None)
                    request.out.put(_END)
                    continue
                try:
                    self._live.append(self._start(request))
                except BaseException as exc:  # a bad request fails alone
                    log.exception("onnx request failed to start")
                    request.error = exc
                    request.out.put(_END)
            if not self._live:
                self._wake.wait(timeout=0.5)
                self._wake.clear()
                continue
            for live in list(self._live):
                self._step(live)

    def _step(self, live: _Live) -> None:
        request = live.request
        try:
            if request.cancelled.is_set():
                self._finish(live)
                return
            live.generator.generate_next_token()
            token = int(live.generator.get_next_tokens()[0])
            live.written += 1
            request.generated.append(token)
            if token in self.eos_ids:
                self._finish(live)
                return
            request.out.put(token)
            if live.written >= request.max_new_tokens or live.generator.is_done():
                self._finish(live)
        except BaseException as exc:  # a failing step fails its request, not the engine
            log.exception("onnx generation step failed")
            request.error = exc
            self._finish(live)

    def _finish(self, live: _Live) -> None:
        if live in self._live:
            self._live.remove(live)
        live.generator = None  # frees its KV cache now
        live.request.out.put(_END)
